// Browser op checks: the same OpCases as the Node suite (tests/engine/cases), run on the
// browser's own WebGPU (Chromium's Dawn) through the same Engine, so the browser path is proven.
// A subset keeps the e2e time small on SwiftShader: a few cases per op, covering GQA, both
// prefix modes, padding, frozen inputs and shapes that are not multiples of the tiles.
import { acquireDevice, describeDevice } from '../../src/engine/device.ts';
import { Engine } from '../../src/engine/engine.ts';
import { runOpCase, type OpCase } from '../helpers/op_check.ts';
import { attentionCases } from '../engine/cases/attention.cases.ts';
import { concatSeqCases } from '../engine/cases/concat_seq.cases.ts';
import { crossEntropyCases } from '../engine/cases/cross_entropy.cases.ts';
import { elementwiseCases } from '../engine/cases/elementwise.cases.ts';
import { embeddingCases } from '../engine/cases/embedding.cases.ts';
import { matmulCases } from '../engine/cases/matmul.cases.ts';
import { reduceCases } from '../engine/cases/reduce.cases.ts';
import { rmsnormCases } from '../engine/cases/rmsnorm.cases.ts';
import { ropeCases } from '../engine/cases/rope.cases.ts';
import { swigluCases } from '../engine/cases/swiglu.cases.ts';

export interface OpCheckResult {
  name: string;
  maxForwardError: number;
  /** NaN when the op has no backward pass. */
  maxGradError: number;
  ok: boolean;
  error?: string;
}

export interface OpCheckReport {
  adapter: string;
  results: OpCheckResult[];
}

const pick = (cases: OpCase[], ...idx: number[]) => idx.map((i) => cases[i]).filter(Boolean);

/** Indices into each op's case list: small and diverse (see the cases files for what each is). */
export function browserCases(): OpCase[] {
  const joint = attentionCases.filter((c) => /joint/.test(c.variant));
  const gated = attentionCases.filter((c) => /gated/.test(c.variant));
  const plain = attentionCases.filter((c) => !/joint|gated/.test(c.variant));
  return [
    ...pick(elementwiseCases, 2, 3),
    ...pick(matmulCases, 5, 6, 7),
    ...pick(swigluCases, 1),
    ...pick(concatSeqCases, 1),
    ...pick(rmsnormCases, 0, 1),
    ...pick(ropeCases, 1),
    ...pick(embeddingCases, 0),
    ...pick(plain, 2),
    ...pick(joint, 2),
    ...pick(gated, 1),
    ...pick(crossEntropyCases, 0),
    ...pick(reduceCases, 1),
  ];
}

/** Runs every check; a thrown check becomes a failed row instead of aborting the rest. */
export async function runBrowserOpChecks(gpu: GPU | undefined): Promise<OpCheckReport> {
  const acquired = await acquireDevice(gpu);
  const engine = new Engine(acquired);
  const results: OpCheckResult[] = [];
  // Reduction kernels run with the snippet the engine picks (subgroups where the browser offers them);
  // where that is the subgroup one, a few of their cases run again with the workgroup-memory one.
  const reductions = engine.subgroups ? [...pick(rmsnormCases, 0), ...pick(crossEntropyCases, 0), ...pick(reduceCases, 1)] : [];
  const picked = engine.reductionSnippet;
  const runs = [
    ...browserCases().map((c) => ({ c, subgroups: engine.subgroups, note: '' })),
    ...reductions.map((c) => ({ c, subgroups: false, note: ' [reduce_workgroup]' })),
  ];
  try {
    for (const { c, subgroups, note } of runs) {
      engine.useSubgroups(subgroups);
      const name = `${c.op} ${c.variant}${note}`;
      try {
        const r = await runOpCase(engine, c);
        results.push({ name, maxForwardError: r.maxForwardError, maxGradError: r.maxGradError, ok: r.ok, ...(r.ok ? {} : { error: r.detail }) });
      } catch (e) {
        results.push({ name, maxForwardError: Number.NaN, maxGradError: Number.NaN, ok: false, error: String(e) });
      }
    }
  } finally {
    acquired.device.destroy();
  }
  return { adapter: `${describeDevice(acquired.info)}; reductions: ${picked}`, results };
}
