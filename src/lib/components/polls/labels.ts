/** Localized names and phrases of the poll vocabulary (rules, thresholds, electorate, outcomes, areas). */
import '$lib/i18n/messages/polls';
import type { Electorate, PollOption, PollOutcome, PollRule, PollStatus, RuleKind, Threshold } from '$lib/domain/poll';
import type { Community } from '$lib/schema/community-doc';
import { getLocale, t, type PlainKey } from '$lib/i18n';

export const ruleName = (kind: RuleKind) => t(`polls.rule.${kind}`);
export const pollStatusLabel = (s: PollStatus) => t(`polls.status.${s}`);

const NAMED: Record<string, PlainKey> = { '1/2': 'polls.fraction.half', '2/3': 'polls.fraction.twoThirds', '3/4': 'polls.fraction.threeQuarters' };

/** "more than half", "at least two thirds" … */
export function thresholdText(th: Threshold): string {
	const key = NAMED[`${th.num}/${th.den}`];
	const share = key ? t(key) : `${th.num}/${th.den}`;
	return t(th.strict ? 'polls.moreThan' : 'polls.atLeast', { share });
}

/** The rule in one or two sentences: what participation it needs and what carries. */
export function ruleSummary(rule: PollRule): string[] {
	const lines: string[] = [];
	const p = [
		rule.participationHouseholds ? t('polls.ofHouseholds', { threshold: thresholdText(rule.participationHouseholds) }) : null,
		rule.participationArea ? t('polls.ofArea', { threshold: thresholdText(rule.participationArea) }) : null
	].filter((x): x is string => !!x);
	lines.push(p.length > 0 ? t('polls.participationRule', { parts: p.join(t('polls.and')) }) : t('polls.noParticipationRule'));
	const a = [
		t('polls.ofParticipants', { threshold: thresholdText(rule.approvalHouseholds) }),
		rule.approvalArea ? t('polls.ofParticipantArea', { threshold: thresholdText(rule.approvalArea) }) : null
	].filter((x): x is string => !!x);
	lines.push(t('polls.approvalRule', { parts: a.join(t('polls.and')) }));
	return lines;
}

export function electorateText(e: Electorate, community: Community | null): string {
	if (e.scope === 'community') return t('polls.electorate.community');
	const names =
		e.scope === 'grid'
			? e.ids.map((id) => community?.grids.find((g) => g.id === id)?.name ?? id)
			: e.ids.map((id) => community?.buildings.find((b) => b.id === id)?.name ?? id);
	return t(e.scope === 'grid' ? 'polls.electorate.grids' : 'polls.electorate.buildings', { names: names.join(t('timeline.listSeparator')) });
}

/** Floor area given in 0.01 m² units, e.g. "1,234.5 m²". */
export function areaText(centi: number): string {
	const n = new Intl.NumberFormat(getLocale() === 'en' ? 'en-GB' : 'zh-CN', { maximumFractionDigits: 2 }).format(centi / 100);
	return t('polls.area', { area: n });
}

export function optionLabel(options: readonly PollOption[], id: string | null): string {
	if (id === null) return t('polls.withdrawn');
	return options.find((o) => o.id === id)?.label ?? id;
}

export function outcomeText(outcome: PollOutcome, options: readonly PollOption[]): string {
	switch (outcome.kind) {
		case 'carried':
			return t('polls.outcome.carried', { option: optionLabel(options, outcome.option) });
		case 'tie':
			return t('polls.outcome.tie', { options: outcome.options.map((o) => optionLabel(options, o)).join(t('timeline.listSeparator')) });
		case 'no_quorum':
			return t('polls.outcome.no_quorum');
		default:
			return t('polls.outcome.not_carried');
	}
}

/** "3栋 2单元 302" from a household id `<building>-<unit>-<room>`, when it has that shape. */
export function householdAddress(id: string, community: Community | null): string {
	const m = /^([A-Za-z0-9_]+)-(\d+)-([A-Za-z0-9]+)$/.exec(id);
	if (!m) return id;
	const building = community?.buildings.find((b) => b.id === m[1])?.name ?? (m[1] as string);
	return t('intake.householdAddress', { building, unit: m[2] as string, room: m[3] as string });
}

/** A value for `<input type="datetime-local">` in the device's time zone. */
export function toLocalInput(ms: number): string {
	const d = new Date(ms);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

export function fromLocalInput(value: string): number {
	const ms = new Date(value).getTime();
	return Number.isFinite(ms) ? ms : Number.NaN;
}
