/**
 * Device storage: ask the browser not to evict our IndexedDB (unsynced work lives there), report usage, and
 * turn IndexedDB/Dexie errors into something a resident can act on.
 */

/**
 * Asks for persistent storage (`navigator.storage.persist()`). Resolves to whether storage is persisted now;
 * never throws. Chrome grants it silently to installed or engaged sites; Firefox may show a prompt.
 */
export async function requestPersistence(): Promise<boolean> {
	const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
	if (!storage?.persist) return false;
	try {
		if (storage.persisted && (await storage.persisted())) return true;
		return await storage.persist();
	} catch {
		return false;
	}
}

/** Alias kept for callers that use the longer name. */
export const requestPersistentStorage = requestPersistence;

export interface StorageEstimateResult {
	/** null when the browser cannot say. */
	persisted: boolean | null;
	/** Bytes used by this origin, or null when unknown. */
	usage: number | null;
	/** Bytes this origin may use, or null when unknown. */
	quota: number | null;
}

export async function storageEstimate(): Promise<StorageEstimateResult> {
	const storage = typeof navigator !== 'undefined' ? navigator.storage : undefined;
	const result: StorageEstimateResult = { persisted: null, usage: null, quota: null };
	if (!storage) return result;
	try {
		if (storage.persisted) result.persisted = await storage.persisted();
	} catch {
		// Leave as unknown.
	}
	try {
		if (storage.estimate) {
			const e = await storage.estimate();
			result.usage = e.usage ?? null;
			result.quota = e.quota ?? null;
		}
	} catch {
		// Leave as unknown.
	}
	return result;
}

export type StorageErrorKind = 'quota' | 'failure';

const QUOTA_NAMES = new Set(['QuotaExceededError', 'NS_ERROR_DOM_QUOTA_REACHED']);

/**
 * 'quota' when the device ran out of space, otherwise 'failure'. Looks through the wrappers IndexedDB and
 * Dexie put around the cause: a transaction AbortError whose `inner`/`cause`/`error` is the quota error,
 * Dexie's BulkError `failures`, and the legacy DOMException code 22.
 */
export function classifyStorageError(error: unknown): StorageErrorKind {
	const seen = new Set<unknown>();
	const visit = (e: unknown, depth: number): boolean => {
		if (!e || typeof e !== 'object' || seen.has(e) || depth > 6) return false;
		seen.add(e);
		const o = e as {
			name?: unknown;
			code?: unknown;
			inner?: unknown;
			cause?: unknown;
			error?: unknown;
			failures?: unknown;
		};
		if (typeof o.name === 'string' && QUOTA_NAMES.has(o.name)) return true;
		if (o.code === 22) return true; // DOMException.QUOTA_EXCEEDED_ERR
		if (visit(o.inner, depth + 1) || visit(o.cause, depth + 1) || visit(o.error, depth + 1)) return true;
		const failures = o.failures;
		const list = Array.isArray(failures)
			? failures
			: failures && typeof failures === 'object'
				? Object.values(failures)
				: [];
		return list.some((f) => visit(f, depth + 1));
	};
	return visit(error, 0) ? 'quota' : 'failure';
}

/** Message keys (see $lib/i18n) for a storage error of the given kind. */
export function storageErrorMessageKeys(kind: StorageErrorKind): {
	title: 'storage.quotaTitle' | 'storage.errorTitle';
	body: 'storage.quotaBody' | 'storage.errorBody';
} {
	return kind === 'quota'
		? { title: 'storage.quotaTitle', body: 'storage.quotaBody' }
		: { title: 'storage.errorTitle', body: 'storage.errorBody' };
}
