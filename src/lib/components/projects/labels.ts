/** Localized words for projects: stages, funding sources, and one line per timeline step. */
import '$lib/i18n/messages/matters';
import type { Pledge, SourceKind } from '$lib/domain/funding';
import { formatYuan } from '$lib/domain/money';
import type { NoticeKind } from '$lib/domain/notice';
import { type ProjectStage, type ProjectStep, stageStatus } from '$lib/domain/project';
import { statusLabel } from '../proposals/labels';
import { t } from '$lib/i18n';

export const stageLabel = (s: ProjectStage) => t(`project.stage.${s}`);
/** The stage's words where the status badge beside it does not already say them (e.g. "awaiting acceptance"). */
export const stageNote = (s: ProjectStage) => (stageLabel(s) === statusLabel(stageStatus(s)) ? null : stageLabel(s));
export const sourceLabel = (s: SourceKind) => t(`project.source.${s}`);
export const noticeKindLabel = (k: NoticeKind) => t(`notice.kind.${k}`);

/** A pledge made or received: money says how much, materials say what. */
const pledgeLine = (verb: 'pledged' | 'received', pledge: Pledge, amount: number) =>
	pledge.kind === 'money'
		? t(`project.step.${verb}Money`, { name: pledge.name, amount: formatYuan(amount) })
		: t(`project.step.${verb}Materials`, { name: pledge.name, materials: pledge.materials ?? '' });

/** What a step says, in the reader's language: a headline and an optional detail line. */
export function stepText(step: ProjectStep): { what: string; detail?: string } {
	switch (step.type) {
		case 'created':
			return { what: t('project.step.created') };
		case 'target':
			return { what: t('project.step.target', { amount: formatYuan(step.amount) }) };
		case 'pledged':
			return { what: pledgeLine('pledged', step.pledge, step.pledge.amount) };
		case 'received':
			return { what: pledgeLine('received', step.pledge, step.receipt.amount) };
		case 'withdrawn':
			return { what: t('project.step.withdrawn', { name: step.pledge.name }) };
		case 'entry':
			return {
				what: t(step.entry.type === 'income' ? 'project.step.income' : 'project.step.spending', {
					amount: formatYuan(step.entry.amount),
					description: step.entry.description
				})
			};
		case 'voided':
			return { what: t('project.step.voided', { description: step.entry.description }), detail: step.reason };
		case 'task':
			return { what: t('project.step.task', { title: step.task.title, responsible: step.task.responsible, due: step.task.due }) };
		case 'progress': {
			const key =
				step.update.mark === 'done'
					? 'project.step.done'
					: step.update.mark === 'reopened'
						? 'project.step.reopened'
						: 'project.step.progress';
			return { what: t(key, { title: step.task.title }), ...(step.update.text ? { detail: step.update.text } : {}) };
		}
		case 'tender':
			return { what: t('project.step.tender', { vendor: step.tender.vendor, price: formatYuan(step.tender.price) }) };
		case 'selected':
			return { what: t('project.step.selected', { vendor: step.tender.vendor, price: formatYuan(step.tender.price) }), detail: step.reason };
		case 'notice':
			return { what: t('project.step.notice', { kind: noticeKindLabel(step.notice.kind), title: step.notice.title }) };
		case 'checked':
			return {
				what: t(step.check.result === 'pass' ? 'project.step.checkPass' : 'project.step.checkFail', { item: step.item.text }),
				...(step.check.note ? { detail: step.check.note } : {})
			};
		case 'signoff':
			return {
				what: t(step.signoff.agree ? 'project.step.signed' : 'project.step.objected', { name: step.signoff.name }),
				...(step.signoff.comment ? { detail: step.signoff.comment } : {})
			};
		case 'override':
			return {
				what: t('project.step.override', { conditions: step.waived.map((k) => t(`project.accept.unmetShort.${k}`)).join(t('timeline.listSeparator')) }),
				detail: step.reason
			};
		case 'accepted':
			return { what: t('project.step.accepted') };
		case 'rating':
			return { what: t('project.step.rating', { score: step.rating.score }), ...(step.rating.comment ? { detail: step.rating.comment } : {}) };
		case 'follow_up':
			return { what: t('project.step.followUp') };
		case 'request':
			return { what: t('project.step.request'), detail: step.request.question };
		case 'answered':
			return { what: t('project.step.answered'), detail: step.request.question };
		case 'closed':
			return { what: t('project.step.closed'), ...(step.note ? { detail: step.note } : {}) };
	}
}
