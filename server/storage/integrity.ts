/**
 * Start-up integrity checks. A relay that starts on a damaged database or key file fails later in confusing
 * ways (every write to one table failing, credentials that no longer verify), so it refuses to start instead,
 * with an error that names the file. The database gets SQLite's `PRAGMA quick_check` (every page and record
 * well-formed; linear in the file's size, seconds for gigabytes); the key file is parsed in keys.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export class DamagedFileError extends Error {
	constructor(
		readonly file: string,
		readonly detail: string
	) {
		super(
			`${path.resolve(file)} is damaged (${detail}); the relay does not start on a damaged file: ` +
				'restore the data directory from a backup, or move the file aside to start afresh'
		);
		this.name = 'DamagedFileError';
	}
}

/** Throws DamagedFileError unless the SQLite database at `file` (if it exists) passes quick_check. */
export function checkDatabase(file: string): void {
	if (!fs.existsSync(file)) return;
	let db: Database.Database | null = null;
	try {
		db = new Database(file, { fileMustExist: true });
		db.pragma('busy_timeout = 5000');
		// At most 10 problems: enough to name what is wrong without reading every damaged page.
		const rows = db.pragma('quick_check(10)') as Array<{ quick_check: string }>;
		const problems = rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
		if (problems.length > 0) throw new DamagedFileError(file, problems.join('; '));
	} catch (error) {
		if (error instanceof DamagedFileError) throw error;
		throw new DamagedFileError(file, error instanceof Error ? error.message : String(error));
	} finally {
		db?.close();
	}
}
