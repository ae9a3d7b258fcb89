import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { Actor } from '../domain/actor';
import { RULES, type TallySummary } from '../domain/poll';
import { anchorPassage, CONVENTION_CONTENT, readConvention } from '../schema/convention-doc';
import { readPoll } from '../schema/poll-doc';
import { consolidate, decide, InvalidConventionError, openRatification, startConvention, suggest } from './conventions';
import { WriteRefusedError } from './doc-store';
import { closePoll } from './polls';
import { specDevices } from './spec-stores';

const zhou: Actor = { id: 'f1', name: '周敏', role: 'facilitator' };
const wang: Actor = { id: 'r1', name: '王阿姨', role: 'resident' };

/** A device with its own IndexedDB, checking every write against the relay's rules as the app does. */
const device = specDevices('conventions');
/** Copies a document from one device to another, as sync would. */
async function carry(from: ReturnType<typeof device>, to: ReturnType<typeof device>, name: string) {
	const update = await from.store.withDoc(name, (h) => Y.encodeStateAsUpdate(h.doc));
	await to.store.withDoc(name, (h) => Y.applyUpdate(h.doc, update, 'remote'));
}

const carried: TallySummary['outcome'] = { kind: 'carried', option: 'yes' };

describe('a convention from draft to force', () => {
	it('takes a resident’s suggestion, a consolidation and a ratification poll whose closing puts it in force', async () => {
		const staff = device(zhou);
		const resident = device(wang, { household: 'b03-2-301' });
		const name = await startConvention(staff, { title: '活动室使用公约', scope: { kind: 'room', room: 'activity-room' }, firstLine: '开放时间：早八点到晚上九点。' });
		await carry(staff, resident, name);

		const anchor = await resident.store.withDoc(name, (h) => anchorPassage(h.doc, 0, 9, 12)!);
		expect(anchor.quote).toBe('晚上九');
		const id = await suggest(resident, name, { kind: 'change', anchor, replacement: '晚上八点半', comment: '老人睡得早' });
		// A resident cannot answer it, edit the text or consolidate.
		await expect(decide(resident, name, id, 'accepted')).rejects.toBeInstanceOf(InvalidConventionError);
		await expect(
			resident.store.edit(name, (d) => ((d.getXmlFragment(CONVENTION_CONTENT).get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(0, '改'))
		).rejects.toBeInstanceOf(WriteRefusedError);
		await carry(resident, staff, name);

		await decide(staff, name, id, 'accepted', '采纳');
		await staff.store.edit(name, (d) => {
			const text = (d.getXmlFragment(CONVENTION_CONTENT).get(0) as Y.XmlElement).get(0) as Y.XmlText;
			text.delete(11, 2);
			text.insert(11, '八点半');
		});
		const v = await consolidate(staff, name, { note: '采纳王阿姨的意见', rules: { hours: [{ days: [1, 2, 3, 4, 5, 6, 7], open: '08:00', close: '20:30' }] } });
		expect(v).toBe(1);
		await expect(consolidate(staff, name, { note: '', rules: { hours: [{ days: [1, 2, 3, 4, 5, 6, 7], open: '08:00', close: '20:30' }] } })).rejects.toMatchObject({ code: 'unchanged' });

		const now = Date.now();
		const poll = await openRatification(staff, name, { version: 1, rule: RULES.civil_code, electorate: { scope: 'building', ids: ['b03'] }, opensAt: now, closesAt: now + 7 * 86_400_000 });
		expect(await staff.store.withDoc(poll, (h) => readPoll(h.doc).matters)).toEqual([name]);
		await expect(openRatification(staff, name, { version: 1, rule: RULES.civil_code, electorate: { scope: 'building', ids: ['b03'] }, opensAt: now, closesAt: now + 1 })).rejects.toMatchObject({
			code: 'already_open'
		});
		expect(await staff.store.withDoc(name, (h) => readConvention(h.doc)!.stage)).toBe('ratifying');

		await staff.store.withDoc(poll, (h) => closePoll(staff, h, '表决通过', { outcome: carried } as TallySummary));
		const state = await staff.store.withDoc(name, (h) => readConvention(h.doc)!);
		expect(state.stage).toBe('in_force');
		expect(state.inForce?.version.text).toBe('开放时间：早八点到晚上八点半。');
		expect(state.inForce?.version.accepted).toEqual([id]);
	});

	it('does not put a version in force when its poll fails', async () => {
		const staff = device(zhou);
		const name = await startConvention(staff, { title: '楼道公约', scope: { kind: 'building', building: 'b05' } });
		await consolidate(staff, name, { note: '' });
		const now = Date.now();
		const poll = await openRatification(staff, name, { version: 1, rule: RULES.simple_majority, electorate: { scope: 'building', ids: ['b05'] }, opensAt: now, closesAt: now + 1000 });
		await staff.store.withDoc(poll, (h) => closePoll(staff, h, '未通过', { outcome: { kind: 'no_quorum' } } as TallySummary));
		const state = await staff.store.withDoc(name, (h) => readConvention(h.doc)!);
		expect(state.inForce).toBeNull();
		expect(state.ratifications[0]?.result?.outcome).toBe('no_quorum');
		expect(state.stage).toBe('drafting');
	});

	it('refuses a resident starting a convention, and a suggestion with no passage', async () => {
		const resident = device(wang, { household: 'b03-2-301' });
		await expect(startConvention(resident, { title: 'x', scope: { kind: 'compound' } })).rejects.toMatchObject({ code: 'not_staff' });
		await expect(suggest(resident, 'demo:convention:c1', { kind: 'comment', anchor: { start: '', end: '', quote: '' }, replacement: '', comment: '好' })).rejects.toMatchObject({ code: 'passage' });
	});
});
