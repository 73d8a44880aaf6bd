// Proves the layering rules in eslint.config.js report what docs/architecture.md forbids, and
// let through what it allows. Files are linted from text with a virtual path: nothing is written.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

/** A module that imports `source` and uses the binding, so only the import itself can be wrong. */
function importing(source: string): string {
  return `import * as dep from '${source}';\nexport const used = dep;\n`;
}

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

const FORBIDDEN: [file: string, source: string][] = [
  ['src/ui/Bad.tsx', '../engine/device.ts'],
  ['src/engine/bad.ts', 'react'],
  ['src/engine/bad.ts', 'react/jsx-runtime'],
  ['src/engine/bad.ts', 'zustand'],
  ['src/engine/bad.ts', '../store/index.ts'],
  ['src/engine/ops/bad.ts', '../../model/llama.ts'],
  ['src/engine/bad.ts', 'node:fs'],
  ['src/data/bad.ts', '../engine/tensor.ts'],
  ['src/data/bad.ts', '../protocol/messages.ts'],
  ['src/protocol/bad.ts', '../data/dataset.ts'],
  ['src/model/bad.ts', '../peft/prefix.ts'],
  ['src/model/bad.ts', '../data/dataset.ts'],
  ['src/peft/bad.ts', '../runner/train.ts'],
  ['src/runner/bad.ts', '../store/index.ts'],
  ['src/runner/bad.ts', '../../workers/client.ts'],
  ['workers/bad.ts', '../src/ui/App.tsx'],
  ['workers/bad.ts', '../src/store/index.ts'],
  ['src/store/bad.ts', '../engine/tensor.ts'],
  ['src/store/bad.ts', '../../workers/trainer.ts'],
  ['src/store/bad.ts', '../runner/train.ts'],
  ['src/store/bad.ts', '../data/metrics/aggregate.ts'],
  ['src/store/bad.ts', '../data/index.ts'],
  ['src/data/metrics/interval.ts', './aggregate.ts'],
  ['src/ui/Bad.tsx', '../data/metrics/interval.ts'],
  ['src/ui/Bad.tsx', '../model/llama.ts'],
  ['src/ui/Bad.tsx', '../../workers/client.ts'],
  ['src/ui/Bad.tsx', '../data/dataset.ts'],
  ['src/ui/Bad.tsx', '../../shaders/matmul.wgsl?raw'],
];

const ALLOWED: [file: string, source: string][] = [
  ['src/ui/Good.tsx', '../store/index.ts'],
  ['src/ui/Good.tsx', '../protocol/messages.ts'],
  ['src/ui/Good.tsx', 'react'],
  ['src/store/good.ts', '../engine/device.ts'],
  ['src/store/good.ts', '../../workers/client.ts'],
  ['src/store/good.ts', '../protocol/messages.ts'],
  ['src/store/good.ts', '../data/metrics/interval.ts'],
  ['src/data/metrics/good.ts', './interval.ts'],
  ['src/engine/dawn.ts', 'node:fs'],
  ['src/engine/ops/good.ts', '../engine.ts'],
  ['src/model/good.ts', '../engine/tensor.ts'],
  ['src/peft/good.ts', '../model/llama.ts'],
  ['src/peft/good.ts', '../protocol/catalog/index.ts'],
  ['src/runner/good.ts', '../peft/prefix.ts'],
  ['src/runner/good.ts', '../data/dataset.ts'],
  ['src/runner/good.ts', '../protocol/messages.ts'],
  ['workers/good.ts', '../src/runner/train.ts'],
  ['workers/good.ts', 'comlink'],
  ['tests/engine/good.test.ts', '../../src/engine/dawn.ts'],
];

describe('layering (eslint no-restricted-imports)', () => {
  it.each(FORBIDDEN)('%s may not import %s', async (file, source) => {
    const errors = await layeringErrors(file, importing(source));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^no-restricted-imports: /);
  });

  it.each(ALLOWED)('%s may import %s', async (file, source) => {
    expect(await layeringErrors(file, importing(source))).toEqual([]);
  });

  it('catches re-exports too', async () => {
    const errors = await layeringErrors('src/ui/Bad.tsx', `export { acquireDevice } from '../engine/device.ts';\n`);
    expect(errors).toHaveLength(1);
  });

  it('names the layer in the message', async () => {
    const [error] = await layeringErrors('src/data/bad.ts', importing('../engine/tensor.ts'));
    expect(error).toContain('src/data may not import src/engine');
  });
});
