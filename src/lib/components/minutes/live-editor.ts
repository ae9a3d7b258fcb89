/**
 * Opens a document from the app's store and mounts the live editor on it (minutes, conventions). The editor's
 * code (ProseMirror, y-prosemirror) loads here on first use, so it stays out of the app shell; the editor gets
 * the document's presence over the sync engine's socket (no socket of its own) and the user's name and colour.
 */
import type { Courtyard } from '$lib/client/courtyard.svelte';
import { accessTo } from '$lib/components/access/access';
import type { MinutesEditor, MinutesEditorOptions } from './editor';

type OpenHandle = Awaited<ReturnType<Courtyard['open']>>;

export interface LiveEditorOptions extends Pick<MinutesEditorOptions, 'element' | 'editable' | 'label' | 'testId' | 'onPeers' | 'onLink' | 'onChange'> {
	/** Called with the open document before the editor mounts; returns what to undo when it closes. */
	onOpen?: (handle: OpenHandle) => () => void;
	onReady: (editor: MinutesEditor, module: typeof import('./editor')) => void;
	onError: (error: unknown) => void;
}

/** Mounts the editor on `name`; the returned function destroys it and closes the document. */
export function openLiveEditor(app: Courtyard, name: string, opts: LiveEditorOptions): () => void {
	let disposed = false;
	let mounted: MinutesEditor | null = null;
	let release = () => {};
	void (async () => {
		const handle = await app.open(name);
		const mod = await import('./editor');
		if (disposed) return handle.close();
		const undo = opts.onOpen?.(handle) ?? (() => {});
		release = () => {
			undo();
			handle.close();
		};
		const actor = app.actorSnapshot();
		mounted = mod.mountMinutesEditor({
			element: opts.element,
			doc: handle.doc,
			docName: name,
			sync: app.engine,
			// Shown by whoever may write the document (a resident suggesting on a convention too), as the relay allows.
			sharePresence: accessTo(app.device?.grant, name) === 'write',
			user: { name: actor.name, color: mod.colorFor(actor.id) },
			editable: opts.editable,
			label: opts.label,
			...(opts.testId ? { testId: opts.testId } : {}),
			...(opts.onPeers ? { onPeers: opts.onPeers } : {}),
			...(opts.onLink ? { onLink: opts.onLink } : {}),
			...(opts.onChange ? { onChange: opts.onChange } : {})
		});
		opts.onReady(mounted, mod);
	})().catch((err) => {
		if (!disposed) opts.onError(err);
	});
	return () => {
		disposed = true;
		mounted?.destroy();
		release();
	};
}
