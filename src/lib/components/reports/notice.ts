/**
 * The residents' quarterly report as a notice (公示): a title, the key public figures one per line (names from
 * the data dictionary) and the link to the full public report. Staff read and may edit it in the notice
 * composer before posting; what is posted is plain text.
 */
import '$lib/i18n/messages/reports';
import { FIGURES, figureDef, valueOf } from '$lib/domain/report-dictionary';
import type { Period } from '$lib/domain/report-facts';
import type { Figures } from '$lib/domain/report-types';
import { t } from '$lib/i18n';
import { figureName, formatValue, periodLabel } from './format';

/**
 * The figures a notice lists: the residents' report's single numbers, without what rates and durations are made
 * of (parts, wholes, 90th percentiles), which the full report linked below has.
 */
export const NOTICE_FIGURES: readonly string[] = FIGURES.filter(
	(d) => d.public && d.unit !== 'breakdown' && d.levels.includes('community') && !/\.(part|whole|p90|count)$/.test(d.id)
).map((d) => d.id);

export function reportNotice(community: string, period: Period, figures: Figures, url: string): { title: string; body: string } {
	const lines = NOTICE_FIGURES.flatMap((id) => {
		const def = figureDef(id);
		const v = valueOf(figures, id);
		if (!def || !def.public || (typeof v !== 'number' && v !== null)) return [];
		return [t('reports.notice.line', { name: figureName(def), value: formatValue(def.unit, v) })];
	});
	const p = periodLabel(period);
	return {
		title: t('reports.notice.title', { community, period: p }),
		body: [t('reports.notice.intro', { community, period: p }), ...lines, '', t('reports.notice.link', { url }), t('reports.notice.closing')].join('\n')
	};
}
