// A catalog list: descriptors by id, in display order, that a plug-in (or a test) may extend.
// Readers take `all` when they render, so a registered descriptor shows up everywhere at once.

export interface Registry<T extends { id: string }> {
  /** Every descriptor, in order (the live list: register adds to it). */
  readonly all: readonly T[];
  /** The descriptor of `id`; an unknown id throws, naming the known ones. */
  get(id: string): T;
  /** Adds `d` (its id must be new); returns the function that removes it again. */
  register(d: T): () => void;
}

export function createRegistry<T extends { id: string }>(kind: string, initial: readonly T[]): Registry<T> {
  const list = [...initial];
  return {
    all: list,
    get(id) {
      const d = list.find((x) => x.id === id);
      if (!d) throw new Error(`unknown ${kind} '${id}' (known: ${list.map((x) => x.id).join(', ')})`);
      return d;
    },
    register(d) {
      if (list.some((x) => x.id === d.id)) throw new Error(`${kind} '${d.id}' is already in the catalog`);
      list.push(d);
      return () => {
        const i = list.indexOf(d);
        if (i >= 0) list.splice(i, 1);
      };
    },
  };
}
