import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addChecklistItem, addSignoff, addTask, addUpdate, createProject, setCheck, setMinRepresentatives, setRepresentative } from '../schema/project-doc';
import { createProposal, readProposal } from '../schema/proposal-doc';
import { specStores } from './spec-stores';

const actor = { id: 'u1', name: '测试', role: 'resident' as const };
let n = 0;
const openStore = specStores();
function newStore() {
	const id = `t${++n}`;
	return openStore(`db-${id}`, `${id}/`);
}

function proposalUpdate(title: string) {
	const doc = new Y.Doc();
	createProposal(doc, { title, description: 'd', category: 'culture', kind: 'individual', channel: 'app' }, { id: 'p', actor, now: 5, status: 'submitted' });
	return Y.encodeStateAsUpdate(doc);
}

describe('DocStore: changes checked against the relay rules', () => {
	it('writes a checked change once, even when the document changed on this device while it was being judged', async () => {
		const store = newStore();
		const h = await store.openDoc('demo:minutes:m1');
		let checks = 0;
		let typed = false;
		store.writeCheck = async () => {
			checks++;
			// While the first check runs, the person types into the same document (the live editor writes directly).
			if (!typed) {
				typed = true;
				h.doc.getText('notes').insert(0, '开场');
			}
			await new Promise((r) => setTimeout(r, 5));
			return { ok: true };
		};
		await h.change((doc) => doc.getMap('attendance').set('a1', { id: 'a1', name: '王阿姨' }));
		expect(checks).toBe(2);
		expect(h.doc.getText('notes').toString()).toBe('开场');
		expect(h.doc.getMap('attendance').get('a1')).toEqual({ id: 'a1', name: '王阿姨' });
		// Another device receives exactly what this one holds.
		const other = new Y.Doc();
		Y.applyUpdate(other, Y.encodeStateAsUpdate(h.doc));
		expect(other.getText('notes').toString()).toBe('开场');
		expect(other.getMap('attendance').get('a1')).toEqual({ id: 'a1', name: '王阿姨' });
		expect(other.store.pendingStructs).toBeNull();
		h.release();
	});

	it('keeps its Yjs client id, so two checked changes made at once both land, each once', async () => {
		const store = newStore();
		const h = await store.openDoc('demo:project:x');
		const id = h.doc.clientID;
		store.writeCheck = async () => {
			await new Promise((r) => setTimeout(r, 5));
			return { ok: true };
		};
		await h.change((doc) => doc.getMap('tasks').set('t0', { id: 't0' }));
		await Promise.all([
			h.change((doc) => doc.getMap('tasks').set('a', { id: 'a' })),
			h.change((doc) => {
				for (const k of ['b', 'c', 'd']) doc.getMap('tasks').set(k, { id: k });
			})
		]);
		expect([...h.doc.getMap('tasks').keys()].sort()).toEqual(['a', 'b', 'c', 'd', 't0']);
		expect(h.doc.clientID).toBe(id);
		// One client id in the document's history: this device's.
		expect([...Y.decodeStateVector(Y.encodeStateVector(h.doc)).keys()]).toEqual([id]);
		h.release();
	});

	it('writes nothing when the check refuses', async () => {
		const store = newStore();
		const h = await store.openDoc('demo:proposal:p');
		store.writeCheck = () => ({ ok: false, reason: 'nope', retry: false });
		await expect(h.change((doc) => doc.getMap('meta').set('title', 'x'))).rejects.toThrow(/refused: nope/);
		expect(h.doc.getMap('meta').size).toBe(0);
		h.release();
	});
});

describe('DocStore', () => {
	it('persists a local change, marks it pending and indexes it before saved() resolves', async () => {
		const store = newStore();
		const seen: number[] = [];
		store.onLocalChange((_n, _u, seq) => seen.push(seq));
		const h = await store.openDoc('demo:proposal:p');
		createProposal(h.doc, { title: '凉亭', description: 'd', category: 'facilities', kind: 'individual', channel: 'app' }, { id: 'p', actor, now: 1, status: 'submitted' });
		await h.saved();
		const state = await store.db.syncState.get('demo:proposal:p');
		expect(state).toMatchObject({ dirty: 1, localSeq: 1, synced: false });
		expect(await store.db.index.get('demo:proposal:p')).toMatchObject({ title: '凉亭', status: 'submitted' });
		expect(seen).toEqual([1]);
		h.release();

		// A second instance of the app (a reload) reads it back from IndexedDB.
		const reopened = openStore(store.db.name, store.prefix);
		const h2 = await reopened.openDoc('demo:proposal:p');
		expect(readProposal(h2.doc).title).toBe('凉亭');
		h2.release();
	});

	it('stores remote updates of closed documents without counting them as local changes', async () => {
		const store = newStore();
		await store.applyRemote('demo:proposal:r', proposalUpdate('充电桩'));
		expect(await store.db.syncState.get('demo:proposal:r')).toMatchObject({ dirty: 0, localSeq: 0 });
		expect(await store.db.index.get('demo:proposal:r')).toMatchObject({ title: '充电桩' });
		const h = await store.openDoc('demo:proposal:r');
		expect(readProposal(h.doc).title).toBe('充电桩');
		h.release();
	});

	it('clears pending only when the acknowledged change is the latest', async () => {
		const store = newStore();
		const h = await store.openDoc('demo:proposal:a');
		h.doc.getMap('meta').set('title', 'one');
		await h.saved();
		h.doc.getMap('meta').set('title', 'two');
		await h.saved();
		await store.acknowledge('demo:proposal:a', 1);
		expect((await store.db.syncState.get('demo:proposal:a'))?.dirty).toBe(1);
		await store.acknowledge('demo:proposal:a', 2);
		expect((await store.db.syncState.get('demo:proposal:a'))?.dirty).toBe(0);
		h.release();
	});

	it('indexes a project with the sign-offs of its participation document, whichever of the two changes or arrives', async () => {
		const store = newStore();
		const facilitator = { id: 'f1', name: '周敏', role: 'facilitator' as const };
		const project = new Y.Doc();
		createProject(project, { id: 'x', title: '楼道座椅' }, facilitator, 100);
		setMinRepresentatives(project, 1);
		addTask(project, { id: 't1', title: '安装', responsible: '物业', due: '2024-05-25', at: 200, by: facilitator });
		addUpdate(project, { id: 'u1', task: 't1', text: '装好了', photos: [], mark: 'done', at: 300, by: facilitator });
		addChecklistItem(project, { id: 'i1', text: '牢固', at: 400, by: facilitator });
		setCheck(project, { item: 'i1', result: 'pass', at: 410, by: facilitator });
		setRepresentative(project, { household: 'b03-1-401', label: '3栋 1单元 401', at: 420, by: facilitator });
		await store.applyRemote('demo:project:x', Y.encodeStateAsUpdate(project));
		expect(await store.db.index.get('demo:project:x')).toMatchObject({ stage: 'awaiting_acceptance' });

		// A resident's sign-off, written on this device into the participation document, moves the project on.
		const h = await store.openDoc('demo:participation:x');
		addSignoff(h.doc, { id: 'b03-1-401', name: '刘阿姨', household: 'b03-1-401', agree: true, at: 500, by: actor });
		await h.saved();
		h.release();
		expect(await store.db.index.get('demo:project:x')).toMatchObject({ stage: 'accepted' });
		expect(await store.db.index.get('demo:participation:x')).toBeUndefined();

		// A later project change keeps counting it; so does a rebuild.
		setCheck(project, { item: 'i1', result: 'pass', at: 420, by: facilitator });
		await store.applyRemote('demo:project:x', Y.encodeStateAsUpdate(project));
		expect(await store.db.index.get('demo:project:x')).toMatchObject({ stage: 'accepted' });
		await store.rebuildIndex();
		expect(await store.db.index.get('demo:project:x')).toMatchObject({ stage: 'accepted' });
	});

	it('rebuilds the index from the documents', async () => {
		const store = newStore();
		await store.applyRemote('demo:proposal:x', proposalUpdate('活动室'));
		await store.applyRemote('demo:proposal:y', proposalUpdate('宠物噪音'));
		await store.db.index.clear();
		const progress: number[] = [];
		expect(await store.rebuildIndex((d) => progress.push(d))).toBe(2);
		expect(progress).toEqual([1, 2]);
		expect((await store.db.index.toArray()).map((e) => e.title).sort()).toEqual(['宠物噪音', '活动室']);
	});

	it('removes a document and its derived rows', async () => {
		const store = newStore();
		await store.applyRemote('demo:proposal:z', proposalUpdate('删除我'));
		await store.remove('demo:proposal:z');
		expect(await store.db.index.get('demo:proposal:z')).toBeUndefined();
		expect(await store.readState('demo:proposal:z')).toEqual(Y.encodeStateAsUpdate(new Y.Doc()));
	});
});
