/**
 * How a resident's name appears to other residents where they co-sign a proposal or rate a project (issue 12,
 * item 11). Each resident chooses: the full name, 3栋王阿姨 (building, surname and how neighbours address them),
 * or 匿名住户. The choice is stored with the record when it is written, so a later change of mind does not
 * rewrite what was signed, and every device shows a record alike. Staff always see who it is.
 *
 * The default is the building style, never the full name; a record written before residents could choose
 * (no choice stored) shows as anonymous.
 */

export type NameDisplay = 'building' | 'anonymous' | 'full';
/** In the order the choice is offered: the default first. */
export const NAME_DISPLAYS: readonly NameDisplay[] = ['building', 'anonymous', 'full'];
export const DEFAULT_NAME_DISPLAY: NameDisplay = 'building';
export const isNameDisplay = (v: unknown): v is NameDisplay => NAME_DISPLAYS.includes(v as NameDisplay);

/** How neighbours address someone after the surname; 家 (the household) says nothing of age or sex. */
export const APPELLATIONS = ['家', '阿姨', '叔叔', '奶奶', '爷爷', '女士', '先生'] as const;
export type Appellation = (typeof APPELLATIONS)[number];
export const DEFAULT_APPELLATION: Appellation = '家';
export const isAppellation = (v: unknown): v is Appellation => APPELLATIONS.includes(v as Appellation);

export interface NameChoice {
	display: NameDisplay;
	appellation?: Appellation;
}

export const DEFAULT_NAME_CHOICE: NameChoice = { display: DEFAULT_NAME_DISPLAY, appellation: DEFAULT_APPELLATION };

/** A stored choice, or the default when it is missing or malformed (a preference read from the device). */
export function parseNameChoice(v: unknown): NameChoice {
	const c = v as Partial<NameChoice> | null;
	if (!c || typeof c !== 'object' || !isNameDisplay(c.display)) return DEFAULT_NAME_CHOICE;
	return { display: c.display, appellation: isAppellation(c.appellation) ? c.appellation : DEFAULT_APPELLATION };
}

// Two-character surnames that are still in use; everything else takes the first character.
const COMPOUND = new Set(['欧阳', '司马', '诸葛', '上官', '东方', '皇甫', '尉迟', '公孙', '慕容', '长孙', '宇文', '司徒', '夏侯', '令狐', '端木', '独孤', '南宫', '西门', '轩辕', '呼延']);

/** The surname of a Chinese name (欧阳 of 欧阳明, 王 of 王桂兰); a Latin name's first word. */
export function surnameOf(name: string): string {
	const n = name.normalize('NFKC').trim().replace(/\s+/g, ' ');
	if (!n) return '';
	if (/^[A-Za-z]/.test(n)) return n.split(' ')[0]!;
	const chars = [...n];
	const two = chars.slice(0, 2).join('');
	return COMPOUND.has(two) && chars.length > 2 ? two : chars[0]!;
}

/** What a record keeps about how its name is shown publicly. */
export interface PublicNameFields {
	display: NameDisplay;
	/** The building-style label (3栋王家), or the full name when so chosen; '' when anonymous. */
	publicName: string;
}

/**
 * The fields to store with a record: the label is made now, from the building's name as the community calls it
 * (3栋), so it reads the same on every device whatever the register later says.
 */
export function publicNameFields(choice: NameChoice, who: { name: string; building?: string | null }): PublicNameFields {
	const name = who.name.trim();
	if (choice.display === 'full' && name) return { display: 'full', publicName: name };
	const surname = surnameOf(name);
	if (choice.display === 'building' && surname) {
		return { display: 'building', publicName: `${who.building?.trim() ?? ''}${surname}${choice.appellation ?? DEFAULT_APPELLATION}` };
	}
	return { display: 'anonymous', publicName: '' };
}

/** Who is looking: staff see everyone's name; a resident sees their own household's. */
export interface NameViewer {
	staff: boolean;
	household?: string | null;
}

/**
 * The name to show for a record, or null for 匿名住户. The full name only to staff, to the household itself,
 * or when its author chose it; the building label when chosen; otherwise (including records written before the
 * choice existed) nothing.
 */
export function shownName(
	record: { name: string; household?: string; display?: unknown; publicName?: unknown },
	viewer: NameViewer
): string | null {
	if (viewer.staff || (!!viewer.household && record.household === viewer.household)) return record.name.trim() || null;
	const label = typeof record.publicName === 'string' ? record.publicName.trim() : '';
	if (record.display === 'full') return label || record.name.trim() || null;
	if (record.display === 'building') return label || null;
	return null;
}
