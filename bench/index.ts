/**
 * `npm run bench`: every benchmark, printing figures and ratios against a baseline measured in the same run.
 * Needs a build for the bundle figure (made here when missing). Loopback only, bounded in time.
 */
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { finderBench } from './canvassing-finder';
import { firstLoadReport, kb, pageAddedJs } from './first-load-js';
import { minutesBench } from './minutes';
import { pointsBench } from './points';
import { pollTallyBench } from './poll-tally';
import { precacheBench } from './precache';
import { budgetsBench } from './relay-budgets';
import { fanoutBench } from './relay-fanout';
import { pullBench } from './relay-pull';
import { scaleBench } from './relay-scale';
import { reportsBench } from './reports';
import { roomsBench } from './rooms';
import { searchBench } from './search-in-browser';
import { syncCatchupBench } from './sync-catchup';
import { writeRulesBench } from './write-rules';

async function main() {
	if (!existsSync('build/index.html')) execSync('npx vite build', { stdio: 'inherit' });
	console.log('== First-load JavaScript (measured in Chromium, gzip -9)');
	console.log(await firstLoadReport());
	// Report, rooms and convention code (charts, the editor, the diff) load only with their pages: the first load
	// does not carry them.
	for (const [name, route] of [
		['/reports', 'src/routes/reports/+page.svelte'],
		['/reports/print', 'src/routes/reports/print/+page.svelte'],
		['/reports/public', 'src/routes/reports/public/+page.svelte'],
		['/rooms', 'src/routes/rooms/+page.svelte'],
		['/room', 'src/routes/room/+page.svelte'],
		['/conventions', 'src/routes/conventions/+page.svelte'],
		['/convention', 'src/routes/convention/+page.svelte']
	] as const) {
		const added = pageAddedJs(route);
		console.log(`${name} adds ${kb(added.page)} gzip when opened, ${kb(added.onDemand)} more on demand (charts, exports); first load unchanged by it`);
	}
	console.log();
	console.log(String(precacheBench()));
	console.log();
	console.log(String(await pullBench()));
	console.log(String(await syncCatchupBench()));
	console.log();
	console.log(String(await fanoutBench()));
	console.log(String(await scaleBench()));
	console.log();
	for (const r of await budgetsBench()) console.log(`${r.toString()}\n`);
	console.log(String(await writeRulesBench()));
	console.log();
	console.log(await searchBench());
	console.log();
	console.log(finderBench());
	console.log();
	console.log(String(await pollTallyBench()));
	console.log();
	console.log(await minutesBench());
	console.log();
	console.log(String(reportsBench()));
	console.log();
	console.log(String(pointsBench()));
	console.log();
	console.log(String(roomsBench()));
}

main().then(
	() => process.exit(0),
	(err) => {
		console.error(err);
		process.exit(1);
	}
);
