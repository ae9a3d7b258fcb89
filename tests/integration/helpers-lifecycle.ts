/** Set-up and tear-down shared by the integration tests: per test file (real servers) and per test (cleanup steps). */
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Relay, RelayOptions } from '../../server/relay';
import { type ChildRelay, removeDir, startTestRelay } from './helpers';

export type Cleanup = Array<() => unknown>;

/** A list a test pushes its cleanup steps onto (relays to close, dirs to remove); run in reverse after each test. */
export function cleanupAfterEach(): Cleanup {
	const cleanup: Cleanup = [];
	afterEach(async () => {
		for (const fn of cleanup.splice(0).reverse()) await fn();
	});
	return cleanup;
}

/**
 * Starts a server before the file's tests (handing it to `use`) and stops it after them. `timeout` bounds the
 * start: a fresh server initialises its data directory first.
 */
export function serviceForFile<S extends { stop(): Promise<unknown> }>(start: () => Promise<S>, use: (service: S) => void, timeout = 120_000): void {
	let service: S | undefined;
	beforeAll(async () => {
		service = await start();
		use(service);
	}, timeout);
	afterAll(async () => {
		await service?.stop();
	});
}

/** A relay in this process for one test (see startTestRelay): closed, and its directory removed, after it. */
export async function relayForTest(cleanup: Cleanup, options: RelayOptions = {}): Promise<Relay & { dataDir: string }> {
	const relay = await startTestRelay(options);
	cleanup.push(
		() => removeDir(relay.dataDir),
		() => relay.close()
	);
	return relay;
}

/** A spawned relay killed (SIGKILL, if still running) after the test; cleanup waits for it to exit. */
export function killAfterTest(cleanup: Cleanup, relay: ChildRelay): ChildRelay {
	cleanup.push(() => {
		if (relay.child.exitCode === null && relay.child.signalCode === null) relay.child.kill('SIGKILL');
		return relay.exited;
	});
	return relay;
}
