/**
 * Which built files the service worker precaches for which role (issue #16, item 7).
 *
 * Role-specific code (the minutes editor, the spreadsheet libraries, staff-only pages) is split into groups at
 * build time (`planPrecache`, run on the client build's Vite manifest): a group holds the files that only a gated
 * module and its imports need and that nothing every role opens reaches. Everything else is common and precached
 * on every device. A role gets the groups of the gates it may use (`ROLE_CODE`); a device also keeps every group
 * it has used (a resident opening a convention loads the editor), so that the next version fetches those too.
 *
 * Plain TypeScript without browser imports: the build plugin runs it in Node and the service worker imports the
 * runtime half (`deviceFiles`, `groupsOfFile`).
 */
import type { Role } from '../domain/actor';
import { type Action, PERMISSIONS } from '../domain/permissions';

/** What the build hands the service worker. Paths are build-relative (`_app/immutable/…`), without a leading slash. */
export interface PrecachePlan {
	/** Role-specific files by group; a file may be in several groups. */
	groups: Record<string, string[]>;
	/** The groups each role gets at install. Roles not listed (and devices that have not joined) get none. */
	roles: Partial<Record<Role, string[]>>;
}

/** What a device told its service worker: its role and the groups it has used. */
export interface DeviceCode {
	role: Role | null;
	used: string[];
}

/** A gate: modules whose code only some roles need. */
export interface CodeGate {
	/** Names the group in the plan. */
	name: string;
	/** Manifest keys (source paths relative to the root) of the gated modules or route files, matched by prefix. */
	modules: string[];
	/** The roles that use it: those holding any of these permissions, plus `roles`. */
	actions?: Action[];
	roles?: Role[];
}

/**
 * The app's role-specific code. Pages a grid worker opens at the door (households, visits, coverage, polls) are
 * deliberately not gated: they must open offline right after joining.
 */
export const ROLE_CODE: readonly CodeGate[] = [
	// ProseMirror, y-prosemirror: meeting minutes (staff) and a convention's draft (read by anyone, loaded on use).
	{ name: 'editor', modules: ['src/lib/components/minutes/editor.ts'], actions: ['run-meeting', 'edit-convention'] },
	{ name: 'register-files', modules: ['src/lib/client/register-files.ts', 'node_modules/read-excel-file/'], actions: ['keep-register'] },
	// The report pages offer CSV/XLSX exports to every role but residents.
	{ name: 'report-exports', modules: ['node_modules/write-excel-file/', 'node_modules/papaparse/'], roles: ['grid_worker', 'facilitator', 'community_admin', 'street_admin'] },
	{ name: 'admin-pages', modules: ['src/routes/admin/'], actions: ['issue-invitation', 'manage-devices', 'edit-community'] },
	{ name: 'register-import', modules: ['src/routes/households/import/'], actions: ['keep-register'] },
	{ name: 'minutes-page', modules: ['src/routes/meeting/minutes/'], actions: ['run-meeting'] },
	{ name: 'meeting-planning', modules: ['src/routes/meetings/new/'], actions: ['run-meeting'] },
	{ name: 'poll-setup', modules: ['src/routes/polls/new/'], actions: ['run-poll'] },
	{ name: 'street-office', modules: ['src/routes/street/', 'src/lib/components/street/StreetHome.svelte'], actions: ['answer-referral'] }
];

/** The roles that use a gate's code. */
export function gateRoles(gate: CodeGate): Role[] {
	const roles = new Set<Role>(gate.roles ?? []);
	for (const action of gate.actions ?? []) for (const role of Object.keys(PERMISSIONS[action]) as Role[]) roles.add(role);
	return [...roles].sort();
}

/** The parts of a Vite manifest chunk the plan reads. */
export interface ManifestChunk {
	file: string;
	src?: string;
	isEntry?: boolean;
	imports?: string[];
	dynamicImports?: string[];
	css?: string[];
	assets?: string[];
}
export type Manifest = Record<string, ManifestChunk>;

/**
 * Splits a client build into common files and role groups.
 * `entryRoutes` names, for SvelteKit's route node entries, the route file each one renders, so that pages can be
 * gated like modules; entries not listed there (the app, the router, the root layout) always start the common set.
 */
export function planPrecache(manifest: Manifest, gates: readonly CodeGate[], entryRoutes: Record<string, string> = {}): PrecachePlan {
	const matches = (key: string, gate: CodeGate) => {
		const names = [key, manifest[key]?.src ?? '', entryRoutes[key] ?? ''];
		return gate.modules.some((prefix) => names.some((name) => name.startsWith(prefix)));
	};
	const gateOf = new Map<string, CodeGate>();
	for (const key of Object.keys(manifest)) {
		const gate = gates.find((g) => matches(key, g));
		if (gate) gateOf.set(key, gate);
	}

	/**
	 * Files reached from `starts` through static and dynamic imports. The common set stops at dynamic imports of
	 * gated modules; a gate's own closure follows them all, since its code needs what it loads.
	 */
	const reach = (starts: string[], stopAtGates: boolean): Set<string> => {
		const seen = new Set<string>();
		const files = new Set<string>();
		const stack = [...starts];
		while (stack.length) {
			const key = stack.pop()!;
			if (seen.has(key)) continue;
			seen.add(key);
			const chunk = manifest[key];
			if (!chunk) continue;
			for (const file of [chunk.file, ...(chunk.css ?? []), ...(chunk.assets ?? [])]) files.add(file);
			stack.push(...(chunk.imports ?? []));
			for (const next of chunk.dynamicImports ?? []) {
				if (!stopAtGates || !gateOf.has(next)) stack.push(next);
			}
		}
		return files;
	};

	const starts = Object.keys(manifest).filter((key) => manifest[key]!.isEntry && !gateOf.has(key));
	const common = reach(starts, true);
	const groups: Record<string, string[]> = {};
	const roles: Partial<Record<Role, string[]>> = {};
	for (const gate of gates) {
		const keys = [...gateOf].filter(([, g]) => g === gate).map(([key]) => key);
		const files = [...reach(keys, false)].filter((file) => !common.has(file)).sort();
		if (!files.length) continue;
		groups[gate.name] = files;
		for (const role of gateRoles(gate)) (roles[role] ??= []).push(gate.name);
	}
	return { groups, roles };
}

/** Every file that is in some group (the service worker precaches the rest of the build for everyone). */
export function roleSpecificFiles(plan: PrecachePlan): Set<string> {
	return new Set(Object.values(plan.groups).flat());
}

/** The groups a device keeps: its role's and those it has used. */
export function deviceGroups(plan: PrecachePlan, device: DeviceCode): string[] {
	const names = new Set([...(device.role ? (plan.roles[device.role] ?? []) : []), ...device.used]);
	return [...names].filter((name) => name in plan.groups).sort();
}

/** The role-specific files a version must hold for a device, beyond the common set; what its install fetches. */
export function deviceFiles(plan: PrecachePlan, device: DeviceCode): string[] {
	return [...new Set(deviceGroups(plan, device).flatMap((name) => plan.groups[name]!))].sort();
}

/** The groups a file belongs to (to remember that the device used them). */
export function groupsOfFile(plan: PrecachePlan, file: string): string[] {
	return Object.keys(plan.groups).filter((name) => plan.groups[name]!.includes(file));
}
