/**
 * The live minutes editor: ProseMirror bound to the minutes document's XmlFragment by y-prosemirror, with remote
 * cursors and names through y-protocols awareness. Imported dynamically by the minutes page only, so none of
 * ProseMirror reaches the app shell.
 *
 * The document is the SAME Y.Doc the app's store opened (persisted by y-indexeddb and synced in the background),
 * so typing offline is stored at once and merges on reconnect. Its live updates and its presence (cursors, names,
 * colours) both travel over the sync engine's one socket: the editor joins the document's presence channel on
 * the engine (client/awareness-channel.ts) and opens no socket of its own.
 */
import { baseKeymap, setBlockType, toggleMark } from 'prosemirror-commands';
import { keymap } from 'prosemirror-keymap';
import type { MarkType, NodeType } from 'prosemirror-model';
import { liftListItem, sinkListItem, splitListItem, wrapInList } from 'prosemirror-schema-list';
import { type Command, EditorState, TextSelection } from 'prosemirror-state';
import { EditorView } from 'prosemirror-view';
import {
	absolutePositionToRelativePosition,
	redo,
	relativePositionToAbsolutePosition,
	undo,
	yCursorPlugin,
	ySyncPlugin,
	ySyncPluginKey,
	yUndoPlugin
} from 'y-prosemirror';
import { fromBase64, toBase64 } from 'lib0/buffer';
import * as Yjs from 'yjs';
import type { Awareness } from 'y-protocols/awareness';
import { joinAwareness } from '$lib/client/awareness-channel';
import type { SyncEngine } from '$lib/client/sync-engine';
import { MINUTES_CONTENT } from '$lib/schema/minutes-doc';
import { minutesSchema } from './schema';

export interface Peer {
	clientId: number;
	name: string;
	color: string;
	/** Whether their cursor is in the text right now. */
	editing: boolean;
}

export type LinkStatus = 'connecting' | 'connected' | 'disconnected';

export interface MinutesEditorOptions {
	element: HTMLElement;
	doc: Yjs.Doc;
	/** The document's name, for its presence on the relay. */
	docName: string;
	/** The app's sync engine: the document's presence (cursors, names) rides its socket. */
	sync: Pick<SyncEngine, 'attachPresence'>;
	/** Shows this device's cursor and name to the others: it may write the document (the relay drops it otherwise). */
	sharePresence: boolean;
	user: { name: string; color: string };
	editable: boolean;
	/** The label of the text area for screen readers. */
	label: string;
	onPeers?: (peers: Peer[]) => void;
	onLink?: (status: LinkStatus) => void;
	/** After every change of the text or selection (toolbar state). */
	onChange?: () => void;
	/** The root fragment bound to the editor; minutes and conventions both keep their text under 'content'. */
	content?: string;
	/** The text area's test id (default 'minutes-text'). */
	testId?: string;
}

export type ToolbarCommand = 'strong' | 'em' | 'heading' | 'paragraph' | 'bullet_list' | 'ordered_list' | 'undo' | 'redo';

export interface MinutesEditor {
	readonly view: EditorView;
	readonly awareness: Awareness;
	run(command: ToolbarCommand): boolean;
	/** Whether a mark or block type applies at the selection. */
	isActive(command: ToolbarCommand): boolean;
	focus(): void;
	destroy(): void;
}

/** Six-digit colours only: y-prosemirror appends an alpha channel for the selection. */
const COLORS = ['#b5432f', '#1f5fa8', '#2f7d4a', '#8a4fb5', '#b57a1f', '#1f8a8a', '#a8326b', '#4a5cb5'];

/** A stable colour per person, so a facilitator keeps theirs across sessions. */
export function colorFor(id: string): string {
	let h = 0;
	for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
	return COLORS[h % COLORS.length]!;
}

function cursorBuilder(user: { name?: string; color?: string }): HTMLElement {
	const cursor = document.createElement('span');
	cursor.className = 'ProseMirror-yjs-cursor';
	cursor.dataset.testid = 'remote-cursor';
	cursor.dataset.name = user.name ?? '';
	cursor.style.borderColor = user.color ?? '#b57a1f';
	const label = document.createElement('span');
	label.className = 'ProseMirror-yjs-cursor-name';
	label.style.backgroundColor = user.color ?? '#b57a1f';
	label.textContent = user.name ?? '';
	// Word joiners keep the caret from breaking a line on its own.
	cursor.append('\u2060', label, '\u2060');
	return cursor;
}

const markActive = (state: EditorState, type: MarkType) => {
	const { from, $from, to, empty } = state.selection;
	return empty ? !!type.isInSet(state.storedMarks ?? $from.marks()) : state.doc.rangeHasMark(from, to, type);
};

const blockActive = (state: EditorState, type: NodeType, attrs?: Record<string, unknown>) => {
	const { $from } = state.selection;
	for (let d = $from.depth; d > 0; d--) {
		const node = $from.node(d);
		if (node.type === type && (!attrs || Object.entries(attrs).every(([k, v]) => node.attrs[k] === v))) return true;
	}
	return false;
};

export function mountMinutesEditor(opts: MinutesEditorOptions): MinutesEditor {
	const s = minutesSchema;
	const fragment = opts.doc.getXmlFragment(opts.content ?? MINUTES_CONTENT);
	const presence = joinAwareness(opts.sync, opts.docName, opts.doc, { share: opts.sharePresence });
	const awareness: Awareness = presence.awareness;
	if (opts.sharePresence) awareness.setLocalStateField('user', opts.user);

	const commands: Record<ToolbarCommand, Command> = {
		strong: toggleMark(s.marks.strong!),
		em: toggleMark(s.marks.em!),
		// A heading toggles back to body text, so one button does both.
		heading: (state, dispatch, view) =>
			blockActive(state, s.nodes.heading!, { level: 2 })
				? setBlockType(s.nodes.paragraph!)(state, dispatch, view)
				: setBlockType(s.nodes.heading!, { level: 2 })(state, dispatch, view),
		paragraph: setBlockType(s.nodes.paragraph!),
		bullet_list: wrapInList(s.nodes.bullet_list!),
		ordered_list: wrapInList(s.nodes.ordered_list!),
		undo,
		redo
	};

	const view: EditorView = new EditorView(opts.element, {
		state: EditorState.create({
			schema: s,
			plugins: [
				ySyncPlugin(fragment),
				yCursorPlugin(awareness, { cursorBuilder }),
				yUndoPlugin(),
				keymap({
					'Mod-z': undo,
					'Mod-y': redo,
					'Mod-Shift-z': redo,
					'Mod-b': commands.strong,
					'Mod-i': commands.em,
					Enter: splitListItem(s.nodes.list_item!),
					Tab: sinkListItem(s.nodes.list_item!),
					'Shift-Tab': liftListItem(s.nodes.list_item!)
				}),
				keymap(baseKeymap)
			]
		}),
		editable: () => opts.editable,
		attributes: {
			role: 'textbox',
			'aria-multiline': 'true',
			'aria-label': opts.label,
			'data-testid': opts.testId ?? 'minutes-text',
			spellcheck: 'false'
		},
		// `this`, not `view`: plugins may dispatch while the view is still being constructed.
		dispatchTransaction(this: EditorView, tr) {
			this.updateState(this.state.apply(tr));
			opts.onChange?.();
		}
	});

	const peers = () => {
		const list: Peer[] = [];
		for (const [clientId, state] of awareness.getStates()) {
			if (clientId === awareness.clientID) continue;
			const user = state.user as { name?: string; color?: string } | undefined;
			if (!user?.name) continue;
			list.push({ clientId, name: user.name, color: user.color ?? '#b57a1f', editing: state.cursor != null });
		}
		opts.onPeers?.(list.sort((a, b) => a.name.localeCompare(b.name, 'zh')));
	};
	awareness.on('change', peers);
	const stopLink = presence.onLink((status) => opts.onLink?.(status));
	opts.onLink?.(presence.link);

	return {
		view,
		awareness,
		run(command) {
			const done = commands[command](view.state, view.dispatch, view);
			view.focus();
			return done;
		},
		isActive(command) {
			const st = view.state;
			switch (command) {
				case 'strong':
				case 'em':
					return markActive(st, s.marks[command]!);
				case 'heading':
					return blockActive(st, s.nodes.heading!, { level: 2 });
				case 'bullet_list':
				case 'ordered_list':
					return blockActive(st, s.nodes[command]!);
				default:
					return false;
			}
		},
		focus: () => view.focus(),
		destroy() {
			awareness.off('change', peers);
			stopLink();
			// Tell the others at once rather than after the awareness timeout (before the cursor plugin clears its field).
			if (awareness.getLocalState() !== null) awareness.setLocalState(null);
			view.destroy();
			presence.leave();
		}
	};
}

// ---- anchors: a passage of the text as Yjs relative positions (conventions' suggestions) ----

/** What y-prosemirror keeps of the binding: the fragment and its node mapping. */
function binding(view: EditorView): { type: Yjs.XmlFragment; mapping: Map<unknown, unknown>; doc: Yjs.Doc } | null {
	const state = ySyncPluginKey.getState(view.state) as { binding?: { type: Yjs.XmlFragment; mapping: Map<unknown, unknown>; doc: Yjs.Doc } } | undefined;
	return state?.binding ?? null;
}

/**
 * The selected passage as an anchor that follows the text through later edits: relative positions on its first
 * character and on the first one after it (or its paragraph's end), and the passage as it reads now. Null for an
 * empty selection or one across paragraphs. The same form as schema/convention-doc.ts anchorPassage, which
 * resolves both.
 */
export function anchorOfSelection(editor: MinutesEditor): { start: string; end: string; quote: string } | null {
	const { view } = editor;
	const { from, to, $from, $to } = view.state.selection;
	const b = binding(view);
	if (!b || from === to || !$from.sameParent($to) || !$from.parent.isTextblock) return null;
	const start = absolutePositionToRelativePosition(from, b.type, b.mapping as never);
	const end = absolutePositionToRelativePosition(to, b.type, b.mapping as never);
	const a = Yjs.createAbsolutePositionFromRelativePosition(start, b.doc);
	const z = Yjs.createAbsolutePositionFromRelativePosition(end, b.doc);
	if (!a || !z || a.type !== z.type || !(a.type instanceof Yjs.XmlText)) return null;
	return {
		start: toBase64(Yjs.encodeRelativePosition(start)),
		end: toBase64(Yjs.encodeRelativePosition(end)),
		quote: view.state.doc.textBetween(from, to)
	};
}

/** Selects (and scrolls to) the passage an anchor points at now; false when it was deleted. */
export function selectAnchor(editor: MinutesEditor, anchor: { start: string; end: string }): boolean {
	const { view } = editor;
	const b = binding(view);
	if (!b) return false;
	try {
		const from = relativePositionToAbsolutePosition(b.doc, b.type, Yjs.decodeRelativePosition(fromBase64(anchor.start)), b.mapping as never);
		const to = relativePositionToAbsolutePosition(b.doc, b.type, Yjs.decodeRelativePosition(fromBase64(anchor.end)), b.mapping as never);
		if (from === null || to === null || to <= from) return false;
		view.dispatch(view.state.tr.setSelection(TextSelection.create(view.state.doc, from, to)).scrollIntoView());
		return true;
	} catch {
		return false;
	}
}
