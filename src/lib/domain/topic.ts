/**
 * Topics (议题) and the deliberation list (需求清单→协商清单): accepted proposals become or join a topic, and the
 * list shows each topic with its proposals, supporters and the households concerned.
 */
import type { Actor } from './actor';
import type { CategoryId } from './lists';
import type { Level, ProposalStatus } from './proposal';

export interface Topic {
	id: string;
	doc: string;
	title: string;
	category: CategoryId | '';
	level: Level;
	createdAt: number;
	createdBy: Actor | null;
	/** Document names of the proposals gathered under this topic. */
	proposals: string[];
}

export interface ProposalSummary {
	doc: string;
	title: string;
	status: ProposalStatus;
	household?: string;
	coSigners: readonly string[];
	/** Households (or resident ids) that supported (附议) the proposal. */
	supporters: readonly string[];
}

export interface DeliberationRow {
	topic: Topic;
	proposals: ProposalSummary[];
	supporters: number;
	/** Distinct households that proposed, co-signed or supported. */
	households: number;
}

export function deliberationList(topics: readonly Topic[], proposals: ReadonlyMap<string, ProposalSummary>): DeliberationRow[] {
	return topics
		.map((topic) => {
			const ps = topic.proposals.map((d) => proposals.get(d)).filter((p): p is ProposalSummary => !!p);
			const households = new Set<string>();
			let supporters = 0;
			for (const p of ps) {
				if (p.household) households.add(p.household);
				for (const h of p.coSigners) households.add(h);
				for (const s of p.supporters) households.add(s);
				supporters += p.supporters.length;
			}
			return { topic, proposals: ps, supporters, households: households.size };
		})
		.sort((a, b) => b.households - a.households || b.topic.createdAt - a.topic.createdAt);
}
