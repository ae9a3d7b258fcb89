/** Test factories for meetings: a draft as the meeting form gives it. For specs and integration tests only. */
import type { MeetingDraft } from '../meeting';

/** A bench meeting (板凳会) of building 3 with one agenda item from a topic and one invitee. */
export const meetingDraft = (over: Partial<MeetingDraft> = {}): MeetingDraft => ({
	kind: 'bench',
	title: '3栋板凳会',
	day: '2025-05-20',
	time: '19:00',
	durationMin: 60,
	place: '小区凉亭',
	facilitator: '周敏',
	agenda: [{ title: '楼道爱心椅', topic: 'demo:topic:t1' }],
	invitees: [{ name: '张桂英', capacity: 'building_head' }],
	...over
});
