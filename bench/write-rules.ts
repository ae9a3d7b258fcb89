/**
 * writeRulesBench: what the relay's write rules cost per update (src/lib/schema/write-rules.ts).
 *   (i)  a keystroke in live minutes that hold 2,000 and 20,000 single-character edits from 7 devices, judged on
 *        the hub's mirror of the loaded room (the update is applied to it: cost follows the update) beside the
 *        baseline, judging on a fresh copy of the document (cost follows the document);
 *   (ii) a comment on a proposal with 200 timeline events, both ways.
 * Each figure is the median per-update time over ~0.5 s of runs after a warm-up. Run alone: npx tsx bench/write-rules.ts
 */
import * as Y from 'yjs';
import type { Actor } from '../src/lib/domain/actor';
import { appendEvent, createProposal } from '../src/lib/schema/proposal-doc';
import { gridLookup, judgeWrite, type Writer } from '../src/lib/schema/write-rules';
import { type BenchResult, result, runAlone } from './relay-kit';

const facilitator: Writer = { device: 'dev-fac', role: 'facilitator', household: null, grids: [] };
const actor: Actor = { id: 'dev-fac', name: '周敏', role: 'facilitator' };
const lookup = gridLookup(new Map());

/** Median milliseconds of `fn` over about `budgetMs` of runs. */
function median(fn: () => void, budgetMs = 500): number {
	for (let i = 0; i < 3; i++) fn();
	const times: number[] = [];
	const end = performance.now() + budgetMs;
	while (performance.now() < end || times.length < 5) {
		const t = performance.now();
		fn();
		times.push(performance.now() - t);
	}
	times.sort((a, b) => a - b);
	return times[Math.floor(times.length / 2)] as number;
}

/** Minutes whose text took `edits` single-character inserts (and some deletes) from 7 devices, in a seeded order. */
function minutes(edits: number): Y.Doc {
	const doc = new Y.Doc();
	const paragraph = new Y.XmlElement('paragraph');
	const text = new Y.XmlText();
	paragraph.insert(0, [text]);
	doc.getXmlFragment('content').insert(0, [paragraph]);
	let seed = 1;
	const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
	for (let i = 0; i < edits; i++) {
		doc.clientID = 1 + (i % 7);
		text.insert(Math.floor(rnd() * text.length), '议');
		if (i % 5 === 0 && text.length > 10) text.delete(Math.floor(rnd() * (text.length - 2)), 1);
	}
	return doc;
}

/** The update one more change makes, from a device in sync. */
function nextUpdate(doc: Y.Doc, change: (d: Y.Doc) => void): Uint8Array {
	const device = new Y.Doc();
	Y.applyUpdate(device, Y.encodeStateAsUpdate(doc));
	const sv = Y.encodeStateVector(device);
	change(device);
	return Y.encodeStateAsUpdate(device, sv);
}

function compare(name: string, docName: string, doc: Y.Doc, update: Uint8Array) {
	const state = Y.encodeStateAsUpdate(doc);
	const fresh = () => {
		const m = new Y.Doc();
		Y.applyUpdate(m, state);
		return m;
	};
	const check = fresh();
	const verdict = judgeWrite(docName, facilitator, lookup, check, update);
	if (!verdict.ok) throw new Error(`${name}: ${verdict.reason}`);
	check.destroy();
	// The mirror holds the document already (built outside the timing); judging applies the update to it.
	const times: number[] = [];
	for (let i = 0; i < 41; i++) {
		const mirror = fresh();
		const t = performance.now();
		judgeWrite(docName, facilitator, lookup, mirror, update);
		times.push(performance.now() - t);
		mirror.destroy();
	}
	times.sort((a, b) => a - b);
	const mirrorMs = times[20] as number;
	const copyMs = median(() => {
		const copy = new Y.Doc();
		Y.applyUpdate(copy, state);
		judgeWrite(docName, facilitator, lookup, copy, update);
		copy.destroy();
	});
	return { document: name, 'state KB': +(state.length / 1024).toFixed(1), 'on the mirror ms': mirrorMs, 'on a copy ms': copyMs, 'copy / mirror': +(copyMs / mirrorMs).toFixed(1) };
}

export async function writeRulesBench(): Promise<BenchResult> {
	const rows = [];
	for (const edits of [2_000, 20_000]) {
		const doc = minutes(edits);
		const update = nextUpdate(doc, (d) => {
			const text = (d.getXmlFragment('content').get(0) as Y.XmlElement).get(0) as Y.XmlText;
			text.insert(3, '事');
		});
		rows.push(compare(`minutes, ${edits.toLocaleString('en')} edits`, 'bench:minutes:m1', doc, update));
	}
	const proposal = new Y.Doc();
	createProposal(proposal, { title: '楼道座椅', description: '三楼以上的老人上楼需要歇脚。', category: 'facilities', kind: 'joint', channel: 'app' }, { id: 'p1', actor, now: 1, status: 'submitted' });
	for (let i = 0; i < 200; i++) appendEvent(proposal, { id: `c${i}`, type: 'comment', at: 2 + i, by: actor, channel: 'app', text: `意见 ${i}` });
	const comment = nextUpdate(proposal, (d) => appendEvent(d, { id: 'new', type: 'comment', at: 999, by: actor, channel: 'app', text: '同意' }));
	rows.push(compare('proposal, 200 timeline events', 'bench:proposal:p1', proposal, comment));
	return result('write rules: judging one update', rows, [
		'"on the mirror": the update applied to the hub\'s mirror of a loaded room (what the relay does while a document is open);',
		'"on a copy": the baseline, a copy of the whole document per update (what it does for an unloaded document).'
	]);
}

runAlone(import.meta.url, writeRulesBench);
