#!/usr/bin/env bash
# The whole suite, in the order that fails fastest: types, lint, unit tests (Node + Dawn),
# end-to-end tests (Chromium + SwiftShader). Screenshots and traces land in test-results/.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() {
  printf '\n==== %s ====\n' "$1"
}

stage "1/6 typecheck: tsc --noEmit"
npx tsc -p tsconfig.json --noEmit

stage "2/6 lint: eslint (incl. layering rules)"
npx eslint .

stage "3/6 unit tests: vitest (WebGPU through Dawn)"
rm -f test-results/op-errors.jsonl
npx vitest run

stage "4/6 op summary: every op's max forward and gradient error vs its float64 reference"
npx tsx scripts/op-summary.ts

stage "5/6 parity: the tiny Llama x every weights file x every method vs PyTorch/peft"
npm run --silent parity

stage "6/6 end-to-end: playwright (Chromium, SwiftShader WebGPU)"
npx playwright test

printf '\n==== all stages passed (screenshots: test-results/screenshots/) ====\n'
