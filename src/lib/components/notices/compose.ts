/**
 * The wording of generated notices (tender result, ledger, acceptance) in the poster's language. A facilitator
 * sees the generated text in the composer and may edit it before posting; what is posted is plain text.
 */
import '$lib/i18n/messages/matters';
import type { Acceptance } from '$lib/domain/acceptance';
import type { Funding } from '$lib/domain/funding';
import { formatYuan } from '$lib/domain/money';
import type { TenderNoticeFacts } from '$lib/domain/tender';
import { t } from '$lib/i18n';
import { sourceLabel } from '../projects/labels';

export interface Composed {
	title: string;
	body: string;
}

export function tenderNotice(f: TenderNoticeFacts): Composed {
	const bids = f.bids.map((b, i) => t('notice.tender.bid', { no: i + 1, vendor: b.vendor, price: formatYuan(b.price), model: b.model || '—' }));
	return {
		title: t('notice.tender.title', { project: f.project }),
		body: [
			t('notice.tender.intro', { project: f.project, count: f.bids.length }),
			...bids,
			'',
			t('notice.tender.result', { vendor: f.vendor, price: formatYuan(f.price), model: f.model || '—' }),
			t(f.selectedIsLowest ? 'notice.tender.lowest' : 'notice.tender.notLowest'),
			t('notice.tender.reason', { reason: f.reason }),
			'',
			t('notice.objections')
		].join('\n')
	};
}

export function ledgerNotice(project: string, f: Funding): Composed {
	const lines = f.lines.map((l) =>
		t(l.kind === 'income' ? 'notice.ledger.income' : l.kind === 'spending' ? 'notice.ledger.spending' : 'notice.ledger.inKind', {
			date: l.date,
			description: l.materials ? l.description + t('project.paren', { text: l.materials }) : l.description,
			amount: formatYuan(l.amount),
			balance: formatYuan(l.balance)
		})
	);
	const sources = Object.entries(f.bySource)
		.filter(([, s]) => s.received > 0)
		.map(([k, s]) => t('notice.ledger.source', { source: sourceLabel(k as keyof Funding['bySource']), amount: formatYuan(s.received) }));
	return {
		title: t('notice.ledger.title', { project }),
		body: [
			t('notice.ledger.intro', { project }),
			...(f.target > 0 ? [t('notice.ledger.target', { target: formatYuan(f.target), raised: formatYuan(f.raised) })] : []),
			...sources,
			'',
			...lines,
			'',
			t('notice.ledger.totals', { income: formatYuan(f.income), spending: formatYuan(f.spending), balance: formatYuan(f.balance) }),
			t('notice.objections')
		].join('\n')
	};
}

export function acceptanceNotice(project: string, a: Acceptance): Composed {
	return {
		title: t('notice.acceptance.title', { project }),
		body: [
			t('notice.acceptance.intro', { project }),
			...a.items.map((r) => t(r.check?.result === 'pass' ? 'notice.acceptance.pass' : 'notice.acceptance.fail', { item: r.item.text })),
			t('notice.acceptance.signed', { names: a.signoffs.filter((s) => s.agree).map((s) => s.name).join(t('timeline.listSeparator')) }),
			'',
			t('notice.objections')
		].join('\n')
	};
}
