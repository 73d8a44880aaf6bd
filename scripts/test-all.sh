#!/usr/bin/env bash
# The whole suite, in the order that fails fastest: types, lint, unit tests (Node + Dawn),
# end-to-end tests (Chromium + SwiftShader). Screenshots and traces land in test-results/.
# Stage 7 (whole experiments through the CLI on Dawn's OpenGL ES backend) runs in the background
# from the start of stage 3: both stages are mostly single-threaded emulated WebGPU, so on a 2-core
# machine they overlap for about 7 minutes of wall time. Its output is printed when it is waited for.
set -euo pipefail
cd "$(dirname "$0")/.."

stage() {
  printf '\n==== %s ====\n' "$1"
}

stage "1/8 typecheck: tsc --noEmit"
npx tsc -p tsconfig.json --noEmit

stage "2/8 lint: eslint (incl. layering rules)"
npx eslint .

mkdir -p test-results
integration_log=test-results/integration.log
# setsid: its own process group, so the trap below stops vitest and the CLIs it spawned.
PREFIX_LAB_DAWN_BACKEND=opengles setsid npx vitest run --config vitest.integration.config.ts > "$integration_log" 2>&1 &
integration_pid=$!
# A failing stage below ends the script; the background stage must not outlive it.
trap 'kill -- -"$integration_pid" 2> /dev/null || true' EXIT

stage "3/8 unit tests: vitest (WebGPU through Dawn)"
rm -f test-results/op-errors.jsonl
npx vitest run

stage "4/8 python project: export-project per method, py_compile, its template/metric tests vs the lab's cases"
bash scripts/test-python-project.sh

stage "5/8 op summary: every op's max forward and gradient error vs its float64 reference"
npx tsx scripts/op-summary.ts

stage "6/8 parity: the tiny Llama x every weights file x every method vs PyTorch/peft"
npm run --silent parity

stage "7/8 experiments through the CLI: fixtures model (XNLI x 15, XQuAD x 3) and the toy default (started with stage 3)"
integration_status=0
wait "$integration_pid" || integration_status=$?
trap - EXIT
cat "$integration_log"
if [ "$integration_status" != 0 ]; then
  echo "stage 7 failed (exit $integration_status); its output is above and in $integration_log" >&2
  exit "$integration_status"
fi

stage "8/8 end-to-end: playwright (Chromium, SwiftShader WebGPU)"
npx playwright test

printf '\n==== all stages passed (screenshots: test-results/screenshots/) ====\n'
