import type { CourtyardDB } from './db';
import { type LocalOutboxes, outboxSettingKey } from './local-store';
import type { QueuedBallot, QueuedState } from './polls';

/** The local store's outbox queue of a resident's ballots waiting to be sent (polls.ts). */
export const BALLOT_QUEUE = 'ballot';
/** Settings-table key prefix of those ballots: small, so the shell can look without loading the poll code. */
export const BALLOT_OUTBOX_PREFIX = outboxSettingKey(BALLOT_QUEUE, '');

/** Adds each poll with a ballot not yet accepted by the relay to a list of unsynced work (sign-out asks first). */
export async function withPendingBallots(
	db: CourtyardDB,
	pending: { doc: string; title: string }[]
): Promise<{ doc: string; title: string }[]> {
	const rows = await db.settings.where('key').startsWith(BALLOT_OUTBOX_PREFIX).toArray();
	const waiting = rows.filter((r) => (r.value as { state?: string } | null)?.state !== 'sent' && (r.value as { state?: string } | null)?.state !== 'refused');
	const polls = waiting.map((r) => r.key.slice(BALLOT_OUTBOX_PREFIX.length)).filter((doc) => !pending.some((p) => p.doc === doc));
	const titles = await db.index.bulkGet(polls);
	return [...pending, ...polls.map((doc, i) => ({ doc, title: titles[i]?.title ?? doc }))];
}

/** How many of this device's ballots wait for the relay: part of the status bar's pending count. */
export async function countWaitingBallots(db: CourtyardDB): Promise<number> {
	const rows = await db.settings.where('key').startsWith(BALLOT_OUTBOX_PREFIX).toArray();
	return rows.filter((r) => (r.value as { state?: string } | null)?.state === 'queued').length;
}

/** The state of this device's own ballot in each poll it voted in (a resident's list of polls shows it). */
export async function ownBallotStates(store: Pick<LocalOutboxes, 'outboxEntries'>): Promise<Map<string, QueuedState>> {
	const rows = await store.outboxEntries<QueuedBallot>(BALLOT_QUEUE);
	return new Map(rows.map((r) => [r.value.poll, r.value.state]));
}
