#!/usr/bin/env bash
# Run ON THE DEVICE MACHINE, in one call (carry .gl and .devwork; prepare them here first with
# bench/prepare-device.sh): the toy pretraining sweep (scripts/toy-sweep.ts, bundled as
# $DEVWORK/bench/toy-sweep.mjs) on the card through Dawn's Vulkan backend, every run of PLAN
# (default bench/toy-sweep.json) probed every probeEvery steps, results in $OUT:
#   sweep.md, sweep.jsonl, <run>.safetensors   (see scripts/toy-sweep.ts), sweep.log
# Issue #10: find the pretraining recipe under which the toy model reads a colour back from its
# context in most languages, and how many steps it needs, then reproduce it with `npm run
# pretrain:toy` on the CPU. T_SWEEP (default 540 s) bounds the call; BUDGET_S (default T_SWEEP - 120)
# stops starting new runs, so the tables are always written. Extra arguments go to the sweep
# (e.g. --only shipped,bpe765).
# DRY_RUN=1 (tests/bench/toy_sweep.test.ts): the same on this machine's Dawn with a tiny PLAN.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-out/toy-sweep}"
DEVWORK="${DEVWORK:-.devwork}"
PLAN="${PLAN:-bench/toy-sweep.json}"
T_SWEEP="${T_SWEEP:-540}"
BUDGET_S="${BUDGET_S:-$((T_SWEEP > 180 ? T_SWEEP - 120 : T_SWEEP / 2))}"
mkdir -p "$OUT"
# shellcheck source=bench/device-env.sh
source bench/device-env.sh
# The card's Vulkan adapter (any value but 'opengles' leaves Dawn's default); llvmpipe for dry runs.
if [ "${DRY_RUN:-0}" = 1 ]; then export PREFIX_LAB_DAWN_BACKEND="${PREFIX_LAB_DAWN_BACKEND:-opengles}"; else export PREFIX_LAB_DAWN_BACKEND=vulkan; fi
(nvidia-smi || echo "no nvidia-smi on this machine") > "$OUT/nvidia-smi.txt" 2>&1
timeout "$T_SWEEP" "$NODE" "$DEVWORK/bench/toy-sweep.mjs" --plan "$PLAN" --out "$OUT" --budget-s "$BUDGET_S" "$@" > "$OUT/sweep.log" 2>&1
rc=$?
grep -v '^Warning' "$OUT/sweep.log" | tail -n 60
[ "$rc" = 124 ] && echo "== sweep timed out after $T_SWEEP s: sweep.jsonl holds every probe made"
exit "$rc"
