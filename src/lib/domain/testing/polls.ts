/**
 * Test factories for household polls: a draft as a facilitator writes it and ballots as devices record them.
 * Times are given, never read from a clock. Imported by specs and integration tests only.
 */
import type { Actor } from '../actor';
import { type Ballot, type PollDraft, type PollOption, RULES } from '../poll';
import { gridWorkerActor } from './actors';

const HOUR = 3_600_000;

/** 同意 / 不同意: fresh objects on every call, so a test may change them. */
export const yesNo = (): PollOption[] => [
	{ id: 'yes', label: '同意' },
	{ id: 'no', label: '不同意' }
];

/** 同意 / 不同意 / 弃权, with the abstention's id given (specs name it 'abs' or 'abstain'). */
export const yesNoAbstain = (abstainId = 'abstain'): PollOption[] => [...yesNo(), { id: abstainId, label: '弃权', abstain: true }];

/** A yes/no poll of the whole community by simple majority, open for a day from `now`. */
export const pollDraft = (over: Partial<PollDraft> = {}, now = 0): PollDraft => ({
	title: '测试表决',
	description: '',
	options: yesNo(),
	electorate: { scope: 'community', ids: [] },
	rule: RULES.simple_majority,
	opensAt: now - HOUR,
	closesAt: now + 24 * HOUR,
	hideResults: false,
	matters: [],
	...over
});

let seq = 0;

/** A ballot for a household, recorded at the door by a grid worker unless the test says otherwise. */
export const ballot = (over: Partial<Ballot> = {}, by: Actor = over.by ?? gridWorkerActor()): Ballot => ({
	id: `ballot-${++seq}`,
	household: 'b01-1-101',
	option: 'yes',
	at: 1_000 + seq,
	channel: 'visit',
	by,
	device: by.id,
	...over
});
