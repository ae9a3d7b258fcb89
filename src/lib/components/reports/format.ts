/**
 * Words and numbers of the reports in the reader's language. Figure names and definitions come from the data
 * dictionary (domain/report-dictionary.ts), never from here; this module only picks the language and formats
 * periods, statuses and values by the dictionary's unit. Kept light (no other feature's vocabulary: breakdown
 * keys are named in keys.ts), since summaries outside the report pages use it too.
 */
import '$lib/i18n/messages/reports';
import { formatYuan } from '$lib/domain/money';
import { DICTIONARY_NOTES, SECTIONS, type FigureDef, type FigureLevel, type FigureUnit } from '$lib/domain/report-dictionary';
import type { Period, PeriodKind } from '$lib/domain/report-facts';
import { getLocale, t } from '$lib/i18n';
import { formatDateTime } from '../format';
import type { Status } from './view';

const lang = () => (getLocale() === 'en' ? 'en' : 'zh');

export const figureName = (d: FigureDef) => d[lang()].name;
export const figureDefinition = (d: FigureDef) => d[lang()].definition;
export const dictionaryNotes = () => DICTIONARY_NOTES[lang()];

export function sectionName(id: string): string {
	const s = SECTIONS.find((x) => x.id === id);
	return s ? s[lang()] : id;
}

export const kindLabel = (k: PeriodKind) => t(`reports.kind.${k}`);
export const unitName = (u: FigureUnit) => t(`reports.unitName.${u}`);
export const levelName = (l: FigureLevel) => t(`reports.levelName.${l}`);

const DAY = 86_400_000;
function cstDay(ms: number): string {
	return new Intl.DateTimeFormat(getLocale() === 'en' ? 'en-GB' : 'zh-CN', { timeZone: 'Asia/Shanghai', month: 'short', day: 'numeric' }).format(ms);
}

function keyParts(p: Period): { year: string; n: string } {
	const m = /^(\d{4})-(?:W|Q)?(\d{1,2})$/.exec(p.key);
	return { year: m?.[1] ?? p.key, n: String(Number(m?.[2] ?? 0)) };
}

/** '2026年第49周（12月1日–12月7日）', '2026年12月', '2026年第4季度'. */
export function periodLabel(p: Period): string {
	const { year, n } = keyParts(p);
	if (p.kind === 'week') return t('reports.period.week', { year, week: n, from: cstDay(p.from), to: cstDay(p.to - DAY) });
	if (p.kind === 'month') return t('reports.period.month', { year, month: n });
	return t('reports.period.quarter', { year, quarter: n });
}

/** A chart axis label: 'W49', '12月', '2026 Q4'. */
export function periodShort(p: Period): string {
	const { year, n } = keyParts(p);
	if (p.kind === 'week') return t('reports.periodShort.week', { week: n });
	if (p.kind === 'month') return t('reports.periodShort.month', { month: n });
	return t('reports.periodShort.quarter', { year, quarter: n });
}

/** A percentage with at most one decimal: 0.625 → '62.5%'. */
export function percent(rate: number): string {
	return `${Math.round(rate * 1000) / 10}%`;
}

/** A figure's value for reading, by its unit; '—' for an empty rate or duration (nothing to compute from). */
export function formatValue(unit: FigureUnit, value: number | null | undefined): string {
	if (value === null || value === undefined || Number.isNaN(value)) return t('reports.noValue');
	switch (unit) {
		case 'rate':
			return percent(value);
		case 'fen':
			return formatYuan(Math.round(value));
		case 'days':
			// The dictionary's names say the unit already ('议定用时中位数（天）').
			return String(value);
		default:
			return new Intl.NumberFormat(getLocale() === 'en' ? 'en-GB' : 'zh-CN').format(value);
	}
}

/** A file name without characters file systems refuse: '锦绣里社区-2026-Q4-报告.csv'. */
export function reportFileName(scope: string, period: Period, ext: 'csv' | 'xlsx'): string {
	const safe = scope.replace(/[\\/:*?"<>|\s]+/g, '_').replace(/^_+|_+$/g, '') || 'report';
	return `${safe}-${period.key}-${t('reports.fileSuffix')}.${ext}`;
}

/** The status line(s) of a report: open, frozen, corrected (with the reason), late changes since freezing. */
export function statusText(s: Status): string[] {
	switch (s.state) {
		case 'none':
			return [t('reports.status.none')];
		case 'open':
			return [t('reports.status.open', { when: formatDateTime(s.computedAt) })];
		case 'street':
			return [t('reports.status.street', { count: s.count, total: s.total })];
		case 'frozen':
		case 'corrected': {
			const lines = [t('reports.status.frozen', { when: formatDateTime(s.frozenAt) })];
			if (s.state === 'corrected') lines.push(t('reports.status.corrected', { version: s.version, when: formatDateTime(s.at), reason: s.reason || t('reports.noValue') }));
			if (s.late > 0) lines.push(t('reports.status.late', { count: s.late }));
			return lines;
		}
	}
}

/** A community's status in a word or two (the street's list). */
export function statusShort(s: Status): string {
	switch (s.state) {
		case 'none':
			return t('reports.status.short.missing');
		case 'open':
		case 'street':
			return t('reports.status.short.open');
		case 'frozen':
			return t('reports.status.short.frozen');
		case 'corrected':
			return t('reports.status.short.corrected', { version: s.version });
	}
}

/** A scope's name as the scope picker shows it: '锦绣里社区（社区合计）', '第一网格（网格）'. */
export function scopeLabel(level: FigureLevel, name: string, ofStreet = false): string {
	if (level === 'street') return t('reports.level.street', { name });
	if (level === 'grid') return t('reports.level.grid', { name });
	return t(ofStreet ? 'reports.level.communityOfStreet' : 'reports.level.community', { name });
}
