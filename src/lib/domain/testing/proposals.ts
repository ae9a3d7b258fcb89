/** Test factories for proposals: a draft as a form or a grid worker files it. For specs and integration tests only. */
import type { ProposalDraft } from '../proposal';

export const proposalDraft = (over: Partial<ProposalDraft> = {}): ProposalDraft => ({
	title: '楼道加装折叠座椅',
	description: '三单元老人多，上楼需要歇脚。',
	category: 'facilities',
	kind: 'individual',
	channel: 'app',
	...over
});
