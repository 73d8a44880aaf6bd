#!/usr/bin/env bash
# The whole suite, in the order that fails fastest: types, lint, unit tests (Node + Dawn),
# end-to-end tests (Chromium + SwiftShader). Screenshots and traces land in test-results/.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() {
  printf '\n==== %s ====\n' "$1"
}

stage "1/4 typecheck: tsc --noEmit"
npx tsc -p tsconfig.json --noEmit

stage "2/4 lint: eslint (incl. layering rules)"
npx eslint .

stage "3/4 unit tests: vitest (WebGPU through Dawn)"
npx vitest run

stage "4/4 end-to-end: playwright (Chromium, SwiftShader WebGPU)"
npx playwright test

printf '\n==== all stages passed (screenshots: test-results/screenshots/) ====\n'
