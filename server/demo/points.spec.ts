import { describe, expect, it } from 'vitest';
import { audit, openFlags, passbook } from '../../src/lib/domain/points';
import { findPeople, talentCounts } from '../../src/lib/domain/talents';
import { parseDocName } from '../../src/lib/schema/doc-names';
import { readBoardChoice, readHandovers, readPassbookRecords } from '../../src/lib/schema/passbook-doc';
import { readPointsConfig } from '../../src/lib/schema/points-doc';
import { readTalents } from '../../src/lib/schema/talents-doc';
import { buildDemoPoints } from './points';
import { buildDemo } from './seed';

const NOW = Date.UTC(2026, 10, 20, 4);

describe('demo points and talents', () => {
	const demo = buildDemo(NOW);
	const docs = buildDemoPoints(demo, NOW);
	const config = readPointsConfig(docs.find((d) => d.name === 'demo:points:main')!.doc);
	const passbooks = docs.filter((d) => parseDocName(d.name)?.kind === 'passbook');
	const books = passbooks.map((d) => passbook(readPassbookRecords(d.doc, parseDocName(d.name)!.id), config.settings, NOW));
	const resident = demo.households.get(demo.community.grids[0]!.id)![0]!;

	it('keeps books that balance, with one overdraft to resolve and one award to approve', () => {
		const books_ = audit(books, config.items, config.restocks, []);
		expect([...books_.accounts.values()].reduce((a, b) => a + b, 0)).toBe(0);
		const open = openFlags(books_.flags);
		expect(open.map((f) => f.kind)).toEqual(['overdraft']);
		expect(open[0]!.transfers).toHaveLength(2);
		expect(books_.pending).toHaveLength(1);
		expect(books_.stock.every((s) => s.remaining >= 0)).toBe(true);
	});

	it("gives the demo resident's household a passbook to read: earnings, a redemption with its code, a board name", () => {
		const doc = passbooks.find((d) => d.name === `demo:passbook:${resident.id}`)!.doc;
		const book = books.find((b) => b.household === resident.id)!;
		expect(book.balance).toBeGreaterThan(0);
		expect(book.hours).toBeGreaterThan(0);
		const redeemed = book.lines.filter((l) => l.kind === 'redeem');
		expect(redeemed.length).toBeGreaterThan(0);
		expect(redeemed[0]!.transfer!.code).toMatch(/^[2-9A-HJ-NP-Z]{6}$/);
		expect(readHandovers(doc).size).toBeGreaterThan(0);
		expect(readBoardChoice(doc)?.show).toBe(true);
	});

	it('registers people by skill, only consenting ones with a phone', () => {
		const { skills, people } = readTalents(docs.find((d) => d.name === 'demo:talents:main')!.doc);
		expect(people.length).toBeGreaterThanOrEqual(10);
		expect(people.filter((p) => !p.consent).every((p) => p.phone === undefined)).toBe(true);
		expect(findPeople(people, { skill: 'plumbing' }).length).toBeGreaterThanOrEqual(2);
		expect(talentCounts(people, skills).buildingHeads).toBeGreaterThan(0);
	});
});
