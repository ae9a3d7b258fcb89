/**
 * The minutes editor's ProseMirror schema: the basic nodes without images (photos go through the photo store,
 * not into the text) plus bullet and ordered lists. Node and mark names are what the published snapshot keeps
 * (domain/meeting.ts sanitizeRich), so everything typed here can be shown to residents.
 */
import { Schema } from 'prosemirror-model';
import { schema as basic } from 'prosemirror-schema-basic';
import { addListNodes } from 'prosemirror-schema-list';

export const minutesSchema = new Schema({
	nodes: addListNodes(basic.spec.nodes.remove('image'), 'paragraph block*', 'block'),
	marks: basic.spec.marks
});
