import { describe, expect, it } from 'vitest';
import { tenderNoticeFacts, tenderResult, validateTender } from './tender';
import { facilitator2, resident, selection, tender } from './testing/projects';

describe('tender', () => {
	it('lists bids cheapest first and states whether the cheapest was chosen', () => {
		const a = tender({ vendor: '恒安五金', price: 48000 });
		const b = tender({ vendor: '宜居家具', price: 39900, model: 'YJ-2' });
		const chosen = selection(a.id, { reason: '承重更高，质保三年' });
		const r = tenderResult([a, b], [chosen]);
		expect(r.tenders.map((t) => t.vendor)).toEqual(['宜居家具', '恒安五金']);
		expect(r.selected?.tender.id).toBe(a.id);
		expect(r.selectedIsLowest).toBe(false);
		expect(tenderNoticeFacts('座椅', r)).toEqual({
			project: '座椅',
			vendor: '恒安五金',
			price: 48000,
			model: a.model,
			reason: '承重更高，质保三年',
			selectedIsLowest: false,
			bids: [
				{ vendor: '宜居家具', price: 39900, model: 'YJ-2' },
				{ vendor: '恒安五金', price: 48000, model: a.model }
			]
		});
	});

	it('the later of two offline selections counts; the earlier stays visible as replaced', () => {
		const a = tender({ price: 100 });
		const b = tender({ price: 200 });
		const first = selection(a.id, { at: 10 });
		const second = selection(b.id, { at: 20, by: facilitator2, reason: '供货快' });
		const r = tenderResult([a, b], [second, first]);
		expect(r.selected?.selection.id).toBe(second.id);
		expect(r.replaced.map((x) => x.selection.id)).toEqual([first.id]);
	});

	it('ignores bids and choices without the right, a vendor or a reason', () => {
		const a = tender();
		const r = tenderResult([a, tender({ by: resident }), tender({ vendor: ' ' })], [selection(a.id, { reason: '' }), selection('missing')]);
		expect(r.tenders).toHaveLength(1);
		expect(r.selected).toBeNull();
		expect(tenderNoticeFacts('x', r)).toBeNull();
		expect(r.notCounted).toHaveLength(4);
	});

	it('validates a bid', () => {
		expect(validateTender({ vendor: '', price: null, model: '' })).toEqual(['vendor', 'price']);
		expect(validateTender({ vendor: '甲', price: 0, model: '' })).toEqual([]);
	});
});
