// The catalog: the one place ids, method and benchmark descriptors, metric keys and the language
// table are written. Every layer above src/engine may read it (docs/architecture.md); it imports nothing.
export * from './benchmarks.ts';
export * from './languages.ts';
export * from './methods.ts';
