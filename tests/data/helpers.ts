/**
 * Test helpers for src/data: where ../shared/data and ../shared/paper are (next to the repo,
 * never copied in), and a note for describe() titles when they are absent.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NodeDirSource } from '../../src/data/node_source.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDataDir = path.resolve(repoRoot, '../shared/data');
export const paperDir = path.resolve(repoRoot, '../shared/paper');
export const haveSharedData = existsSync(path.join(sharedDataDir, 'languages.json'));
export const havePaper = existsSync(path.join(paperDir, 'results.json'));
export const sharedNote = haveSharedData ? '' : ` [SKIPPED: ${sharedDataDir} not found; these tests need ../shared/data next to the repo]`;
export const paperNote = havePaper ? '' : ` [SKIPPED: ${paperDir} not found]`;
if (!haveSharedData) console.warn(`tests/data: ${sharedDataDir} is absent, tests on the real benchmark files are skipped`);

export const shared = new NodeDirSource(sharedDataDir);
