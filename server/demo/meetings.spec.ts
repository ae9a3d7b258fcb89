import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { foldTimeline } from '../../src/lib/domain/proposal';
import { richPlainText } from '../../src/lib/domain/meeting';
import { parseDocName } from '../../src/lib/schema/doc-names';
import { indexEntry } from '../../src/lib/schema/index-entry';
import { readMeeting } from '../../src/lib/schema/meeting-doc';
import { readMinutes } from '../../src/lib/schema/minutes-doc';
import { buildDemoMeetings } from './meetings';

const NOW = Date.UTC(2025, 4, 21, 2, 0);

describe('demo meetings', () => {
	const demo = buildDemoMeetings(NOW);
	const meetings = demo.docs.filter((d) => parseDocName(d.name)?.kind === 'meeting').map((d) => ({ name: d.name, m: readMeeting(d.doc) }));

	it('are well-formed documents of the demo community that the index lists', () => {
		for (const { name, doc } of demo.docs) {
			expect(parseDocName(name)?.community).toBe('demo');
			// Survives the wire: the seed stores each as one update.
			const copy = new Y.Doc();
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
			expect(indexEntry(name, copy)).not.toBeNull();
		}
		expect(meetings.map(({ m }) => m.kind).sort()).toEqual(['bench', 'deliberation', 'talk_day']);
	});

	it('hold an approved bench meeting with counts by capacity, a vote, a decision and actions', () => {
		const bench = meetings.find(({ m }) => m.kind === 'bench')!.m;
		expect(bench.status).toBe('approved');
		expect(bench.startsAt).toBeLessThan(NOW);
		const v = bench.versions[0]!;
		expect(v.attendance.total).toBe(9);
		expect(v.attendance.byCapacity).toMatchObject({ building_head: 2, resident_rep: 3, property_company: 1 });
		expect(v.votes[0]).toMatchObject({ carried: 'yes', total: 9 });
		expect(v.actions).toHaveLength(2);
		expect(richPlainText(v.content)).toContain('折叠座椅');
		expect(JSON.stringify(v)).not.toContain('单独沟通');
		const minutes = readMinutes(demo.docs.find((d) => d.name === 'demo:minutes:bench-stair-seats')!.doc);
		expect(minutes.notes).toContain('单独沟通');
	});

	it('hold an upcoming deliberation meeting with its template and a weekly talk day', () => {
		const upcoming = meetings.find(({ m }) => m.kind === 'deliberation')!.m;
		expect(upcoming.startsAt).toBeGreaterThan(NOW);
		expect(upcoming.invitees.map((i) => i.capacity)).toContain('legal_adviser');
		const template = readMinutes(demo.docs.find((d) => d.name === 'demo:minutes:ev-charging-deliberation')!.doc);
		expect(richPlainText(template.content)).toContain('1. 12栋与15栋之间空地建充电点');
		expect(meetings.find(({ m }) => m.kind === 'talk_day')!.m.recurrence).toEqual({ weekday: 2, time: '09:00' });
	});

	it('give decision events that leave a proposal’s status alone', () => {
		expect(demo.timeline.map((t) => t.proposal)).toEqual(['demo:proposal:stair-seats']);
		const [{ event }] = demo.timeline as [(typeof demo.timeline)[0]];
		expect(event).toMatchObject({ type: 'decision', meeting: 'demo:meeting:bench-stair-seats', channel: 'meeting' });
		expect(foldTimeline([{ id: 'c', type: 'created', at: 0, by: event.by, channel: 'app', status: 'submitted' }, event]).status).toBe('submitted');
	});
});
