import { describe, expect, it } from 'vitest';
import { funding, type FundingInput, validateEntry, validatePledge } from './funding';
import { entry, facilitator, facilitator2, gridWorker, pledge, receipt, resident } from './testing/projects';

const input = (over: Partial<FundingInput> = {}): FundingInput => ({ target: 0, pledges: [], receipts: [], entries: [], voids: [], ...over });

describe('the co-funding ledger', () => {
	it('derives income from received pledges and keeps an exact running balance', () => {
		const a = pledge({ amount: 20030, name: '3栋 刘阿姨' });
		const b = pledge({ amount: 15, name: '3栋 王叔叔', household: 'b03-1-402' });
		const subsidy = pledge({ source: 'property', name: '物业公司', household: undefined, amount: 100000, by: facilitator });
		const open = pledge({ amount: 5000, household: 'b03-2-101' });
		const spend = entry({ amount: 48000, date: '2024-05-04', description: '座椅 4 把' });
		const f = funding(
			input({
				target: 200000,
				pledges: [a, b, subsidy, open],
				receipts: [receipt(a.id, { amount: 20030, date: '2024-05-01' }), receipt(b.id, { amount: 15, date: '2024-05-02' }), receipt(subsidy.id, { amount: 100000, date: '2024-05-03' })],
				entries: [spend]
			})
		);
		expect(f.lines.map((l) => [l.kind, l.amount, l.balance])).toEqual([
			['income', 20030, 20030],
			['income', 15, 20045],
			['income', 100000, 120045],
			['spending', 48000, 72045]
		]);
		expect(f.income).toBe(120045);
		expect(f.spending).toBe(48000);
		expect(f.balance).toBe(72045);
		expect(f.pledged).toBe(125045);
		expect(f.outstanding).toBe(5000);
		expect(f.raised).toBe(120045);
		expect(f.shortfall).toBe(79955);
		expect(f.percent).toBe(60);
		expect(f.bySource.residents).toEqual({ pledged: 25045, received: 20045 });
		expect(f.bySource.property).toEqual({ pledged: 100000, received: 100000 });
		expect(f.pledges.find((v) => v.pledge.id === open.id)?.status).toBe('pledged');
	});

	it('counts a received pledge once however often the same receipt arrives', () => {
		const p = pledge({ amount: 30000 });
		const r1 = receipt(p.id, { amount: 30000, by: facilitator, at: 100 });
		const r2 = receipt(p.id, { amount: 30000, by: facilitator2, at: 101 });
		const f = funding(input({ pledges: [p, p], receipts: [r1, r2] }));
		expect(f.lines).toHaveLength(1);
		expect(f.income).toBe(30000);
	});

	it('is the same for any order of the merged records', () => {
		const ps = [pledge({ amount: 100 }), pledge({ amount: 250 }), pledge({ amount: 999 })];
		const rs = ps.map((p, i) => receipt(p.id, { amount: p.amount, date: '2024-05-01', at: 50 - i }));
		const es = [entry({ amount: 300, date: '2024-05-01' }), entry({ type: 'income', amount: 1, date: '2024-04-30', description: '废品回收' })];
		const one = funding(input({ pledges: ps, receipts: rs, entries: es }));
		const two = funding(input({ pledges: [...ps].reverse(), receipts: [...rs].reverse(), entries: [...es].reverse() }));
		expect(two.lines).toEqual(one.lines);
		expect(one.balance).toBe(100 + 250 + 999 + 1 - 300);
		expect(one.lines[0]?.description).toBe('废品回收');
	});

	it('records materials in kind: valued towards the target, never in the cash balance', () => {
		const tiles = pledge({ kind: 'materials', amount: 60000, materials: '剩余地砖约 20 平方米' });
		const paint = pledge({ kind: 'materials', amount: 0, materials: '白色乳胶漆 2 桶' });
		const f = funding(input({ target: 100000, pledges: [tiles, paint], receipts: [receipt(tiles.id, { amount: 60000 }), receipt(paint.id, { amount: 0 })] }));
		expect(f.lines.map((l) => l.kind)).toEqual(['in_kind', 'in_kind']);
		expect(f.balance).toBe(0);
		expect(f.inKind).toBe(60000);
		expect(f.raised).toBe(60000);
		expect(f.pledged).toBe(0);
	});

	it('keeps a voided entry on the record but out of the balance', () => {
		const wrong = entry({ amount: 99900 });
		const right = entry({ amount: 9990 });
		const f = funding(input({ entries: [wrong, right], voids: [{ entry: wrong.id, reason: '金额录错', at: 1, by: facilitator }] }));
		expect(f.spending).toBe(9990);
		expect(f.voided.map((v) => v.entry.id)).toEqual([wrong.id]);
	});

	it('does not count what a role may not record, and says so', () => {
		const p = pledge({ amount: 1000 });
		const forged = receipt(p.id, { by: resident });
		const residentSpending = entry({ by: resident });
		const subsidyByResident = pledge({ source: 'grant', by: resident });
		const noHousehold = pledge({ household: undefined });
		const atTheDoor = pledge({ household: undefined, by: gridWorker, channel: 'visit' });
		const f = funding(input({ pledges: [p, subsidyByResident, noHousehold, atTheDoor], receipts: [forged], entries: [residentSpending] }));
		expect(f.income).toBe(0);
		expect(f.spending).toBe(0);
		expect(f.pledged).toBe(1000 + atTheDoor.amount);
		expect(f.notCounted.map((n) => [n.what, n.reason]).sort()).toEqual([
			['entry', 'role'],
			['pledge', 'role'],
			['pledge', 'role'],
			['receipt', 'role']
		]);
	});

	it('a withdrawn pledge leaves the totals, unless it was received meanwhile', () => {
		const gone = pledge({ amount: 500, withdrawn: { at: 2, by: resident } });
		const raced = pledge({ amount: 700, withdrawn: { at: 2, by: resident } });
		const f = funding(input({ pledges: [gone, raced], receipts: [receipt(raced.id, { amount: 700 })] }));
		expect(f.pledges.map((v) => v.status)).toEqual(['withdrawn', 'received']);
		expect(f.pledged).toBe(700);
		expect(f.income).toBe(700);
	});

	it('flags the same spending entered on two devices', () => {
		const a = entry({ amount: 4800, date: '2024-05-05', description: '膨胀螺栓', by: facilitator });
		const b = entry({ amount: 4800, date: '2024-05-05', description: ' 膨胀螺栓', by: facilitator2 });
		const c = entry({ amount: 4800, date: '2024-05-05', description: '膨胀螺栓', by: facilitator });
		expect(funding(input({ entries: [a, b, c] })).possibleDuplicates).toEqual([[a.id, b.id, c.id].sort()]);
		expect(funding(input({ entries: [a, c] })).possibleDuplicates).toEqual([]);
	});
});

describe('pledge and entry validation', () => {
	it('requires a giver, a positive amount for money, and words for materials', () => {
		expect(validatePledge({ source: 'residents', kind: 'money', name: '', amount: 0 })).toEqual(['name', 'amount']);
		expect(validatePledge({ source: 'residents', kind: 'materials', name: '张', amount: null })).toEqual(['materials']);
		expect(validatePledge({ source: 'residents', kind: 'materials', name: '张', amount: null, materials: '地砖' })).toEqual([]);
		expect(validatePledge({ source: 'grant', kind: 'money', name: '基金会', amount: 100 })).toEqual([]);
	});

	it('requires an amount, a real day and a description for a ledger entry', () => {
		expect(validateEntry({ type: 'spending', amount: null, date: '2024-02-30', description: ' ' })).toEqual(['amount', 'date', 'description']);
		expect(validateEntry({ type: 'spending', amount: 1, date: '2024-02-29', description: '螺丝' })).toEqual([]);
	});
});
