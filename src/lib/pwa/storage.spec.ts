import { describe, expect, it } from 'vitest';
import { classifyStorageError, storageErrorMessageKeys } from './storage';

function named(name: string, extra: Record<string, unknown> = {}): Error {
	return Object.assign(new Error(name), { name }, extra);
}

describe('classifyStorageError', () => {
	it('recognises quota errors directly and through IndexedDB/Dexie wrappers', () => {
		expect(classifyStorageError(new DOMException('full', 'QuotaExceededError'))).toBe('quota');
		expect(classifyStorageError(named('AbortError', { inner: named('QuotaExceededError') }))).toBe('quota');
		expect(classifyStorageError(named('AbortError', { cause: named('QuotaExceededError') }))).toBe('quota');
		expect(classifyStorageError(named('BulkError', { failures: { 3: named('QuotaExceededError') } }))).toBe('quota');
		expect(classifyStorageError(named('NS_ERROR_DOM_QUOTA_REACHED'))).toBe('quota');
	});

	it('treats everything else as a generic failure', () => {
		expect(classifyStorageError(named('AbortError'))).toBe('failure');
		expect(classifyStorageError(named('InvalidStateError'))).toBe('failure');
		expect(classifyStorageError('boom')).toBe('failure');
		expect(classifyStorageError(null)).toBe('failure');
		const loop: Record<string, unknown> = { name: 'AbortError' };
		loop.inner = loop;
		expect(classifyStorageError(loop)).toBe('failure');
	});

	it('maps kinds to message keys', () => {
		expect(storageErrorMessageKeys('quota').body).toBe('storage.quotaBody');
		expect(storageErrorMessageKeys('failure').body).toBe('storage.errorBody');
	});
});
