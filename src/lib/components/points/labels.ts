/** Words for the points screens: channels, movements, flags and why an action was refused. */
import '$lib/i18n/messages/points';
import type { FlagAction, FlagKind, PassbookLine, PointsChannel, Transfer } from '$lib/domain/points';
import { t, tKnown } from '$lib/i18n';
import { WriteRefusedError } from '$lib/client/doc-store';
import { InvalidPointsInputError } from '$lib/client/points';

export const channelLabel = (c: PointsChannel) => t(`points.channel.${c}`);
export const flagKindLabel = (k: FlagKind) => t(`points.flag.${k}`);
export const flagActionLabel = (a: FlagAction) => t(`points.action.${a}`);

/** What a transfer was for, in plain words: the activity or note, the item and how many. */
export function transferWhat(tr: Transfer, byId?: ReadonlyMap<string, Transfer>): string {
	if (tr.kind === 'award') return tr.activityName ?? tr.note;
	if (tr.kind === 'redeem') return t('points.itemTimes', { item: tr.itemName ?? tr.item ?? '', quantity: tr.quantity ?? 1 });
	const target = tr.reverses ? byId?.get(tr.reverses) : undefined;
	return target ? `${kindLabel(target.kind)} ${transferWhat(target)}` : '';
}

export const kindLabel = (kind: PassbookLine['kind']) => t(`points.kind.${kind}`);

/** A signed number of points: "+10", "−30". */
export const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0');

/** Why an action did not go through, in the reader's words. */
export function pointsError(err: unknown): string {
	if (err instanceof InvalidPointsInputError) {
		return err.issues
			.map((i) => {
				return tKnown(`points.issue.${i.code}`) ?? tKnown(`points.issue.field.${i.field}`) ?? t('points.issue.other', { field: i.field });
			})
			.filter((m, i, all) => all.indexOf(m) === i)
			.join(' ');
	}
	if (err instanceof WriteRefusedError) return t('points.refused', { reason: err.reason });
	return t('points.failed', { error: err instanceof Error ? err.message : String(err) });
}
