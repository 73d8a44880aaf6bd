// The op registry: one explicit list of every op, its WGSL files and its autograd entry points.
// Tests and docs enumerate ops from here; adding an op means adding a line.
export * from './elementwise.ts';
export * from './matmul.ts';
export * from './swiglu.ts';
export * from './concat_seq.ts';
export * from './embedding.ts';
export * from './rmsnorm.ts';
export * from './rope.ts';
export * from './attention.ts';
export * from './attention_decode.ts';
export * from './cross_entropy.ts';
export * from './reduce.ts';
export * from './adamw.ts';
export * from './clip.ts';
export * from './dequant_nbits.ts';
export * from './matmul_nbits.ts';

export interface OpInfo {
  name: string;
  shaders: string[];
  differentiable: boolean;
}

export const OPS: readonly OpInfo[] = [
  { name: 'add / mul / scale / add_scaled', shaders: ['elementwise'], differentiable: true },
  { name: 'matmul', shaders: ['matmul', 'matmul_wide', 'matmul_splitk'], differentiable: true },
  { name: 'swiglu', shaders: ['swiglu'], differentiable: true },
  { name: 'concat_seq', shaders: ['concat_seq'], differentiable: true },
  { name: 'embedding', shaders: ['embedding'], differentiable: true },
  { name: 'rmsnorm', shaders: ['rmsnorm'], differentiable: true },
  { name: 'rope', shaders: ['rope'], differentiable: true },
  { name: 'attention', shaders: ['attention_forward', 'attention_backward'], differentiable: true },
  { name: 'attention_decode / kv_cache_write', shaders: ['attention_decode'], differentiable: false },
  { name: 'cross_entropy / token_logprobs', shaders: ['cross_entropy'], differentiable: true },
  { name: 'sum / sum_squares / sum_rows', shaders: ['reduce'], differentiable: true },
  { name: 'adamw', shaders: ['adamw'], differentiable: false },
  { name: 'clip_grad_norm', shaders: ['reduce'], differentiable: false },
  { name: 'dequant_nbits', shaders: ['dequant_nbits'], differentiable: false },
  { name: 'matmul_nbits', shaders: ['matmul_nbits'], differentiable: true },
];
