/**
 * Authorization hook. The relay asks `authenticate` once per connection (token from the `token` query parameter)
 * and `access` per document:
 *   'write'  receives the document and may change it;
 *   'read'   receives the document; its updates and awareness are dropped (Update gets DocError Forbidden);
 *   'none'   refused before any byte of the document is sent.
 * OpenAuthorizer is the default until signed device credentials land; RoleAuthorizer applies the role matrix of
 * DESIGN.md §2 to principals that some credential check produced.
 */
import type { Role } from '../src/lib/domain/actor';
import { type DocKind, type DocName, parseDocName } from '../src/lib/schema/doc-names';

export type Access = 'write' | 'read' | 'none';

export interface Principal {
	id: string;
	/** null for the open (development) principal, which the OpenAuthorizer lets write everything. */
	role: Role | null;
	community?: string;
	/** Grids a grid worker canvasses. */
	grids?: readonly string[];
}

export interface Authorizer {
	/** null refuses the connection (close 4401). */
	authenticate(token: string | null): Promise<Principal | null>;
	access(principal: Principal, docName: string): Access;
}

/** Everyone may write every well-formed document name. */
export class OpenAuthorizer implements Authorizer {
	async authenticate(token: string | null): Promise<Principal> {
		return { id: token ? `token:${token.slice(0, 16)}` : 'anonymous', role: null };
	}

	access(_principal: Principal, docName: string): Access {
		return parseDocName(docName) ? 'write' : 'none';
	}
}

type KindRule = Access | ((principal: Principal, doc: DocName) => Access);

const ownGrid =
	(inGrid: Access): KindRule =>
	(principal, doc) =>
		principal.grids?.includes(doc.id) ? inGrid : 'none';

/**
 * Role × document kind. Extend by adding a kind to DocKind and a column here; a function decides per document
 * (e.g. a grid worker reaches only the registers of their own grids). Street admins get no household data.
 */
export const ACCESS_MATRIX: Readonly<Record<Role, Readonly<Record<DocKind, KindRule>>>> = {
	resident: { community: 'read', proposal: 'write', topic: 'read', households: 'none' },
	grid_worker: { community: 'read', proposal: 'write', topic: 'read', households: ownGrid('write') },
	facilitator: { community: 'read', proposal: 'write', topic: 'write', households: 'read' },
	community_admin: { community: 'write', proposal: 'write', topic: 'write', households: 'write' },
	street_admin: { community: 'read', proposal: 'read', topic: 'read', households: 'none' }
};

export function roleAccess(principal: Principal, docName: string): Access {
	const doc = parseDocName(docName);
	if (!doc || !principal.role) return 'none';
	// Street admins span the communities of their street; everyone else stays in their own community.
	if (principal.role !== 'street_admin' && principal.community !== doc.community) return 'none';
	const rule = ACCESS_MATRIX[principal.role][doc.kind];
	return typeof rule === 'function' ? rule(principal, doc) : rule;
}

/** Applies the role matrix to principals resolved by `resolve` (a credential check, or a fixed table in tests). */
export class RoleAuthorizer implements Authorizer {
	constructor(private readonly resolve: (token: string | null) => Promise<Principal | null>) {}

	authenticate(token: string | null): Promise<Principal | null> {
		return this.resolve(token);
	}

	access(principal: Principal, docName: string): Access {
		return roleAccess(principal, docName);
	}
}
