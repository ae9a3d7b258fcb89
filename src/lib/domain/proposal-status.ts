/**
 * A proposal's statuses (proposal.ts has the status machine). Kept apart from it, so that a page that only shows
 * or filters by status (the home's proposal list) does not load the machine, the validation and the negative list.
 */

export type ProposalStatus =
	| 'draft'
	| 'submitted'
	| 'screening'
	| 'accepted'
	| 'rejected'
	| 'merged'
	| 'escalated'
	| 'settled'
	| 'topic'
	| 'deliberating'
	| 'voting'
	| 'decided'
	| 'funding'
	| 'in_progress'
	| 'inspected'
	| 'publicised'
	| 'closed';

/** In workflow order, for progress displays. */
export const PROPOSAL_STATUSES: readonly ProposalStatus[] = [
	'draft',
	'submitted',
	'screening',
	'accepted',
	'rejected',
	'merged',
	'escalated',
	'settled',
	'topic',
	'deliberating',
	'voting',
	'decided',
	'funding',
	'in_progress',
	'inspected',
	'publicised',
	'closed'
];
