/**
 * Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, Garage, Ceph RGW, Cloudflare R2…), for relays
 * that share no disk. Object `<prefix><key>`; four plain REST calls (PUT, GET, HEAD, DELETE Object) signed with
 * SigV4 by aws4fetch, a one-file signer, rather than the full AWS SDK.
 *
 * A PUT is atomic and durable once S3 answers 200. Keys are the SHA-256 of the bytes, so the PUT declares it as
 * x-amz-content-sha256 and the service refuses bytes that do not match it (integrity on the way in for free).
 * Path-style URLs (`<endpoint>/<bucket>/<object>`) when an endpoint is given, as most S3-compatible servers
 * expect; virtual-hosted (`<bucket>.s3.<region>.amazonaws.com`) for AWS itself.
 */
import { AwsClient } from 'aws4fetch';
import { assertBlobKey, type BlobStore } from './blob-store';

export interface S3BlobStoreOptions {
	bucket: string;
	/** e.g. http://127.0.0.1:9000; default AWS's regional endpoint. */
	endpoint?: string;
	region?: string;
	accessKeyId: string;
	secretAccessKey: string;
	sessionToken?: string;
	/** Prefix of every object's name (default `photos/`). */
	prefix?: string;
	/** Default: true with an endpoint, false for AWS. */
	forcePathStyle?: boolean;
	/** Per request (default 30 s): a hung service must not hold an upload forever. */
	timeoutMs?: number;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export class S3BlobStore implements BlobStore {
	private readonly client: AwsClient;
	private readonly base: string;
	private readonly prefix: string;
	private readonly timeoutMs: number;

	constructor(options: S3BlobStoreOptions) {
		const region = options.region ?? 'us-east-1';
		this.client = new AwsClient({
			accessKeyId: options.accessKeyId,
			secretAccessKey: options.secretAccessKey,
			sessionToken: options.sessionToken,
			service: 's3',
			region,
			// 5xx and 429 are retried with jittered exponential backoff from 100 ms.
			retries: 3,
			initRetryMs: 100
		});
		const endpoint = new URL(options.endpoint ?? `https://s3.${region}.amazonaws.com`);
		const pathStyle = options.forcePathStyle ?? options.endpoint !== undefined;
		const origin = endpoint.origin + endpoint.pathname.replace(/\/+$/, '');
		this.base = pathStyle
			? `${origin}/${encodeURIComponent(options.bucket)}/`
			: `${endpoint.protocol}//${options.bucket}.${endpoint.host}${endpoint.pathname.replace(/\/+$/, '')}/`;
		this.prefix = options.prefix ?? 'photos/';
		this.timeoutMs = options.timeoutMs ?? 30_000;
	}

	/** The bucket's URL (tests create it with a PUT). */
	get bucketUrl(): string {
		return this.base;
	}

	private async request(method: string, key: string, init: { body?: Uint8Array; headers?: Record<string, string> } = {}): Promise<Response> {
		assertBlobKey(key);
		return this.client.fetch(`${this.base}${this.prefix}${key}`, {
			method,
			headers: init.headers,
			// Node's fetch sends any byte view; its types only admit views of an ArrayBuffer (never shared here).
			body: init.body as Uint8Array<ArrayBuffer> | undefined,
			signal: AbortSignal.timeout(this.timeoutMs)
		});
	}

	private async fail(what: string, key: string, res: Response): Promise<never> {
		// S3 errors are XML: <Error><Code>NoSuchBucket</Code><Message>…</Message>…</Error>.
		const body = await res.text().catch(() => '');
		const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
		const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1];
		const detail = code ? ` ${code}${message ? `: ${message}` : ''}` : '';
		throw new Error(`S3 ${what} ${this.prefix}${key}: HTTP ${res.status}${detail}`);
	}

	async put(key: string, bytes: Uint8Array): Promise<boolean> {
		if ((await this.size(key)) === bytes.length) return false;
		const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
		if (SHA256_HEX.test(key)) headers['x-amz-content-sha256'] = key;
		const res = await this.request('PUT', key, { body: bytes, headers });
		if (!res.ok) return this.fail('PUT', key, res);
		await res.body?.cancel();
		return true;
	}

	async get(key: string): Promise<Uint8Array | null> {
		const res = await this.request('GET', key);
		if (res.status === 404) {
			await res.body?.cancel();
			return null;
		}
		if (!res.ok) return this.fail('GET', key, res);
		return new Uint8Array(await res.arrayBuffer());
	}

	async has(key: string): Promise<boolean> {
		return (await this.size(key)) !== null;
	}

	async size(key: string): Promise<number | null> {
		const res = await this.request('HEAD', key);
		await res.body?.cancel();
		if (res.status === 404) return null;
		if (!res.ok) return this.fail('HEAD', key, res);
		const length = Number(res.headers.get('content-length'));
		if (!Number.isInteger(length)) throw new Error(`S3 HEAD ${this.prefix}${key}: no Content-Length`);
		return length;
	}

	async delete(key: string): Promise<void> {
		const res = await this.request('DELETE', key);
		if (!res.ok && res.status !== 404) return this.fail('DELETE', key, res);
		await res.body?.cancel();
	}

	async close(): Promise<void> {}
}

/**
 * S3 options from the environment: S3_BUCKET (required), S3_ENDPOINT, S3_REGION (or AWS_REGION),
 * S3_ACCESS_KEY_ID / S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN),
 * S3_PREFIX (photos/), S3_FORCE_PATH_STYLE (1/0).
 */
export function s3OptionsFromEnv(env: NodeJS.ProcessEnv): S3BlobStoreOptions {
	const need = (value: string | undefined, name: string): string => {
		if (!value) throw new Error(`PHOTO_STORE=s3 needs ${name}`);
		return value;
	};
	const pathStyle = env.S3_FORCE_PATH_STYLE;
	return {
		bucket: need(env.S3_BUCKET, 'S3_BUCKET'),
		endpoint: env.S3_ENDPOINT || undefined,
		region: env.S3_REGION || env.AWS_REGION || undefined,
		accessKeyId: need(env.S3_ACCESS_KEY_ID || env.AWS_ACCESS_KEY_ID, 'S3_ACCESS_KEY_ID (or AWS_ACCESS_KEY_ID)'),
		secretAccessKey: need(env.S3_SECRET_ACCESS_KEY || env.AWS_SECRET_ACCESS_KEY, 'S3_SECRET_ACCESS_KEY (or AWS_SECRET_ACCESS_KEY)'),
		sessionToken: env.AWS_SESSION_TOKEN || undefined,
		prefix: env.S3_PREFIX ?? undefined,
		forcePathStyle: pathStyle ? pathStyle === '1' || pathStyle === 'true' : undefined
	};
}

/**
 * PHOTO_STORE from the environment: `s3` gives an S3BlobStore (s3OptionsFromEnv); `disk` or unset gives undefined,
 * the relay's default (files in DATA_DIR/photos). Shared by server/main.ts and the admin CLI's photo-gc.
 */
export function photoBlobsFromEnv(env: NodeJS.ProcessEnv): BlobStore | undefined {
	const kind = env.PHOTO_STORE || 'disk';
	if (kind === 'disk') return undefined;
	if (kind === 's3') return new S3BlobStore(s3OptionsFromEnv(env));
	throw new Error(`PHOTO_STORE must be disk or s3, got ${kind}`);
}
