/**
 * Photo bytes in an S3-compatible bucket, against a real S3 server (moto's, tests/services/s3.ts): the shared
 * BlobStore contract, the integrity check on upload, and a relay whose photos live there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blob, blobStoreContract } from '../../server/storage/blob-store.contract';
import { S3BlobStore, type S3BlobStoreOptions } from '../../server/storage/blob-store-s3';
import { type S3Service, startS3 } from '../services/s3';

let s3: S3Service;
let buckets = 0;

beforeAll(async () => {
	s3 = await startS3();
}, 60_000);

afterAll(async () => {
	await s3?.stop();
});

/** Options for a fresh bucket, so that tests do not see each other's objects. */
async function freshBucket(): Promise<S3BlobStoreOptions> {
	const bucket = `photos-${process.pid}-${++buckets}`;
	await s3.createBucket(bucket);
	return { bucket, endpoint: s3.endpoint, region: s3.region, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey };
}

blobStoreContract('S3 (moto)', async () => {
	const options = await freshBucket();
	return { store: new S3BlobStore(options), reopen: async () => new S3BlobStore(options) };
});

describe('S3BlobStore', () => {
	it('keeps objects under its prefix apart from another prefix in the same bucket', async () => {
		const options = await freshBucket();
		const [a, b] = [new S3BlobStore({ ...options, prefix: 'a/' }), new S3BlobStore({ ...options, prefix: 'b/' })];
		const x = blob(10);
		await a.put(x.key, x.bytes);
		expect(await a.size(x.key)).toBe(10);
		expect(await b.size(x.key)).toBeNull();
	});

	it('names the failure: a missing bucket, a wrong secret (the server checks the signature)', async () => {
		const options = await freshBucket();
		const x = blob(10);
		await expect(new S3BlobStore({ ...options, bucket: 'no-such-bucket' }).put(x.key, x.bytes)).rejects.toThrow(/S3 PUT photos\/[0-9a-f]+: HTTP 404 NoSuchBucket/);
		const forged = new S3BlobStore({ ...options, secretAccessKey: `${options.secretAccessKey}x` });
		await expect(forged.put(x.key, x.bytes)).rejects.toThrow(/S3 HEAD .*: HTTP 403/);
		await expect(forged.get(x.key)).rejects.toThrow(/S3 GET .*: HTTP 403 SignatureDoesNotMatch/);
		expect(await new S3BlobStore(options).has(x.key)).toBe(false);
	});
});
