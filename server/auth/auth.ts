/**
 * Authorization hook. The relay asks `authenticate` once per connection (the credential from the `token` query
 * parameter) and `access` per document, using THE access matrix of src/lib/domain/access.ts:
 *   'write'  receives the document and may change it;
 *   'read'   receives the document; its updates and awareness are dropped (answered with one DocError/denial);
 *   'none'   refused before any byte of the document is sent.
 * `watch` ends an open connection when its credential is revoked or expires.
 *
 * CredentialAuthorizer (signed device credentials, credentials.ts) is the relay's default. OpenAuthorizer lets
 * anyone write every well-formed document: development and tests only, chosen explicitly (`auth: 'open'`,
 * COURTYARD_AUTH=open).
 */
import { type Access, accessFor, type Grant } from '../../src/lib/domain/access';
import { parseDocName } from '../../src/lib/schema/doc-names';
import type { Credentials } from './credentials';

export type { Access } from '../../src/lib/domain/access';

export interface Principal {
	/** The credential's device id ('open' for the development principal). */
	deviceId: string;
	/** What the credential grants; null only for the open principal, which may write everything. */
	grant: Grant | null;
	/** When the credential expires (ms since the epoch); null if never. */
	expiresAt: number | null;
}

export type Authentication = { ok: true; principal: Principal } | { ok: false; reason: string };

export interface Authorizer {
	/** `{ ok: false, reason }` refuses the connection with 4401 and that reason. */
	authenticate(token: string | null): Promise<Authentication>;
	access(principal: Principal, docName: string): Access;
	/** Calls `end(reason)` once the principal's credential is revoked or expires; returns an unsubscribe. */
	watch(principal: Principal, end: (reason: string) => void): () => void;
}

/** Access of a principal to a document name: the domain matrix; malformed names are refused. */
export function principalAccess(principal: Principal, docName: string): Access {
	const doc = parseDocName(docName);
	if (!doc) return 'none';
	if (principal.grant === null) return 'write';
	return accessFor(principal.grant, doc);
}

/** Development only: everyone may write every well-formed document name. */
export class OpenAuthorizer implements Authorizer {
	async authenticate(): Promise<Authentication> {
		return { ok: true, principal: { deviceId: 'open', grant: null, expiresAt: null } };
	}

	access(principal: Principal, docName: string): Access {
		return principalAccess(principal, docName);
	}

	watch(): () => void {
		return () => {};
	}
}

/** Signed device credentials (credentials.ts) and the domain access matrix. */
export class CredentialAuthorizer implements Authorizer {
	constructor(private readonly credentials: Credentials) {}

	async authenticate(token: string | null): Promise<Authentication> {
		const verified = await this.credentials.verify(token);
		if (!verified.ok) return { ok: false, reason: verified.reason };
		return { ok: true, principal: { deviceId: verified.deviceId, grant: verified.grant, expiresAt: verified.expiresAt } };
	}

	access(principal: Principal, docName: string): Access {
		// A credential always carries a grant; never let a null one mean "everything" here.
		if (principal.grant === null) return 'none';
		return principalAccess(principal, docName);
	}

	watch(principal: Principal, end: (reason: string) => void): () => void {
		if (principal.expiresAt === null) return () => {};
		return this.credentials.watch(principal.deviceId, principal.expiresAt, end);
	}
}
