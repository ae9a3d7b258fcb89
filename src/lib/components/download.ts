/** Saving files the app produces (backups) through the browser's download. */
import { courtyard } from '$lib/client/courtyard.svelte';
import { t } from '$lib/i18n';

function isoDay(ms: number): string {
	const d = new Date(ms);
	const pad = (n: number) => String(n).padStart(2, '0');
	return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function saveBlob(blob: Blob, filename: string): void {
	const url = URL.createObjectURL(blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = filename;
	a.rel = 'noopener';
	document.body.append(a);
	a.click();
	a.remove();
	// Some browsers read the URL after click() returns.
	setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Downloads every document with unsynced changes as courtyard-backup-<date>.json; resolves with their number. */
export async function downloadPending(now = Date.now()): Promise<number> {
	const app = courtyard();
	const count = (await app.pendingDocs()).length;
	saveBlob(await app.exportPending(), `courtyard-backup-${isoDay(now)}.json`);
	return count;
}

/**
 * downloadPending for an export button: how many documents the file holds, or, when the export failed, the
 * message to show (backup.exportFailed). Every panel that offers the export words a failure the same way.
 */
export async function tryDownloadPending(): Promise<{ count: number; error: null } | { count: null; error: string }> {
	try {
		return { count: await downloadPending(), error: null };
	} catch (err) {
		return { count: null, error: t('backup.exportFailed', { error: String((err as Error)?.message ?? err) }) };
	}
}
