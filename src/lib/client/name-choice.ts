/**
 * The resident's choice of how their name appears publicly (domain/public-name.ts), kept per device in the
 * settings table: a device is one household member's, and the choice is stored again with every record.
 */
import { type NameChoice, parseNameChoice } from '../domain/public-name';

const KEY = 'public.nameChoice';

interface SettingsTable {
	get(key: string): Promise<{ key: string; value: unknown } | undefined>;
	put(row: { key: string; value: unknown }): Promise<unknown>;
}

export async function loadNameChoice(app: { db: { settings: SettingsTable } }): Promise<NameChoice> {
	return parseNameChoice((await app.db.settings.get(KEY))?.value);
}

export async function saveNameChoice(app: { db: { settings: SettingsTable } }, choice: NameChoice): Promise<void> {
	await app.db.settings.put({ key: KEY, value: { ...choice } });
}
