/** Localized names of the proposal vocabulary. The catalogue keys of these families are the domain ids. */
import type { Channel, Role } from '$lib/domain/actor';
import type { ProposalKind, ProposalStatus } from '$lib/domain/proposal';
import { t, tKnown } from '$lib/i18n';

export const statusLabel = (s: ProposalStatus) => t(`status.${s}`);
export const kindLabel = (k: ProposalKind) => t(`kind.${k}`);
export const channelLabel = (c: Channel) => t(`channel.${c}`);
export const roleLabel = (r: Role) => t(`role.${r}`);
/** `f` is a field name recorded in an edit event; one this app has no word for (a newer app's) shows as is. */
export const fieldLabel = (f: string) => tKnown(`field.${f}`) ?? f;
/** The verb on a button that moves a proposal to `to` ("accept", "refer upward" …). */
export const transitionLabel = (to: ProposalStatus) => t(`transition.${to}`);
