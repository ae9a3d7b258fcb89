/**
 * The app's one instance of local storage and sync, with its status as runes state for the UI.
 * Components read `app.sync`, `app.actor`, and call the actions here; they never touch Dexie or sockets.
 */
import { liveQuery } from 'dexie';
import * as Y from 'yjs';
import type { Actor, Channel, Role } from '../domain/actor';
import { newId } from '../domain/ids';
import type { Level, ProposalDraft, ProposalStatus, TimelineEvent } from '../domain/proposal';
import type { ApiError, DeviceInfo, JoinResponse } from '../protocol/api';
import { SYNC_PATH, TOKEN_PARAM } from '../protocol/messages';
import { PERSONAL_KINDS } from '../domain/access';
import { parseDocName } from '../schema/doc-names';
import { makeBackup, parseBackup, type Backup } from './backup';
import { proposalDocName } from '../schema/doc-names';
import { addCoSigner, addSupporter, appendEvent, createProposal, editProposal } from '../schema/proposal-doc';
import { addToTopic, createTopic } from '../schema/topic-doc';
import { topicDocName } from '../schema/doc-names';
import type { CategoryId } from '../domain/lists';
import { openDatabase, type CourtyardDB } from './db';
import { DocStore, type DocHandle } from './doc-store';
import { withPendingBallots } from './outbox-keys';
import { clearPhotos, startPhotos, withPendingPhotos } from './photos';
import { SyncEngine, type SyncStatus } from './sync-engine';

const ACTOR_KEY = 'device.actor';
const COMMUNITY_KEY = 'device.community';
const TOKEN_KEY = 'device.token';
const DEVICE_KEY = 'device.info';
const INDEX_VERSION_KEY = 'index.version';
/** Bump when IndexEntry derivation changes: the index is rebuilt from the documents on next start. */
const INDEX_VERSION = 3;

export class Courtyard {
	readonly db: CourtyardDB;
	readonly store: DocStore;
	readonly engine: SyncEngine;
	sync = $state<SyncStatus>({
		connection: 'offline',
		pending: 0,
		done: 0,
		total: 0,
		lastSynced: null,
		error: null,
		refusal: null
	});
	/** Who this device acts as. Until invitations exist, chosen in settings; defaults to a demo facilitator. */
	actor = $state<Actor>({ id: 'device', name: '本机用户', role: 'facilitator' });
	community = $state('demo');
	/** A storage failure (quota, disk) the user must see; nothing already saved is affected. */
	storageError = $state<unknown>(null);
	/** Progress of an index rebuild, while one runs. */
	rebuilding = $state<{ done: number; total: number } | null>(null);
	/** This device's credential record, once it joined by invitation. */
	device = $state<DeviceInfo | null>(null);
	/** False until the stored credential has been read at start, so pages can tell "not joined" from "not loaded yet". */
	ready = $state(false);
	private token: string | null = null;
	private started = false;

	constructor(opts: { dbName?: string; url?: () => string } = {}) {
		this.db = openDatabase(opts.dbName);
		this.store = new DocStore(this.db);
		this.store.onWriteError = (err) => {
			this.storageError = err;
		};
		this.engine = new SyncEngine({
			url: opts.url ?? (() => this.syncUrl()),
			store: this.store,
			onStatus: (s) => {
				this.sync = s;
			}
		});
	}

	private syncUrl(): string {
		const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
		const query = this.token ? `?${TOKEN_PARAM}=${encodeURIComponent(this.token)}` : '';
		return `${proto}//${location.host}${SYNC_PATH}${query}`;
	}

	async start(): Promise<void> {
		if (this.started) return;
		this.started = true;
		const [actor, community, token, indexVersion, device] = await this.db.settings.bulkGet([
			ACTOR_KEY,
			COMMUNITY_KEY,
			TOKEN_KEY,
			INDEX_VERSION_KEY,
			DEVICE_KEY
		]);
		if (device?.value) this.device = device.value as DeviceInfo;
		if (actor?.value) this.actor = actor.value as Actor;
		if (typeof community?.value === 'string') this.community = community.value;
		if (typeof token?.value === 'string') this.token = token.value;
		// Before `ready`, so pages can add and show photos; queued uploads resume now.
		startPhotos({ db: this.db, authHeaders: () => this.authHeaders(), docs: this.store });
		this.ready = true;
		if (indexVersion?.value !== INDEX_VERSION) await this.rebuildIndex();
		// Without a credential the relay would refuse us anyway; the app waits for an invitation instead.
		if (this.token) this.engine.start();
		if (typeof window !== 'undefined') {
			window.addEventListener('online', () => this.engine.reconnectNow());
			window.addEventListener('unhandledrejection', (ev) => {
				if (isStorageError(ev.reason)) this.storageError = ev.reason;
			});
		}
	}

	async rebuildIndex(): Promise<void> {
		this.rebuilding = { done: 0, total: 0 };
		try {
			await this.store.rebuildIndex((done, total) => {
				this.rebuilding = { done, total };
			});
			await this.db.settings.put({ key: INDEX_VERSION_KEY, value: INDEX_VERSION });
		} finally {
			this.rebuilding = null;
		}
	}

	async setActor(actor: Actor): Promise<void> {
		this.actor = actor;
		await this.db.settings.put({ key: ACTOR_KEY, value: $state.snapshot(actor) });
	}

	/** Opens a document for a page; subscribes it for live updates while open. Call `close` when leaving. */
	async open(name: string): Promise<DocHandle & { close(): void }> {
		const handle = await this.store.openDoc(name);
		this.engine.subscribe(name);
		return {
			...handle,
			close: () => {
				handle.release();
				if (!this.store.isOpen(name)) this.engine.unsubscribe(name);
			}
		};
	}

	/** Creates a proposal locally; resolves with its document name once it is on disk. */
	async createProposal(draft: ProposalDraft, status: 'draft' | 'submitted'): Promise<string> {
		const id = newId();
		const name = proposalDocName(this.community, id);
		const handle = await this.store.openDoc(name);
		try {
			createProposal(handle.doc, draft, { id, actor: this.actorSnapshot(), now: Date.now(), status });
			await handle.saved();
		} finally {
			handle.release();
		}
		return name;
	}

	async editProposal(handle: DocHandle, patch: Partial<ProposalDraft>, channel: Channel): Promise<string[]> {
		const changed = editProposal(handle.doc, patch, this.actorSnapshot(), channel, Date.now());
		await handle.saved();
		return changed;
	}

	async transition(
		handle: DocHandle,
		from: ProposalStatus,
		to: ProposalStatus,
		extra: { reason?: string; negativeItem?: number; listVersion?: number; target?: string; channel?: Channel; level?: Level } = {}
	): Promise<string> {
		const event: TimelineEvent = {
			id: newId(),
			type: 'transition',
			at: Date.now(),
			by: this.actorSnapshot(),
			channel: extra.channel ?? 'app',
			from,
			to,
			...(extra.reason ? { reason: extra.reason } : {}),
			...(extra.negativeItem ? { negativeItem: extra.negativeItem } : {}),
			...(extra.listVersion ? { listVersion: extra.listVersion } : {}),
			...(extra.level ? { level: extra.level } : {}),
			...(extra.target ? { target: extra.target } : {})
		};
		appendEvent(handle.doc, event);
		await handle.saved();
		// The id lets the page tell later whether this decision took effect or was superseded after a merge.
		return event.id;
	}

	/** Records a co-signing household (联名), in the app or by a grid worker at the door. */
	async coSign(handle: DocHandle, household: string, name: string, channel: Channel): Promise<void> {
		addCoSigner(handle.doc, { household, name, at: Date.now(), by: this.actorSnapshot(), channel });
		await handle.saved();
	}

	/** Support (附议) by this device's household, or its person when it has none. */
	async support(handle: DocHandle): Promise<void> {
		const id = this.device?.grant.household ?? this.actor.id;
		addSupporter(handle.doc, { id, at: Date.now(), by: this.actorSnapshot() });
		await handle.saved();
	}

	async comment(handle: DocHandle, text: string, channel: Channel = 'app'): Promise<void> {
		appendEvent(handle.doc, { id: newId(), type: 'comment', at: Date.now(), by: this.actorSnapshot(), channel, text });
		await handle.saved();
	}

	/** Creates a topic (议题) holding the given proposals, moving each accepted one to 'topic'. */
	async createTopic(title: string, category: CategoryId | '', proposals: { handle: DocHandle; status: ProposalStatus }[]): Promise<string> {
		const id = newId();
		const name = topicDocName(this.community, id);
		const topic = await this.store.openDoc(name);
		try {
			createTopic(topic.doc, { id, title, category, level: 'community' }, this.actorSnapshot(), Date.now());
			await topic.saved();
			for (const p of proposals) await this.joinTopic(topic, p.handle, p.status);
		} finally {
			topic.release();
		}
		return name;
	}

	/** Adds a proposal to a topic; an accepted proposal moves to 'topic' with the topic as target. */
	async joinTopic(topic: DocHandle, proposal: DocHandle, status: ProposalStatus): Promise<void> {
		addToTopic(topic.doc, proposal.name, this.actorSnapshot(), Date.now());
		await topic.saved();
		if (status === 'accepted') await this.transition(proposal, 'accepted', 'topic', { target: topic.name });
	}

	/** The device credential, for a stock y-websocket connection to one document (`?token=`). */
	get credential(): string | null {
		return this.token;
	}

	/** Bearer header for the relay's HTTP API. */
	authHeaders(): Record<string, string> {
		return this.token ? { authorization: `Bearer ${this.token}` } : {};
	}

	/**
	 * Redeems an invitation code for this device's credential and starts syncing as that role.
	 * Throws the relay's ApiError (expired, used up, rate limited …) for the page to explain.
	 */
	async join(code: string, deviceName: string): Promise<DeviceInfo> {
		const res = await fetch('/api/join', {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ code, deviceName })
		});
		const body = (await res.json().catch(() => null)) as JoinResponse | ApiError | null;
		if (!res.ok || !body || !('token' in body)) {
			throw body && 'error' in body ? body : { error: 'invalid', message: `HTTP ${res.status}` };
		}
		const { token, device } = body;
		const actor: Actor = { id: device.id, name: device.name, role: device.grant.role };
		await this.db.settings.bulkPut([
			{ key: TOKEN_KEY, value: token },
			{ key: DEVICE_KEY, value: device },
			{ key: ACTOR_KEY, value: actor },
			{ key: COMMUNITY_KEY, value: device.grant.community }
		]);
		this.token = token;
		this.device = device;
		this.actor = actor;
		this.community = device.grant.community;
		this.engine.stop();
		this.engine.start();
		return device;
	}

	/** Documents with changes the relay has not acknowledged, with their titles where known. */
	async pendingDocs(): Promise<{ doc: string; title: string }[]> {
		const dirty = (await this.db.syncState.where('dirty').equals(1).primaryKeys()) as string[];
		const entries = await this.db.index.bulkGet(dirty);
		return dirty.map((doc, i) => ({ doc, title: entries[i]?.title ?? doc }));
	}

	/** A backup of every document with unsynced changes, as a JSON file the user can keep or import elsewhere. */
	async exportPending(): Promise<Blob> {
		const docs = await this.pendingDocs();
		const states = await Promise.all(docs.map(async (d) => ({ doc: d.doc, update: await this.store.readState(d.doc) })));
		const backup: Backup = makeBackup(this.actor.id, states, Date.now());
		return new Blob([JSON.stringify(backup)], { type: 'application/json' });
	}

	/** Merges a backup file into local storage; it syncs like any local change. Throws BackupError when damaged. */
	async importBackup(text: string): Promise<number> {
		const docs = parseBackup(text);
		for (const { doc, update } of docs) {
			const handle = await this.store.openDoc(doc);
			try {
				Y.applyUpdate(handle.doc, update);
				await handle.saved();
			} finally {
				handle.release();
			}
		}
		return docs.length;
	}

	/**
	 * Signs this device out: deletes every community document (personal data first) and the credential.
	 * Refuses while changes are unsynced unless `discardUnsynced` is set; the caller offers an export first.
	 */
	async signOut(opts: { discardUnsynced?: boolean } = {}): Promise<{ ok: true } | { ok: false; pending: { doc: string; title: string }[] }> {
		const pending = await withPendingBallots(this.db, await withPendingPhotos(this.db, await this.pendingDocs()));
		if (pending.length > 0 && !opts.discardUnsynced) return { ok: false, pending };
		this.engine.stop();
		await clearPhotos(this.db);
		const names = (await this.db.syncState.toCollection().primaryKeys()) as string[];
		const personal = (n: string) => PERSONAL_KINDS.has(parseDocName(n)?.kind ?? '');
		for (const name of [...names.filter(personal), ...names.filter((n) => !personal(n))]) await this.store.remove(name);
		await this.db.transaction('rw', this.db.index, this.db.settings, this.db.syncState, async () => {
			await this.db.index.clear();
			await this.db.syncState.clear();
			await this.db.settings.clear();
		});
		this.token = null;
		this.device = null;
		this.actor = { id: 'device', name: '', role: 'resident' };
		// Nothing of the previous credential's sync history may show (or be re-emitted on the next join).
		Object.assign(this.engine.status, { lastSynced: null, error: null, refusal: null });
		this.sync = { ...this.engine.status, connection: 'offline', pending: 0, done: 0, total: 0 };
		return { ok: true };
	}

	/** Dexie live query as a Svelte-compatible store (`$store` in components). */
	live<T>(query: () => T | Promise<T>) {
		return liveQuery(query);
	}

	actorSnapshot(): Actor {
		return $state.snapshot(this.actor) as Actor;
	}

	get role(): Role {
		return this.actor.role;
	}
}

export function isStorageError(err: unknown): boolean {
	const name = (err as { name?: string } | null)?.name ?? '';
	return name === 'QuotaExceededError' || name === 'UnknownError' || name === 'InvalidStateError' || name.startsWith('Dexie');
}

let instance: Courtyard | null = null;

/** The app's shared instance (browser only). */
export function courtyard(): Courtyard {
	instance ??= new Courtyard();
	return instance;
}
