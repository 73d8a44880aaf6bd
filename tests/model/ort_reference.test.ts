/**
 * onnxruntime-web (wasm EP, in Node) as an independent reference: the tiny-llama ONNX exports
 * reproduce the PyTorch logits in ../shared/fixtures/refs, including the with-past IO and a
 * peft-style kv prefix fed as past_key_values.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { computeInvFreq, parseModelConfig } from '../../src/model/config.ts';
import { halfToFloat } from '../../src/model/dtype.ts';
import { NodeFileSource } from '../../src/model/node_files.ts';
import {
  buildKvPrefixInput,
  createOrtReference,
  floatToHalfBits,
  forwardWithKvPrefix,
} from '../../src/model/ort_reference.ts';
import type { KvPrefixLayer, OrtReference } from '../../src/model/ort_reference.ts';
import { SafetensorsFile } from '../../src/model/safetensors.ts';
import { fixturesDir, fixturesNote, haveFixtures, tinyDir } from './helpers.ts';

const onnxDir = path.join(tinyDir, 'onnx');
const refsDir = path.join(fixturesDir, 'refs');

interface Ref {
  st: SafetensorsFile;
  src: NodeFileSource;
  i32(name: string): Promise<Int32Array>;
  f32(name: string): Promise<Float32Array>;
  shape(name: string): number[];
}

const opened: NodeFileSource[] = [];
const sessions: OrtReference[] = [];
afterAll(async () => {
  for (const s of sessions.splice(0)) await s.dispose();
  for (const s of opened.splice(0)) await s.close();
});

async function openRef(name: string): Promise<Ref> {
  const src = await NodeFileSource.open(path.join(refsDir, name));
  opened.push(src);
  const st = await SafetensorsFile.open(src);
  return {
    st,
    src,
    async i32(n) {
      const info = st.info(n);
      expect(info.dtype).toBe('int32');
      const raw = await st.readRaw(n);
      return new Int32Array(raw.slice().buffer);
    },
    f32: (n) => st.readFloat32(n),
    shape: (n) => st.info(n).shape,
  };
}

async function session(file: string, externalData?: string[]): Promise<OrtReference> {
  const model = new Uint8Array(readFileSync(path.join(onnxDir, file)));
  const ext = externalData?.map((p) => ({ path: p, data: new Uint8Array(readFileSync(path.join(onnxDir, p))) }));
  const ref = await createOrtReference(model, { externalData: ext });
  sessions.push(ref);
  return ref;
}

/** max |a - b| over rows [b, s] whose mask (offset by maskOffset within a row of maskWidth) is 1. */
function maxDiffRealRows(
  a: Float32Array, b: Float32Array, mask: Int32Array, batch: number, seq: number, vocab: number, maskWidth = seq, maskOffset = 0,
): { diff: number; rows: number } {
  expect(a.length).toBe(batch * seq * vocab);
  expect(b.length).toBe(batch * seq * vocab);
  let diff = 0;
  let rows = 0;
  for (let r = 0; r < batch; r++) {
    for (let s = 0; s < seq; s++) {
      if (mask[r * maskWidth + maskOffset + s] !== 1) continue;
      rows++;
      const o = (r * seq + s) * vocab;
      for (let v = 0; v < vocab; v++) {
        const d = Math.abs(a[o + v] - b[o + v]);
        diff = Math.max(diff, Number.isNaN(d) ? Infinity : d);
      }
    }
  }
  return { diff, rows };
}

describe('floatToHalfBits', () => {
  it('round-trips every finite half and rounds to nearest even', () => {
    for (let h = 0; h < 0x10000; h++) {
      const f = halfToFloat(h);
      if (Number.isNaN(f)) continue;
      expect(floatToHalfBits(f)).toBe(h);
    }
    expect(floatToHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie -> even (down)
    expect(floatToHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (up)
    expect(floatToHalfBits(70000)).toBe(0x7c00);
    expect(floatToHalfBits(2 ** -25)).toBe(0); // half the smallest subnormal: tie -> even (0)
    expect(floatToHalfBits(-3 * 2 ** -26)).toBe(0x8001); // 0.75 of it rounds up
    expect(floatToHalfBits(3 * 2 ** -25)).toBe(2); // 1.5 of it: tie -> even (2)
  });
});

describe('buildKvPrefixInput', () => {
  it('broadcasts the prefix over the batch, prepends ones to the mask and offsets positions by N', () => {
    const kvHeads = 2, N = 2, headDim = 1;
    const layer: KvPrefixLayer = { key: Float32Array.of(1, 2, 3, 4), value: Float32Array.of(5, 6, 7, 8) };
    const inp = buildKvPrefixInput(
      { ids: Int32Array.of(9, 9, 9, 9, 9, 9), mask: Int32Array.of(1, 1, 1, 1, 1, 0), batch: 2, seq: 3, prefix: [layer], tokens: N },
      kvHeads, headDim,
    );
    expect([...inp.mask]).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    expect([...inp.positionIds!]).toEqual([2, 3, 4, 2, 3, 4]);
    expect([...inp.past![0].key]).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
    expect([...inp.past![0].value]).toEqual([5, 6, 7, 8, 5, 6, 7, 8]);
    expect(inp.past![0].length).toBe(N);
  });
});

describe.skipIf(!haveFixtures)(`onnxruntime-web reference on tiny-llama${fixturesNote}`, () => {
  const cases: { file: string; ext?: string[]; tol: number; past: boolean; fp16?: boolean }[] = [
    { file: 'model.onnx', tol: 1e-4, past: true },
    { file: 'model_nopast.onnx', tol: 1e-4, past: false },
    { file: 'model_ext.onnx', ext: ['model_ext.onnx_data'], tol: 1e-4, past: true },
    { file: 'model_fp16_nopast.onnx', tol: 3e-3, past: false, fp16: true },
  ];
  for (const c of cases) {
    it(`${c.file}: logits match refs/base.safetensors on real-token rows (<= ${c.tol})`, async () => {
      const ref = await openRef('base.safetensors');
      const ids = await ref.i32('input_ids');
      const mask = await ref.i32('attention_mask');
      const [B, S] = ref.shape('input_ids');
      const want = await ref.f32('logits');
      const V = ref.shape('logits')[2];
      const ort = await session(c.file, c.ext);
      expect(ort.hasPast).toBe(c.past);
      expect(ort.numLayers).toBe(c.past ? 4 : 0);
      expect(ort.inputNames.slice(0, 3)).toEqual(['input_ids', 'attention_mask', 'position_ids']);
      expect(ort.outputNames[0]).toBe('logits');
      expect(ort.floatType).toBe(c.fp16 ? 'float16' : 'float32');
      expect(ort.intType).toBe('int64');
      if (c.past) expect([ort.kvHeads, ort.headDim]).toEqual([2, 16]);
      // position ids default to arange(seq) (no past).
      const out = await ort.forward({ ids, mask, batch: B, seq: S });
      expect(out.dims).toEqual([B, S, V]);
      const { diff, rows } = maxDiffRealRows(out.logits, want, mask, B, S, V);
      console.log(`[ort_reference] base ${c.file}: max |diff| = ${diff.toExponential(3)} over ${rows} real-token rows`);
      expect(rows).toBeGreaterThan(B);
      expect(diff).toBeLessThanOrEqual(c.tol);
    });
  }

  it('explicit arange position ids and an explicit empty past give the same logits as the defaults', async () => {
    const ref = await openRef('base.safetensors');
    const ids = await ref.i32('input_ids');
    const mask = await ref.i32('attention_mask');
    const [B, S] = ref.shape('input_ids');
    const ort = await session('model.onnx');
    const positionIds = new Int32Array(B * S).map((_, i) => i % S);
    const past = Array.from({ length: 4 }, () => ({ key: new Float32Array(0), value: new Float32Array(0), length: 0 }));
    const a = await ort.forward({ ids, mask, batch: B, seq: S });
    const b = await ort.forward({ ids, mask, batch: B, seq: S, positionIds, past, returnPresent: true });
    expect(b.logits).toEqual(a.logits);
    expect(b.present).toHaveLength(4);
    expect(b.present![0].length).toBe(S);
    expect(b.present![0].key.length).toBe(B * 2 * S * 16);
  });

  it('onnx_with_past_io.safetensors: logits reproduced from its 3-token past', async () => {
    const ref = await openRef('onnx_with_past_io.safetensors');
    const ids = await ref.i32('input_ids');
    const mask = await ref.i32('attention_mask');
    const positionIds = await ref.i32('position_ids');
    const [B, S] = ref.shape('input_ids');
    const [, kvHeads, P, headDim] = ref.shape('past_key_values.0.key');
    expect(ref.shape('attention_mask')).toEqual([B, P + S]);
    const past = [];
    for (let l = 0; l < 4; l++) {
      past.push({ key: await ref.f32(`past_key_values.${l}.key`), value: await ref.f32(`past_key_values.${l}.value`), length: P });
    }
    const want = await ref.f32('logits');
    const V = ref.shape('logits')[2];
    const ort = await session('model.onnx');
    expect([ort.kvHeads, ort.headDim]).toEqual([kvHeads, headDim]);
    const out = await ort.forward({ ids, mask, batch: B, seq: S, positionIds, past, returnPresent: true });
    const { diff, rows } = maxDiffRealRows(out.logits, want, mask, B, S, V, P + S, P);
    console.log(
      `[ort_reference] onnx_with_past_io (P=${P}, positions row0 ${[...positionIds.subarray(0, S)].join(',')}): ` +
        `max |diff| = ${diff.toExponential(3)} over ${rows} real-token rows`,
    );
    expect(rows).toBeGreaterThan(B);
    expect(diff).toBeLessThanOrEqual(1e-4);
    // present = concat(past, new) along the sequence axis: the past part comes back unchanged.
    const p0 = out.present![0];
    expect(p0.length).toBe(P + S);
    let pastDiff = 0;
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < kvHeads; h++) {
        for (let t = 0; t < P * headDim; t++) {
          const got = p0.key[((b * kvHeads + h) * (P + S)) * headDim + t];
          const exp = past[0].key[((b * kvHeads + h) * P) * headDim + t];
          pastDiff = Math.max(pastDiff, Math.abs(got - exp));
        }
      }
    }
    expect(pastDiff).toBe(0);
  });

  it('kv prefix (refs/prefix_kv): learned keys/values as past_key_values, no RoPE on them, positions N..', async () => {
    const ref = await openRef('prefix_kv.safetensors');
    const ids = await ref.i32('input_ids');
    const mask = await ref.i32('attention_mask');
    const [B, S] = ref.shape('input_ids');
    const [kvHeads, N, headDim] = ref.shape('param.prefix.0.k');
    const prefix: KvPrefixLayer[] = [];
    for (let l = 0; l < 4; l++) prefix.push({ key: await ref.f32(`param.prefix.${l}.k`), value: await ref.f32(`param.prefix.${l}.v`) });
    const want = await ref.f32('logits');
    const V = ref.shape('logits')[2];
    const ort = await session('model.onnx');

    const out = await forwardWithKvPrefix(ort, { ids, mask, batch: B, seq: S, prefix, tokens: N, returnPresent: true });
    expect(out.dims).toEqual([B, S, V]);
    const { diff, rows } = maxDiffRealRows(out.logits, want, mask, B, S, V);
    console.log(`[ort_reference] prefix_kv (N=${N}) on model.onnx: max |diff| = ${diff.toExponential(3)} over ${rows} real-token rows`);
    expect(rows).toBeGreaterThan(B);
    expect(diff).toBeLessThanOrEqual(1e-4);

    // The export does not rotate past keys: present[:, :, :N] is the prefix, bit for bit, on every layer.
    for (let l = 0; l < 4; l++) {
      const pk = out.present![l];
      for (let b = 0; b < B; b++) {
        for (let h = 0; h < kvHeads; h++) {
          const got = pk.key.subarray((b * kvHeads + h) * (N + S) * headDim, ((b * kvHeads + h) * (N + S) + N) * headDim);
          const exp = prefix[l].key.subarray(h * N * headDim, (h + 1) * N * headDim);
          expect(got).toEqual(exp);
        }
      }
    }

    // Sensitivity: rotating the prefix keys by RoPE at positions 0..N-1 (what a wrong
    // implementation would do) or starting the real tokens at position 0 both change the logits well past 1e-4.
    const config = parseModelConfig(JSON.parse(readFileSync(path.join(tinyDir, 'config.json'), 'utf8')));
    const inv = computeInvFreq(config);
    const half = headDim / 2;
    const rotated = prefix.map((p) => {
      const k = new Float32Array(p.key.length);
      for (let h = 0; h < kvHeads; h++) {
        for (let t = 0; t < N; t++) {
          const o = (h * N + t) * headDim;
          for (let i = 0; i < half; i++) {
            const c = Math.cos(t * inv[i]), s = Math.sin(t * inv[i]);
            const x1 = p.key[o + i], x2 = p.key[o + i + half];
            k[o + i] = x1 * c - x2 * s;
            k[o + i + half] = x2 * c + x1 * s;
          }
        }
      }
      return { key: k, value: p.value };
    });
    const roped = await forwardWithKvPrefix(ort, { ids, mask, batch: B, seq: S, prefix: rotated, tokens: N });
    const ropedDiff = maxDiffRealRows(roped.logits, want, mask, B, S, V).diff;
    const inp = buildKvPrefixInput({ ids, mask, batch: B, seq: S, prefix, tokens: N }, kvHeads, headDim);
    const pos0 = await ort.forward({ ...inp, positionIds: new Int32Array(B * S).map((_, i) => i % S) });
    const pos0Diff = maxDiffRealRows(pos0.logits, want, mask, B, S, V).diff;
    console.log(
      `[ort_reference] prefix_kv negative controls: RoPE on prefix keys -> ${ropedDiff.toExponential(3)}, ` +
        `real tokens at positions 0.. -> ${pos0Diff.toExponential(3)}`,
    );
    expect(ropedDiff).toBeGreaterThan(1e-3);
    expect(pos0Diff).toBeGreaterThan(1e-3);
  });

  it('refuses inputs that do not fit the export', async () => {
    const ort = await session('model.onnx');
    const ids = new Int32Array(6);
    await expect(ort.forward({ ids, mask: new Int32Array(5), batch: 2, seq: 3 })).rejects.toThrow(/mask has 5 values/);
    const badPast = Array.from({ length: 4 }, () => ({ key: new Float32Array(10), value: new Float32Array(10), length: 1 }));
    await expect(ort.forward({ ids, mask: new Int32Array(8), batch: 2, seq: 3, past: badPast })).rejects.toThrow(/expected \[2, 2, 1, 16\]/);
    await expect(forwardWithKvPrefix(ort, { ids, mask: new Int32Array(6), batch: 2, seq: 3, prefix: [], tokens: 1 })).rejects.toThrow(
      /0 prefix layers given, the export has 4/,
    );
    const nopast = await session('model_nopast.onnx');
    await expect(
      nopast.forward({ ids, mask: new Int32Array(6), batch: 2, seq: 3, past: badPast }),
    ).rejects.toThrow(/no past_key_values/);
  });
});
