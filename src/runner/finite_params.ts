// Finite parameter sets: the one test of "is this adapter worth keeping" shared by the trainer's
// step guard, the lab's last good checkpoint, the run stores and the adapter import.

/** The first non-finite value among named tensors, or undefined when every value is finite. */
export function firstNonFinite(params: readonly { name: string; data: ArrayLike<number> }[]): { name: string; index: number; value: number; count: number } | undefined {
  for (const p of params) {
    for (let i = 0; i < p.data.length; i++) {
      if (Number.isFinite(p.data[i])) continue;
      let count = 0;
      for (let j = i; j < p.data.length; j++) if (!Number.isFinite(p.data[j])) count++;
      return { name: p.name, index: i, value: p.data[i], count };
    }
  }
  return undefined;
}

export function allFinite(params: readonly { name: string; data: ArrayLike<number> }[]): boolean {
  return firstNonFinite(params) === undefined;
}

/** "tensor 'prefix.3' has 12 non-finite values (first: NaN at index 40)". */
export function describeNonFinite(bad: NonNullable<ReturnType<typeof firstNonFinite>>): string {
  return `tensor '${bad.name}' has ${bad.count} non-finite value${bad.count > 1 ? 's' : ''} (first: ${bad.value} at index ${bad.index})`;
}
