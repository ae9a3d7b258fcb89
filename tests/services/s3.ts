/**
 * A real S3-compatible server for tests: moto's server (getmoto/moto, a maintained AWS emulator whose S3 speaks
 * the REST API with SigV4), which this machine image ships with its Python (`python3 -m moto.server`). Each call
 * starts its own on an ephemeral port, in memory, with authentication on: requests must carry a valid SigV4
 * signature of the access key the server hands out (moto checks signatures once its first three unauthenticated
 * calls, which create that key, are spent). It does not check x-amz-content-sha256 against the body, as AWS does.
 * Debian 12 packages no S3 server; the npm one (s3rver) is unmaintained.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { AwsClient } from 'aws4fetch';
import { freePort } from '../../scripts/services';

export interface S3Service {
	endpoint: string;
	accessKeyId: string;
	secretAccessKey: string;
	region: string;
	/** Creates a bucket (PUT Bucket). */
	createBucket(name: string): Promise<void>;
	stop(): Promise<void>;
}

function python(): string {
	for (const bin of ['python3', 'python']) {
		if (spawnSync(bin, ['-c', 'import moto.server, flask'], { stdio: 'ignore' }).status === 0) return bin;
	}
	throw new Error("moto's S3 server not found: `python3 -c 'import moto.server'` fails (pip install 'moto[server]')");
}

async function waitForHttp(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`moto server exited with code ${child.exitCode} before listening`);
		try {
			await fetch(url);
			return;
		} catch {
			if (Date.now() > deadline) throw new Error(`moto server did not answer on ${url} within ${timeoutMs} ms`);
			await new Promise((r) => setTimeout(r, 100));
		}
	}
}

const UNAUTHENTICATED_SETUP_CALLS = 3;

/** An IAM user allowed everything on S3, and its access key (moto's IAM API, before authentication starts). */
async function createAccessKey(endpoint: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
	// Signed only so that moto routes the call to IAM; no key exists yet.
	const iam = new AwsClient({ accessKeyId: 'setup', secretAccessKey: 'setup', service: 'iam', region: 'us-east-1', retries: 0 });
	const call = async (params: Record<string, string>) => {
		const res = await iam.fetch(`${endpoint}/`, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ Version: '2010-05-08', ...params }).toString()
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`moto IAM ${params.Action}: HTTP ${res.status} ${text.slice(0, 200)}`);
		return text;
	};
	await call({ Action: 'CreateUser', UserName: 'courtyard' });
	const key = await call({ Action: 'CreateAccessKey', UserName: 'courtyard' });
	const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] };
	await call({ Action: 'PutUserPolicy', UserName: 'courtyard', PolicyName: 's3', PolicyDocument: JSON.stringify(policy) });
	const accessKeyId = /<AccessKeyId>([^<]+)<\/AccessKeyId>/.exec(key)?.[1];
	const secretAccessKey = /<SecretAccessKey>([^<]+)<\/SecretAccessKey>/.exec(key)?.[1];
	if (!accessKeyId || !secretAccessKey) throw new Error(`moto IAM CreateAccessKey: no key in ${key.slice(0, 200)}`);
	return { accessKeyId, secretAccessKey };
}

export async function startS3(): Promise<S3Service> {
	const port = await freePort();
	const child = spawn(python(), ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
		stdio: 'ignore',
		env: { ...process.env, INITIAL_NO_AUTH_ACTION_COUNT: String(UNAUTHENTICATED_SETUP_CALLS) }
	});
	const endpoint = `http://127.0.0.1:${port}`;
	try {
		await waitForHttp(`${endpoint}/moto-api/`, child);
	} catch (error) {
		child.kill('SIGKILL');
		throw error;
	}
	let credentials: { accessKeyId: string; secretAccessKey: string; region: string };
	try {
		credentials = { ...(await createAccessKey(endpoint)), region: 'us-east-1' };
	} catch (error) {
		child.kill('SIGKILL');
		throw error;
	}
	const client = new AwsClient({ ...credentials, service: 's3', retries: 0 });
	return {
		endpoint,
		...credentials,
		async createBucket(name) {
			const res = await client.fetch(`${endpoint}/${name}`, { method: 'PUT' });
			if (!res.ok) throw new Error(`create bucket ${name}: HTTP ${res.status} ${await res.text()}`);
		},
		async stop() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
			child.kill('SIGTERM');
			await exited;
		}
	};
}
