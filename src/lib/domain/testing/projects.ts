/** Test factories for projects: records with sensible defaults, overridden per test. Imported by specs only. */
import type { Check, ChecklistItem, Representative, Signoff } from '../acceptance';
import type { LedgerEntry, Pledge, Receipt } from '../funding';
import type { Project } from '../project';
import type { Rating } from '../satisfaction';
import type { ProgressUpdate, Task } from '../tasks';
import type { Selection, Tender } from '../tender';
import { facilitatorActor, gridWorkerActor, residentActor } from './actors';

/** The actors project records carry unless a test says otherwise. */
export const resident = residentActor();
export const resident2 = residentActor({ id: 'r2', name: '刘阿姨的儿子' });
export const facilitator = facilitatorActor();
export const facilitator2 = facilitatorActor({ id: 'f2', name: '林晓燕' });
export const gridWorker = gridWorkerActor();

let seq = 0;
const next = () => ++seq;

export const pledge = (over: Partial<Pledge> = {}): Pledge => ({
	id: `p${next()}`,
	source: 'residents',
	kind: 'money',
	name: '3栋 刘阿姨',
	household: 'b03-1-401',
	amount: 20000,
	at: 1000 + seq,
	by: resident,
	channel: 'app',
	...over
});

export const receipt = (pledgeId: string, over: Partial<Receipt> = {}): Receipt => ({
	pledge: pledgeId,
	amount: 20000,
	date: '2024-05-02',
	at: 5000 + next(),
	by: facilitator,
	...over
});

export const entry = (over: Partial<LedgerEntry> = {}): LedgerEntry => ({
	id: `e${next()}`,
	type: 'spending',
	amount: 10000,
	date: '2024-05-03',
	description: '购买折叠座椅 4 把',
	photos: [],
	at: 6000 + seq,
	by: facilitator,
	...over
});

export const task = (over: Partial<Task> = {}): Task => ({
	id: `t${next()}`,
	title: '安装折叠座椅',
	responsible: '物业工程部',
	due: '2024-06-01',
	at: 2000 + seq,
	by: facilitator,
	...over
});

export const update = (taskId: string, over: Partial<ProgressUpdate> = {}): ProgressUpdate => ({
	id: `u${next()}`,
	task: taskId,
	text: '已进场',
	photos: [],
	at: 3000 + seq,
	by: facilitator,
	...over
});

export const tender = (over: Partial<Tender> = {}): Tender => ({
	id: `d${next()}`,
	vendor: '恒安五金',
	price: 48000,
	model: 'ZD-150 壁挂折叠座椅',
	at: 2500 + seq,
	by: facilitator,
	...over
});

export const selection = (tenderId: string, over: Partial<Selection> = {}): Selection => ({
	id: `s${next()}`,
	tender: tenderId,
	reason: '价格最低，承重 150 公斤',
	at: 2600 + seq,
	by: facilitator,
	...over
});

export const item = (over: Partial<ChecklistItem> = {}): ChecklistItem => ({
	id: `i${next()}`,
	text: '座椅安装牢固，承重测试通过',
	at: 7000 + seq,
	by: facilitator,
	...over
});

export const check = (itemId: string, over: Partial<Check> = {}): Check => ({
	item: itemId,
	result: 'pass',
	at: 7100 + next(),
	by: facilitator,
	...over
});

/** A representative household's sign-off from its own device (household ids unique per call). */
export const signoff = (over: Partial<Signoff> = {}): Signoff => {
	const n = next();
	const household = over.household ?? over.id ?? `b01-1-${100 + n}`;
	return { id: household, name: `代表${n}`, household, agree: true, at: 7200 + n, by: resident, ...over };
};

export const representative = (household: string, over: Partial<Representative> = {}): Representative => ({
	household,
	label: household,
	at: 7000 + next(),
	by: facilitator,
	...over
});

/** The households of these sign-offs, chosen as representatives. */
export const representativesOf = (signoffs: readonly Signoff[]): Representative[] => signoffs.map((s) => representative(s.id));

export const rating = (over: Partial<Rating> = {}): Rating => ({
	household: `h${next()}`,
	score: 5,
	comment: '',
	at: 9000 + seq,
	by: resident,
	channel: 'app',
	...over
});

export const project = (over: Partial<Project> = {}): Project => ({
	id: 'stair-seats',
	title: '3栋楼道加装折叠座椅',
	createdAt: 100,
	createdBy: facilitator,
	target: 0,
	minRepresentatives: 3,
	pledges: [],
	receipts: [],
	entries: [],
	voids: [],
	tasks: [],
	updates: [],
	tenders: [],
	selections: [],
	checklist: [],
	checks: [],
	signoffs: [],
	representatives: [],
	acceptancePhotos: [],
	ratings: [],
	followUps: [],
	requests: [],
	answers: [],
	notices: [],
	...over
});
