/**
 * The relay's signing key: one Ed25519 (EdDSA) key pair, generated on first start and kept as a JWK in
 * `<dataDir>/keys/signing-key.jwk.json` (directory 0700, file 0600), reused afterwards. Whoever can read that
 * file can mint credentials for any role, so it is as sensitive as the database next to it.
 *
 * Creation is safe against a second process (the admin CLI) starting at the same moment: the key is written to
 * a temporary file and hard-linked into place, which fails if another process got there first; the loser reads
 * the winner's key.
 *
 * A key file that exists but does not parse is damaged: loading fails with a DamagedFileError naming the file
 * (the relay then refuses to start); it is never replaced, since every credential issued so far depends on it.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { DamagedFileError } from '../storage/integrity';

export const KEY_ALG = 'EdDSA';
export const KEYS_DIR = 'keys';
export const KEY_FILE = 'signing-key.jwk.json';

export interface SigningKey {
	/** JWK thumbprint of the public key, sent as `kid`. */
	kid: string;
	privateKey: CryptoKey;
	publicKey: CryptoKey;
}

async function generate(): Promise<JWK> {
	const { privateKey } = await generateKeyPair(KEY_ALG, { crv: 'Ed25519', extractable: true });
	const jwk = await exportJWK(privateKey);
	return { ...jwk, alg: KEY_ALG, kid: await calculateJwkThumbprint(jwk) };
}

async function fromJwk(jwk: JWK): Promise<SigningKey> {
	if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.d !== 'string' || typeof jwk.x !== 'string') {
		throw new Error('the signing key file does not hold an Ed25519 private key');
	}
	const { d: _d, ...pub } = jwk;
	const kid = await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x });
	return {
		kid,
		privateKey: (await importJWK({ ...jwk, alg: KEY_ALG }, KEY_ALG)) as CryptoKey,
		publicKey: (await importJWK({ ...pub, alg: KEY_ALG }, KEY_ALG)) as CryptoKey
	};
}

/** A key that lives only in memory (a relay without a data directory, e.g. on an in-memory store). */
export async function ephemeralKey(): Promise<SigningKey> {
	return fromJwk(await generate());
}

/** Loads `<dataDir>/keys/signing-key.jwk.json`, creating it on first use. `warn` hears about loose permissions. */
export async function loadOrCreateKey(dataDir: string, warn: (message: string) => void = () => {}): Promise<SigningKey> {
	const dir = path.join(dataDir, KEYS_DIR);
	const file = path.join(dir, KEY_FILE);
	fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
	if (!fs.existsSync(file)) {
		const tmp = path.join(dir, `.${KEY_FILE}.${process.pid}.${randomBytes(4).toString('hex')}`);
		fs.writeFileSync(tmp, `${JSON.stringify(await generate(), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
		try {
			fs.linkSync(tmp, file);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
		} finally {
			fs.rmSync(tmp, { force: true });
		}
	}
	const mode = fs.statSync(file).mode & 0o777;
	if (mode & 0o077) {
		warn(`${file} was readable by others (mode ${mode.toString(8)}); restricting it to 0600`);
		fs.chmodSync(file, 0o600);
	}
	// A key file that does not parse is damaged, never replaced: every credential issued so far depends on it.
	try {
		return await fromJwk(JSON.parse(fs.readFileSync(file, 'utf8')) as JWK);
	} catch (error) {
		throw new DamagedFileError(file, error instanceof Error ? error.message : String(error));
	}
}
