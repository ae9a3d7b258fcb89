/** How conventions read on screen: their scope, stage and the rules that follow from them. */
import '$lib/i18n/messages/conventions';
import type { ConventionScope, ConventionStage } from '$lib/domain/conventions';
import type { Room, RoomRules } from '$lib/domain/rooms';
import { t } from '$lib/i18n';
import type { Community } from '$lib/schema/community-doc';
import { buildingName } from '../scope';

export function scopeLabel(scope: ConventionScope, community: Community | null | undefined, rooms: readonly Room[]): string {
	if (scope.kind === 'compound') return t('conv.scope.compound');
	if (scope.kind === 'building') return t('conv.scope.building', { building: buildingName(community, scope.building) });
	return t('conv.scope.room', { room: rooms.find((r) => r.id === scope.room)?.name ?? scope.room });
}

export const stageLabel = (stage: ConventionStage) => t(`conv.stage.${stage}`);

/** The rules a version carries, one line each, in words. */
export function ruleLines(rules: Partial<RoomRules> | null): string[] {
	if (!rules) return [];
	const out: string[] = [];
	for (const h of rules.hours ?? []) out.push(t('conv.detail.rules.hours', { open: h.open, close: h.close }));
	const per = rules.perHousehold;
	if (per?.maxBookings) out.push(t(per.period === 'week' ? 'conv.detail.rules.perWeek' : 'conv.detail.rules.perMonth', { count: per.maxBookings }));
	if (rules.cleaningPoints) out.push(t('conv.detail.rules.cleaning', { points: rules.cleaningPoints }));
	return out;
}
