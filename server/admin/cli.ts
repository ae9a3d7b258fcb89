/**
 * The operator's command line: `npm run admin -- <command>`. Works on DATA_DIR (./data) directly, also while
 * the relay runs (SQLite WAL); a running relay notices revocations within ~2 s (it polls the revocation log).
 * With DATABASE_URL set, devices and invitations are those in PostgreSQL, shared by every relay process (the
 * signing key for `token` still comes from DATA_DIR/keys, the same file the relays use). With REDIS_URL set too,
 * `revoke` also tells every relay process at once, as a relay's own revocation does (fanout/cluster.ts).
 *
 *   invite  --role <role> --community <id> [--grid g1 …] [--household <id>] [--communities a,b]
 *           [--uses 1] [--expires 7d] [--label <text>] [--origin http://host:8080] [--json] [--no-qr]
 *   devices [--community <id>] [--json]
 *   revoke  <deviceId>
 *   token   --role <role> --community <id> [scope as for invite] [--name <text>] [--expires 180d] [--json]
 *   photo-gc [--grace 7d] [--json]
 *
 * Roles: resident (needs --household), grid-worker (needs --grid, repeatable or comma-separated), facilitator,
 * community-admin, street-admin (--community is the street office's id, --communities the communities it
 * oversees). `token` registers a device and prints its credential without an invitation (scripts, benches).
 * `photo-gc` deletes photos that no document refers to and that are older than the grace period (photo-gc.ts),
 * as the relay itself does every hour.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { renderUnicodeCompact } from 'uqr';
import { invitationLink } from '../transport/api';
import { Credentials, DAY_MS } from '../auth/credentials';
import { parseDuration } from '../core/duration';
import { describeGrant, GrantError, normalizeGrant } from '../auth/grants';
import { DEFAULT_LIMITS } from '../core/limits';
import { collectPhotoGarbage, storedState } from '../features/photo-gc';
import { openPhotoStore } from '../storage/photo-store';
import { photoBlobsFromEnv } from '../storage/blob-store-s3';
import { PgPhotoMeta } from '../storage/postgres/photos-pg';
import { DB_FILE, SqliteStore } from '../storage/sqlite-store';
import { PgAccessStore } from '../storage/postgres/access-pg';
import { PgStore } from '../storage/postgres/pg-store';
import { openPostgres, type Postgres } from '../storage/postgres/db';
import { RedisFanout } from '../fanout/redis-fanout';

const USAGE = `usage: npm run admin -- <command> [options]   (DATA_DIR, default ./data; DATABASE_URL when the relay uses PostgreSQL)

  invite   --role <role> --community <id> [--grid <id> …] [--household <id>] [--communities <id,…>]
           [--uses 1] [--expires 7d] [--label <text>] [--origin http://host:8080] [--json] [--no-qr]
           prints an invitation link and its QR code
  devices  [--community <id>] [--json]          lists devices (all communities without --community)
  revoke   <deviceId>                           revokes a device; a running relay closes its connections
  token    --role <role> --community <id> [scope as for invite] [--name <text>] [--expires 180d] [--json]
           registers a device and prints its credential directly (scripts, benches)
  photo-gc [--grace 7d] [--json]                deletes photos no document refers to, older than the grace

roles: resident (--household), grid-worker (--grid), facilitator, community-admin,
       street-admin (--community <street office id> --communities <community,…>)`;

class UsageError extends Error {}

const OPTIONS = {
	role: { type: 'string' },
	community: { type: 'string' },
	communities: { type: 'string' },
	grid: { type: 'string', multiple: true },
	household: { type: 'string' },
	uses: { type: 'string' },
	expires: { type: 'string' },
	label: { type: 'string' },
	name: { type: 'string' },
	origin: { type: 'string' },
	grace: { type: 'string' },
	json: { type: 'boolean' },
	'no-qr': { type: 'boolean' },
	help: { type: 'boolean', short: 'h' }
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

function grantFrom(values: Values) {
	if (!values.role) throw new UsageError('--role is required');
	if (!values.community) throw new UsageError('--community is required');
	try {
		return normalizeGrant({
			role: values.role,
			community: values.community,
			communities: values.communities,
			grids: values.grid?.flatMap((g) => g.split(',')),
			household: values.household
		});
	} catch (error) {
		if (error instanceof GrantError) throw new UsageError(error.message);
		throw error;
	}
}

function duration(text: string | undefined, fallback: number): number {
	if (text === undefined) return fallback;
	try {
		return parseDuration(text);
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
}

const when = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').slice(0, 16));

export async function run(argv: string[], out: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
	let parsed;
	try {
		parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
	const { values, positionals } = parsed;
	const [command, ...rest] = positionals;
	if (!command || values.help || command === 'help') {
		out(`${USAGE}\n`);
		return command || values.help ? 0 : 2;
	}
	const dataDir = process.env.DATA_DIR || './data';
	const databaseUrl = process.env.DATABASE_URL || undefined;
	if (!databaseUrl && !fs.existsSync(path.join(dataDir, DB_FILE))) {
		process.stderr.write(`note: no database in ${path.resolve(dataDir)} yet; creating one (is DATA_DIR right?)\n`);
	}
	const postgres: Postgres | null = databaseUrl ? await openPostgres(databaseUrl, { max: 2 }) : null;
	let credentials: Credentials;
	try {
		credentials = await Credentials.open(dataDir, { revocationPollMs: 0 }, undefined, postgres ? new PgAccessStore(postgres.pool) : undefined);
	} catch (error) {
		await postgres?.close();
		throw error;
	}
	try {
		switch (command) {
			case 'invite': {
				const grant = grantFrom(values);
				const uses = values.uses === undefined ? 1 : Number(values.uses);
				if (!Number.isInteger(uses) || uses < 1 || uses > 1000) throw new UsageError('--uses must be a whole number from 1 to 1000');
				const expiresAt = Date.now() + duration(values.expires, 7 * DAY_MS);
				const label = values.label ?? '';
				const { invitation, code } = await credentials.createInvitation(grant, { expiresAt, maxUses: uses, label, createdBy: 'cli' });
				const origin = values.origin || process.env.PUBLIC_ORIGIN || `http://127.0.0.1:${process.env.PORT || 8080}`;
				const link = invitationLink(origin, code);
				if (values.json) {
					out(`${JSON.stringify({ invitation, code, link })}\n`);
					return 0;
				}
				out(
					[
						`invitation ${invitation.id}: ${describeGrant(grant)}${label ? ` (${label})` : ''}`,
						`valid until ${when(expiresAt)} UTC, ${uses} use${uses === 1 ? '' : 's'}`,
						link,
						''
					].join('\n')
				);
				if (!values['no-qr']) out(`\n${renderUnicodeCompact(link)}\n`);
				return 0;
			}
			case 'devices': {
				const devices = await credentials.devices(values.community ?? null);
				if (values.json) {
					out(`${JSON.stringify({ devices })}\n`);
					return 0;
				}
				if (devices.length === 0) {
					out(`no devices${values.community ? ` in ${values.community}` : ''}\n`);
					return 0;
				}
				for (const d of devices) {
					const state = d.revokedAt !== null ? `revoked ${when(d.revokedAt)}` : d.expiresAt <= Date.now() ? 'expired' : 'active';
					out(`${d.id}  ${d.name}  ${describeGrant(d.grant)}  last seen ${when(d.lastSeen)}  ${state}\n`);
				}
				return 0;
			}
			case 'revoke': {
				const [id] = rest;
				if (!id) throw new UsageError('revoke needs a device id (see `npm run admin -- devices`)');
				const device = await credentials.revoke(id);
				if (!device) {
					process.stderr.write(`no device ${id}\n`);
					return 1;
				}
				const told = await announceRevocation(device.id);
				out(
					`revoked ${device.id} (${device.name}, ${describeGrant(device.grant)}); ${told ? 'the running relays close its connections now' : 'a running relay closes its connections within seconds'}\n`
				);
				return 0;
			}
			case 'token': {
				const grant = grantFrom(values);
				const expiresAt = Date.now() + duration(values.expires, credentials.credentialTtlMs);
				const { token, device } = await credentials.issue(grant, values.name ?? 'cli', { expiresAt });
				out(values.json ? `${JSON.stringify({ token, device })}\n` : `${token}\n`);
				return 0;
			}
			case 'photo-gc': {
				const graceMs = duration(values.grace, DEFAULT_LIMITS.photoGcGraceMs);
				// The documents the relay serves: those in PostgreSQL with DATABASE_URL (photos referred to there are kept).
				const store = postgres ? new PgStore(postgres.pool) : SqliteStore.open(dataDir);
				// The relay's photos: metadata beside the documents, bytes where PHOTO_STORE says (disk or s3).
				const photos = openPhotoStore(dataDir, { meta: postgres ? new PgPhotoMeta(postgres.pool) : undefined, blobs: photoBlobsFromEnv(process.env) });
				try {
					const result = await collectPhotoGarbage({
						photos,
						readState: (doc) => storedState((name) => store.loadUpdates(name), doc),
						graceMs,
						logger: { info: () => {}, warn: (message: string) => process.stderr.write(`warning: ${message}\n`) }
					});
					out(
						values.json
							? `${JSON.stringify(result)}\n`
							: `removed ${result.unlinked} links and ${result.deleted} photos (${result.bytes} bytes)${result.unreadable ? `; ${result.unreadable} unreadable documents kept their photos` : ''}\n`
					);
				} finally {
					await photos.close();
					await store.close();
				}
				return 0;
			}
			default:
				throw new UsageError(`unknown command ${command}`);
		}
	} finally {
		await credentials.close();
		await postgres?.close();
	}
}

/**
 * With REDIS_URL: publishes the revocation the relays publish for their own, so every process reads the shared
 * revocation log now instead of at its next poll (2 s). False when there is no Redis or it cannot be reached
 * (the poll still closes the device's connections).
 */
async function announceRevocation(deviceId: string): Promise<boolean> {
	const url = process.env.REDIS_URL;
	if (!url) return false;
	const fanout = new RedisFanout(url, { id: `admin-cli-${process.pid}` });
	try {
		let timer: NodeJS.Timeout | undefined;
		const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('no answer within 3 s')), 3_000)));
		await Promise.race([fanout.publishRevocation([deviceId]), late]).finally(() => clearTimeout(timer));
		return true;
	} catch (error) {
		process.stderr.write(`warning: could not tell the relays through Redis (${(error as Error).message}); they notice within seconds\n`);
		return false;
	} finally {
		await fanout.close();
	}
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
	run(process.argv.slice(2)).then(
		(code) => process.exit(code),
		(error: unknown) => {
			if (error instanceof UsageError) {
				process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
				process.exit(2);
			}
			process.stderr.write(`error: ${(error as Error).message}\n`);
			process.exit(1);
		}
	);
}
