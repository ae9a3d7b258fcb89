/**
 * Writes the reports' data dictionary (src/lib/domain/report-dictionary.ts) into the README between its
 * markers: `npm run dictionary`. A unit test checks that the README holds what this would write.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { dictionaryMarkdown } from '../src/lib/domain/report-dictionary';

const README = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../README.md');
const START = '<!-- data-dictionary:start -->';
const END = '<!-- data-dictionary:end -->';

const text = fs.readFileSync(README, 'utf8');
const from = text.indexOf(START);
const to = text.indexOf(END);
if (from < 0 || to < from) throw new Error(`README.md has no ${START} … ${END} section`);
fs.writeFileSync(README, `${text.slice(0, from + START.length)}\n${dictionaryMarkdown()}\n${text.slice(to)}`);
console.log('README.md: data dictionary updated');
