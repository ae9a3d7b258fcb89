/**
 * The community's meetings, topics and polls from the Dexie index (no document opened), kept live. Meeting
 * entries carry the list fields (MeetingIndexFields). Call during component initialisation, like liveDoc.
 */
import type { MeetingIndexEntry } from '$lib/schema/meeting-doc';
import { liveIndex } from '../intake/live-index.svelte';

export const liveMeetings = () => liveIndex<MeetingIndexEntry>('meeting');
/** Topics, for building an agenda from the deliberation list. */
export const liveTopics = () => liveIndex('topic');
/** Household polls, for a meeting vote that feeds one. */
export const livePolls = () => liveIndex('poll');
