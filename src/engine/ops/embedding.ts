// Embedding lookup: forward, deterministic scatter-add backward, autograd entry, CPU id check.
import type { Tensor } from '../tensor.ts';
import { FrozenMatrix } from './linear.ts';

const WG = 256;

/** Throws for any id that is not an integer in [0, vocabSize), naming the first offender. */
export function checkIds(ids: ArrayLike<number>, vocabSize: number): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new RangeError(`token id ${id} is outside the vocabulary of ${vocabSize} (at index ${i})`);
    }
  }
}

function check(ids: Tensor, table: Tensor): { v: number; d: number } {
  if (ids.dtype === 'f32' || table.dtype !== 'f32' || table.shape.length !== 2 || table.shape[0] === 0) {
    throw new Error(`embedding: needs integer ids (got ${ids.dtype}) and an f32 table [V, D] with V > 0 (got [${table.shape}] ${table.dtype})`);
  }
  return { v: table.shape[0], d: table.shape[1] };
}

/** out[..., d] = table[ids[...], d]; ids outside [0, V) give zero rows. */
export function embedding_forward(ids: Tensor, table: Tensor): Tensor {
  const { v, d } = check(ids, table);
  const e = table.engine;
  const out = e.empty([...ids.shape, d], 'f32', 'embedding');
  e.run({ shader: 'embedding', entryPoint: 'forward', constants: { WG } }, [ids, table, out], [out.size, d, v, ids.size, 0, v], e.grid(Math.ceil(out.size / WG)));
  return out;
}

/** Lookup in a frozen table (f32 or f16, possibly split into row blocks): no gradient to the table. */
export function embeddingFrozen(ids: Tensor, table: FrozenMatrix): Tensor {
  if (ids.dtype === 'f32') throw new Error(`embedding: needs integer ids, got ${ids.dtype}`);
  const e = ids.engine;
  const [v, d] = [table.rows, table.cols];
  const out = e.empty([...ids.shape, d], 'f32', 'embedding');
  table.parts.forEach((part, i) => {
    const constants = { WG, TABLE_F16: part.dtype === 'f16' ? 1 : 0 };
    const params = [out.size, d, v, ids.size, i * table.rowsPerPart, part.shape[0]];
    e.run({ shader: 'embedding', entryPoint: 'forward', constants }, [ids, part, out], params, e.grid(Math.ceil(out.size / WG)));
  });
  return out;
}

/** dTable [V, D]: g [..., D] summed into the rows of their ids (repeated ids accumulate, in token order). */
export function embedding_backward(ids: Tensor, table: Tensor, g: Tensor): Tensor {
  const { v, d } = check(ids, table);
  const e = table.engine;
  const dt = e.zeros(table.shape, 'f32', 'embedding.dtable');
  e.run({ shader: 'embedding', entryPoint: 'backward', constants: { WG } }, [ids, g, dt], [ids.size * d, d, v, ids.size, 0, v], e.grid(ids.size));
  return dt;
}

/** ids (i32, any shape) -> [...ids.shape, D]; dTable only when table.requiresGrad. */
export function embedding(ids: Tensor, table: Tensor): Tensor {
  return table.engine.record(embedding_forward(ids, table), 'embedding', [ids, table], (g) => [
    null,
    table.requiresGrad ? embedding_backward(ids, table, g) : null,
  ]);
}

/** Lookup in the model's table: frozen (no gradient) or a trainable f32 tensor (full fine-tuning). */
export function embedLookup(ids: Tensor, table: FrozenMatrix | Tensor): Tensor {
  return table instanceof FrozenMatrix ? embeddingFrozen(ids, table) : embedding(ids, table);
}
