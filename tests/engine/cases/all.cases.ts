// Every op case of the unit suite by op file, for runners outside vitest: the device op check
// (scripts/op-check.ts, run on a real GPU by bench/run-gpu.sh) and any future check page. The vitest
// files run the same arrays one `it` per case.
import type { OpCase } from '../../helpers/op_check.ts';
import { attentionCases } from './attention.cases.ts';
import { attentionDecodeCases } from './attention_decode.cases.ts';
import { concatSeqCases } from './concat_seq.cases.ts';
import { crossEntropyCases } from './cross_entropy.cases.ts';
import { elementwiseCases } from './elementwise.cases.ts';
import { embeddingCases } from './embedding.cases.ts';
import { matmulCases } from './matmul.cases.ts';
import { matmulNBitsCases } from './matmul_nbits.cases.ts';
import { reduceCases } from './reduce.cases.ts';
import { rmsnormCases } from './rmsnorm.cases.ts';
import { ropeCases } from './rope.cases.ts';
import { swigluCases } from './swiglu.cases.ts';

export const OP_CASE_GROUPS: Readonly<Record<string, readonly OpCase[]>> = {
  elementwise: elementwiseCases,
  matmul: matmulCases,
  matmul_nbits: matmulNBitsCases,
  swiglu: swigluCases,
  concat_seq: concatSeqCases,
  rmsnorm: rmsnormCases,
  rope: ropeCases,
  embedding: embeddingCases,
  attention: attentionCases,
  attention_decode: attentionDecodeCases,
  cross_entropy: crossEntropyCases,
  reduce: reduceCases,
};

/** The groups whose kernels use the reduction snippets (run again with the workgroup one where subgroups exist). */
export const REDUCTION_GROUPS = ['rmsnorm', 'cross_entropy', 'reduce'] as const;
