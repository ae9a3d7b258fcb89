/** Localized names of the proposal vocabulary. The catalogue keys of these families are the domain ids. */
import type { Channel, Role } from '$lib/domain/actor';
import type { ProposalKind, ProposalStatus } from '$lib/domain/proposal';
import { t, type MessageKey } from '$lib/i18n';

export const statusLabel = (s: ProposalStatus) => t(`status.${s}` as MessageKey);
export const kindLabel = (k: ProposalKind) => t(`kind.${k}` as MessageKey);
export const channelLabel = (c: Channel) => t(`channel.${c}` as MessageKey);
export const roleLabel = (r: Role) => t(`role.${r}` as MessageKey);
export const fieldLabel = (f: string) => t(`field.${f}` as MessageKey);
/** The verb on a button that moves a proposal to `to` ("accept", "refer upward" …). */
export const transitionLabel = (to: ProposalStatus) => t(`transition.${to}` as MessageKey);
