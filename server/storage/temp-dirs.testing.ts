/** For storage specs: temporary directories, each removed after the test that made it. Imported by specs only. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/** Registers the removal after each test, and returns a maker of fresh directories named `<prefix>…`. */
export function tempDirsAfterEach(prefix: string): () => string {
	const dirs: string[] = [];
	afterEach(() => {
		for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
	});
	return () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
		dirs.push(dir);
		return dir;
	};
}
