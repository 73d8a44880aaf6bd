// Issue #10's acceptance on the embedded default (pretrained toy model, no ../shared): prefix
// tuning on English with the lab's default settings and a fixed seed, then zero-shot evaluation of
// every toy language. English and at least one other language family must beat chance by more than
// the 95% interval (the Wilson interval's lower bound lies above 25 %). Through the Lab API, the
// same code path as the CLI and the worker.
import { describe, expect, it } from 'vitest';
import { TOY_LANGUAGES } from '../../src/data/index.ts';
import { Lab } from '../../src/runner/lab.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { MemoryRunStore } from '../../src/runner/run_store.ts';
import { TOY_CHANCE, toyTransferConfig } from '../../src/runner/toy_transfer.ts';

const ITEMS = 100;

describe('toy transfer on the pretrained embedded default', () => {
  it('prefix tuning on English beats chance in English and in another family, outside the 95% interval', async () => {
    const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore(), dataDir: '/nonexistent' }));
    const cfg = toyTransferConfig({ method: 'prefix', tokens: 10, lastLayers: 4 }, ITEMS, 0);
    const s = await lab.waitForRun(await lab.startRun(cfg));
    expect(s.status, s.error).toBe('done');
    const ev = s.eval.toy;
    expect(ev).toBeDefined();
    const stats = ev?.per_language_stats ?? {};
    const lower = (lang: string) => stats[lang]?.intervals.acc?.lo ?? -1;
    for (const l of TOY_LANGUAGES) {
      const st = stats[l.code];
      console.log(`${l.code} (${l.family}, ${l.script}): acc ${ev?.per_language[l.code].acc.toFixed(1)} [${st?.intervals.acc.lo.toFixed(1)}, ${st?.intervals.acc.hi.toFixed(1)}] n ${st?.n}`);
      expect(st?.n).toBe(ITEMS);
    }
    expect(lower('en')).toBeGreaterThan(TOY_CHANCE);
    const otherFamilies = new Set(TOY_LANGUAGES.filter((l) => l.family !== 'Westic' && lower(l.code) > TOY_CHANCE).map((l) => l.family));
    console.log(`families other than English's with a language above chance: ${[...otherFamilies].join(', ') || 'none'}`);
    expect(otherFamilies.size).toBeGreaterThanOrEqual(1);
  });
});
