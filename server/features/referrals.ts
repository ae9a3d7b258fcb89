/**
 * The bridge between a community's proposals and its street office (contract in src/lib/schema/referrals-doc.ts).
 *
 * A street admin may not read proposals: they name households. When a proposal reaches the street level, the
 * relay copies it, without names, rooms or comments, into its community's referrals document; whenever it
 * moves, the copy follows. When a street admin answers a case there (accept, reject, return with guidance, join a
 * street topic, settle), the relay records the answer as a timeline step of the proposal, in the street admin's
 * name, so the proposer and the community see it where they see every other step. The proposal's status
 * machine judges the step like any other: one made against a status that changed meanwhile stays in the
 * timeline as superseded, and the answer's receipt says so.
 *
 * Both directions follow the hub's change feed, one document at a time. Every step is idempotent (the answer's
 * id becomes the step's id; a case is rewritten only when it differs), so a restart simply re-runs them: on
 * start, the stored referrals documents are scanned for answers without a receipt, and the stored proposals for
 * cases to bring up to date.
 */
import type * as Y from 'yjs';
import { isTerminal, type TimelineEvent } from '../../src/lib/domain/proposal';
import { parseDocName, proposalDocName, referralsDocName } from '../../src/lib/schema/doc-names';
import { appendEvent, isProposalDoc, readProposal } from '../../src/lib/schema/proposal-doc';
import { reachedStreet, readReferrals, referralCase, type ReferralCase, setCase, setReceipt, type StreetAnswer } from '../../src/lib/schema/referrals-doc';
import type { ChangedDoc, FeedListener, Hub } from '../core/hub';
import type { Logger } from '../core/log';
import { RelayDocs } from '../core/relay-docs';

const BRIDGE_ORIGIN = Symbol('referral bridge');
const SCAN_PAGE = 1000;

export interface ReferralBridgeOptions {
	hub: Hub;
	logger: Logger;
	/** Scan the stored documents on start. Default true. */
	scan?: boolean;
}

export class ReferralBridge implements FeedListener {
	private readonly docs: RelayDocs;
	/** Documents waiting to be looked at, in arrival order. */
	private readonly queue = new Set<string>();
	private running: Promise<void> | null = null;
	private closed = false;

	constructor(private readonly options: ReferralBridgeOptions) {
		this.docs = new RelayDocs(options.hub);
		options.hub.addFeedListener(this);
		if (options.scan !== false) this.scan().catch((error: unknown) => options.logger.warn('scanning for referrals failed', error));
	}

	onChanges(_head: number, changed: readonly ChangedDoc[]): void {
		for (const c of changed) {
			const kind = parseDocName(c.doc)?.kind;
			// Its own case writes change the referrals document too; a batch may also hold a street admin's answer.
			const ownOnly = c.origins.size === 1 && c.origins.has(BRIDGE_ORIGIN);
			if (kind === 'proposal' || (kind === 'referrals' && !ownOnly)) this.queue.add(c.doc);
		}
		this.drain();
	}

	/** Resolves when every queued document has been handled (tests). */
	async settled(): Promise<void> {
		while (this.running) await this.running;
	}

	async close(): Promise<void> {
		this.closed = true;
		this.options.hub.removeFeedListener(this);
		this.queue.clear();
		await this.settled();
	}

	private async scan(): Promise<void> {
		let cursor = 0;
		for (;;) {
			const page = await this.options.hub.store.changesSince(cursor, SCAN_PAGE);
			for (const entry of page.entries) {
				cursor = entry.seq;
				const kind = parseDocName(entry.doc)?.kind;
				if (kind === 'proposal' || kind === 'referrals') this.queue.add(entry.doc);
			}
			if (page.entries.length < SCAN_PAGE || this.closed) break;
		}
		this.drain();
	}

	private drain(): void {
		if (this.running || this.closed) return;
		this.running = (async () => {
			while (!this.closed && this.queue.size > 0) {
				// Devices' writes go first: a day of offline work arriving at once must not wait behind these reads.
				await this.options.hub.backgroundTurn();
				if (this.closed || this.queue.size === 0) break;
				const name = this.queue.values().next().value as string;
				this.queue.delete(name);
				try {
					await this.handle(name);
				} catch (error) {
					this.options.logger.warn(`referral bridge: ${name} failed`, error);
				}
			}
		})().finally(() => {
			this.running = null;
			if (this.queue.size > 0 && !this.closed) this.drain();
		});
	}

	private async handle(name: string): Promise<void> {
		const parsed = parseDocName(name);
		if (!parsed) return;
		if (parsed.kind === 'proposal') await this.syncCase(parsed.community, name);
		else if (parsed.kind === 'referrals') await this.applyAnswers(parsed.community);
	}

	/** Brings the street's copy of a proposal up to date, if it ever reached the street. */
	private async syncCase(community: string, name: string): Promise<void> {
		const wanted = await this.docs.read([name], ([doc]) => {
			if (!isProposalDoc(doc as Y.Doc)) return null;
			const c = referralCase(readProposal(doc as Y.Doc), name, community);
			return reachedStreet(c) ? c : null;
		});
		if (!wanted) return;
		await this.docs.write(referralsDocName(community), BRIDGE_ORIGIN, (doc) => {
			const current = doc.getMap<ReferralCase>('cases').get(wanted.id);
			if (JSON.stringify(current) !== JSON.stringify(wanted)) setCase(doc, wanted);
		});
	}

	/** Records every answer without a receipt as a step of its proposal, then its receipt. */
	private async applyAnswers(community: string): Promise<void> {
		const refName = referralsDocName(community);
		const pending = await this.docs.read([refName], ([doc]) => {
			const r = readReferrals(doc as Y.Doc);
			const cases = new Set(r.cases.map((c) => c.id));
			return r.answers.filter((a) => !r.applied.has(a.id)).map((a) => ({ answer: a, known: cases.has(a.case) }));
		});
		for (const { answer, known } of pending) {
			const result = known ? await this.recordStep(community, answer) : 'unknown_case';
			await this.docs.write(refName, BRIDGE_ORIGIN, (doc) => setReceipt(doc, answer.id, { at: Date.now(), result }));
			if (known) await this.syncCase(community, proposalDocName(community, answer.case));
		}
	}

	/**
	 * Records an answer as a step of the proposal, only while the matter waits at the street in the status the
	 * street admin saw; anything else is answered 'superseded' and writes nothing. The step is dated by the relay,
	 * after the timeline's last event: an answer can never be slipped into the past (a device's clock, or a
	 * tampered one, does not reorder what the community did since).
	 */
	private async recordStep(community: string, a: StreetAnswer): Promise<'applied' | 'superseded'> {
		const name = proposalDocName(community, a.case);
		return this.docs.write(name, BRIDGE_ORIGIN, (doc) => {
			const events = doc.getArray<TimelineEvent>('timeline');
			if (events.toArray().some((e) => e.id === a.id)) return readProposal(doc).timeline.superseded.has(a.id) ? 'superseded' : 'applied';
			const now = readProposal(doc);
			if (now.level !== 'street' || isTerminal(now.timeline.status) || now.timeline.status !== a.from) return 'superseded';
			appendEvent(doc, {
				id: a.id,
				type: 'transition',
				at: Math.max(Date.now(), now.timeline.updated + 1),
				by: a.by,
				channel: 'app',
				from: a.from,
				to: a.to,
				...(a.reason ? { reason: a.reason } : {}),
				...(a.target ? { target: a.target } : {}),
				...(a.targetTitle ? { targetTitle: a.targetTitle } : {})
			});
			return readProposal(doc).timeline.superseded.has(a.id) ? 'superseded' : 'applied';
		});
	}
}
