/**
 * Test factories for the points passbook (积分): awards for service and redemptions at the counter, for
 * household b03-1-401 and recorded by the facilitator unless the test says otherwise. Specs only.
 */
import { redemptionCode, type Transfer } from '../points';
import { facilitatorActor } from './actors';

let seq = 0;

/** Ten points and two service hours for sweeping the stairwell (no catalogued activity unless given). */
export const pointsAward = (over: Partial<Transfer> = {}): Transfer => ({
	id: `aw${++seq}`,
	kind: 'award',
	household: 'b03-1-401',
	amount: 10,
	at: 1_000 + seq,
	by: facilitatorActor(),
	channel: 'activity',
	note: '楼道清扫',
	hours: 2,
	...over
});

/** A bag of rice for 30 points, with the redemption code its id gives. */
export function pointsRedemption(over: Partial<Transfer> = {}): Transfer {
	const id = over.id ?? `rd${++seq}`;
	return {
		id,
		kind: 'redeem',
		household: 'b03-1-401',
		amount: 30,
		at: 2_000 + seq,
		by: facilitatorActor(),
		channel: 'counter',
		note: '',
		item: 'rice',
		itemName: '大米',
		quantity: 1,
		code: redemptionCode(id),
		...over
	};
}
