import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPS } from '../../src/engine/ops/index.ts';

describe('op registry', () => {
  it('lists every WGSL file in shaders/ and nothing else', () => {
    const files = readdirSync('shaders').filter((f) => f.endsWith('.wgsl')).map((f) => f.replace(/\.wgsl$/, '')).sort();
    const registered = [...new Set(OPS.flatMap((o) => o.shaders))].sort();
    expect(registered).toEqual(files);
  });
});
