// Transfer on the pretrained embedded default (no ../shared), with a fixed seed, through the Lab
// API (the CLI's and the worker's code path): full fine-tuning on English toy items for the 'long'
// budget (250 steps, src/runner/toy_transfer.ts), then zero-shot evaluation. English and at least
// one other toy language must beat chance outside the 95% interval (Wilson lower bound > 25 %).
// What this model does NOT show, measured in docs/toy-world.md: the prompt methods (soft prompt,
// prefix tuning, LLaMA-Adapter) stay at chance on it, and no language of another family rises above
// chance; issue #10 stays open on those two points.
import { describe, expect, it } from 'vitest';
import { TOY_LANGUAGES } from '../../src/data/index.ts';
import { Lab } from '../../src/runner/lab.ts';
import { nodeEnvironment } from '../../src/runner/node_env.ts';
import { MemoryRunStore } from '../../src/runner/run_store.ts';
import { TOY_CHANCE, toyTransferConfig } from '../../src/runner/toy_transfer.ts';

const ITEMS = 80;
const LANGS = ['en', 'qwl', 'qwc', 'qsg'];

describe('toy transfer on the pretrained embedded default', () => {
  it('full fine-tuning on English beats chance in English and in another language, outside the 95% interval', async () => {
    const lab = new Lab(nodeEnvironment({ store: new MemoryRunStore(), dataDir: '/nonexistent' }));
    const cfg = toyTransferConfig({ method: 'full', lastLayers: 4 }, ITEMS, 0, 'long', LANGS);
    const s = await lab.waitForRun(await lab.startRun(cfg));
    expect(s.status, s.error).toBe('done');
    const ev = s.eval.toy;
    const stats = ev?.per_language_stats ?? {};
    const lower = (lang: string) => stats[lang]?.intervals.acc?.lo ?? -1;
    for (const code of LANGS) {
      const l = TOY_LANGUAGES.find((x) => x.code === code);
      const st = stats[code];
      console.log(`${code} (${l?.family}, ${l?.script}): acc ${ev?.per_language[code].acc.toFixed(1)} [${st?.intervals.acc.lo.toFixed(1)}, ${st?.intervals.acc.hi.toFixed(1)}] n ${st?.n}`);
      expect(st?.n).toBe(ITEMS);
    }
    expect(lower('en')).toBeGreaterThan(TOY_CHANCE);
    const others = LANGS.filter((c) => c !== 'en' && lower(c) > TOY_CHANCE);
    console.log(`other languages above chance: ${others.join(', ') || 'none'}`);
    expect(others.length).toBeGreaterThanOrEqual(1);
  });
});
