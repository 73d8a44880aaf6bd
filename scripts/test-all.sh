#!/usr/bin/env bash
# The whole suite, in the order that fails fastest: types, lint, unit tests (Node + Dawn),
# end-to-end tests (Chromium + SwiftShader). Screenshots and traces land in test-results/.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() {
  printf '\n==== %s ====\n' "$1"
}

stage "1/8 typecheck: tsc --noEmit"
npx tsc -p tsconfig.json --noEmit

stage "2/8 lint: eslint (incl. layering rules)"
npx eslint .

stage "3/8 unit tests: vitest (WebGPU through Dawn)"
rm -f test-results/op-errors.jsonl
npx vitest run

stage "4/8 python project: export-project per method, py_compile, its template/metric tests vs the lab's cases"
bash scripts/test-python-project.sh

stage "5/8 op summary: every op's max forward and gradient error vs its float64 reference"
npx tsx scripts/op-summary.ts

stage "6/8 parity: the tiny Llama x every weights file x every method vs PyTorch/peft"
npm run --silent parity

stage "7/8 experiments through the CLI: fixtures model (XNLI x 15, XQuAD x 3) and the toy default"
PREFIX_LAB_DAWN_BACKEND=opengles npx vitest run --config vitest.integration.config.ts

stage "8/8 end-to-end: playwright (Chromium, SwiftShader WebGPU)"
npx playwright test

printf '\n==== all stages passed (screenshots: test-results/screenshots/) ====\n'
