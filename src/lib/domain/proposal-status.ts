/**
 * A proposal's statuses (proposal.ts has the status machine). Kept apart from it, so that a page that only shows
 * or filters by status (the home's proposal list) does not load the machine, the validation and the negative list.
 */

/** In workflow order, for progress displays. */
export const PROPOSAL_STATUSES = [
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
] as const;

export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];
