// ESLint flat config. Besides typescript-eslint's (non type-checked, fast) recommended rules,
// it enforces the layer diagram in docs/architecture.md with no-restricted-imports:
//
//   shaders/ (WGSL) <- src/engine <- src/model <- src/peft <- src/runner <- workers/
//   src/data, src/protocol: leaves (import nothing internal); src/peft and above read src/protocol
//   (its catalog: ids, method and benchmark descriptors, the language table)
//   src/ui -> src/store -> (src/protocol, workers/client.ts, src/engine/device.ts,
//                           src/data/metrics/interval.ts: pure statistics that import nothing)
//
// A flat config replaces (does not merge) a rule's options per matching block, so each layer gets
// one block listing everything it may NOT import. tests/lint/layering.test.ts proves the rules bite.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

// Import-path globs (gitignore syntax, matched against the import string, e.g. '../engine/x.ts').
const LAYER = {
  shaders: '**/shaders/**',
  engine: '**/engine/**',
  model: '**/model/**',
  peft: '**/peft/**',
  runner: '**/runner/**',
  data: '**/data/**',
  protocol: '**/protocol/**',
  store: '**/store/**',
  ui: '**/ui/**',
  workers: '**/workers/**',
};

/** One pattern group per forbidden layer, so the message names the layer. */
function forbid(from, layers) {
  return layers.map((name) => ({
    group: Array.isArray(name) ? name[1] : [LAYER[name]],
    message: `${from} may not import ${Array.isArray(name) ? name[0] : `src/${name}`} (see docs/architecture.md).`,
  }));
}

function restrict(from, layers, extra = {}) {
  return {
    'no-restricted-imports': ['error', { paths: extra.paths ?? [], patterns: [...forbid(from, layers), ...(extra.patterns ?? [])] }],
  };
}

// The engine runs in browsers and workers: no UI libraries, no DOM-side packages.
const UI_PACKAGES = ['react', 'react-dom', 'zustand', 'recharts'].map((name) => ({
  name,
  message: 'src/engine has no UI: React/state/chart libraries belong to src/ui and src/store.',
}));
const UI_PACKAGE_PATTERNS = [{ group: ['react/*', 'react-dom/*', 'zustand/*', 'recharts/*'], message: 'src/engine has no UI.' }];
// Node built-ins would break the engine in the browser; src/engine/dawn.ts is the Node-only exception.
const NODE_BUILTINS = [{ group: ['node:*'], message: 'src/engine must run in browsers: only src/engine/dawn.ts may use Node built-ins.' }];

const ABOVE_ENGINE = ['model', 'peft', 'runner', 'data', 'protocol', 'store', 'ui', 'workers'];
const engineRules = (withNode) =>
  restrict('src/engine', ABOVE_ENGINE, {
    paths: UI_PACKAGES,
    patterns: [...UI_PACKAGE_PATTERNS, ...(withNode ? [] : NODE_BUILTINS)],
  });

const DATA_FORBIDS = ['shaders', 'engine', 'model', 'peft', 'runner', 'protocol', 'store', 'ui', 'workers'];

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'test-results/', 'playwright-report/', '.vite/', 'out/', '.gl/', '.devwork/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // `_`-prefixed names document deliberately unused parameters (e.g. WebGPU callbacks).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/engine/**/*.{ts,tsx}'], rules: engineRules(false) },
  { files: ['src/engine/dawn.ts'], rules: engineRules(true) },
  { files: ['src/model/**/*.{ts,tsx}'], rules: restrict('src/model', ['shaders', 'peft', 'runner', 'data', 'protocol', 'store', 'ui', 'workers']) },
  { files: ['src/peft/**/*.{ts,tsx}'], rules: restrict('src/peft', ['shaders', 'runner', 'data', 'store', 'ui', 'workers']) },
  { files: ['src/runner/**/*.{ts,tsx}'], rules: restrict('src/runner', ['shaders', 'store', 'ui', 'workers']) },
  { files: ['workers/**/*.{ts,tsx}'], rules: restrict('workers/', ['shaders', 'store', 'ui']) },
  { files: ['src/data/**/*.{ts,tsx}'], rules: restrict('src/data', DATA_FORBIDS) },
  // The store imports this file, so it must stay a leaf of the leaf: no imports at all.
  {
    files: ['src/data/metrics/interval.ts'],
    rules: restrict('src/data', DATA_FORBIDS, {
      patterns: [{ group: ['./*', '../*'], message: 'src/data/metrics/interval.ts imports nothing: src/store imports it (see docs/architecture.md).' }],
    }),
  },
  { files: ['src/protocol/**/*.{ts,tsx}'], rules: restrict('src/protocol', ['shaders', 'engine', 'model', 'peft', 'runner', 'data', 'store', 'ui', 'workers']) },
  {
    files: ['src/store/**/*.{ts,tsx}'],
    rules: restrict('src/store', [
      'shaders',
      ['src/engine (except device.ts, for device detection)', ['**/engine/**', '!**/engine/device.ts']],
      'model',
      'peft',
      'runner',
      // gitignore semantics: a file is re-included only if its folder is, hence the metrics/ dance.
      ['src/data (except metrics/interval.ts, pure statistics)', ['**/data/**', '!**/data/metrics/', '**/data/metrics/*', '!**/data/metrics/interval.ts']],
      'ui',
      ['workers/ (except workers/client.ts)', ['**/workers/**', '!**/workers/client.ts']],
    ]),
  },
  { files: ['src/ui/**/*.{ts,tsx}', 'src/main.tsx', 'src/bench_page.ts'], rules: restrict('src/ui', ['shaders', 'engine', 'model', 'peft', 'runner', 'data', 'workers']) },
);
