#!/usr/bin/env bash
# Run ON THE DEVICE MACHINE, in one call (carry .gl and .devwork; prepare them here first with
# bench/prepare-device.sh). Correctness first, then speed, all through Dawn's Vulkan backend on the
# card, everything in $OUT:
#   1. ops.md / ops.json             every op case (forward + gradient vs float64 references), every
#                                    matmul tile forced, reductions with both snippets (scripts/op-check.ts)
#   2. parity.txt / parity.json      the tiny Llama x every weights file x every method vs PyTorch/peft
#                                    (scripts/parity.ts on .devwork/fixtures)
#   3. tuning.md / tuning.json       the fastest correct matmul tile per 1B product shape (scripts/matmul-tune.ts)
#   4. webgpu.md / webgpu.json       npm run bench's rows at Llama-3.2-1B shapes, using the tuning
#      webgpu-norecompute.*         the training rows without per-layer recomputation (as peft runs)
#   5. torch.json, torch-*.log      bench/prefix_step.py in fp32 and bf16 on the same card
#   6. compare.md                    row-by-row ratios and the issue's targets (bench/compare.py)
#   summary.md                       one line per step (exit code, seconds), then the tables above
#   *.log, nvidia-smi.txt            progress and errors
# A failed check is reported (summary.md, exit code 1 at the end) and the speed rows still run. Each
# step has its own time limit (T_OPS, T_PARITY, T_TUNE, T_WEBGPU, T_NORECOMPUTE, T_TORCH seconds; the
# defaults sum to 505 s, 0 skips a step) so one hang cannot eat the call; extra arguments go to the
# WebGPU bench (e.g. --only matmul,train); OPS_ARGS, PARITY_ARGS, TUNE_ARGS, BENCH_ARGS,
# NORECOMPUTE_ARGS, TORCH_ARGS add options per step.
#
# DRY_RUN=1 (tests/bench/device_recipe.test.ts): the same steps on this machine's Dawn (SwiftShader)
# at small shapes, with bundles from DEVWORK and fixtures from FIXTURES, no driver setup.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-out/gpu}"
DEVWORK="${DEVWORK:-.devwork}"
FIXTURES="${FIXTURES:-$DEVWORK/fixtures}"
DRY_RUN="${DRY_RUN:-0}"
mkdir -p "$OUT"
: > "$OUT/summary.md.steps"

if [ "$DRY_RUN" = 1 ]; then
  OPS_ARGS="${OPS_ARGS:---sample 1 --tiles SMALL,W64_K4}"
  PARITY_ARGS="${PARITY_ARGS:---weights model.safetensors --cases prefix_hidden}"
  TUNE_ARGS="${TUNE_ARGS:---shapes tiny --only q_proj --tiles SMALL,W64 --reps 1 --batch 1 --seq 16}"
  BENCH_ARGS="${BENCH_ARGS:---shapes tiny --only matmul --layers 1 --reps 1 --batch 1 --seq 16}"
  NORECOMPUTE_ARGS="${NORECOMPUTE_ARGS:---shapes tiny --layers 1 --batch 1 --seq 16 --reps 1}"
  TORCH_ARGS="${TORCH_ARGS:---layers 1 --batch 1 --seq 16 --only matmul --reps 1}"
fi
# NODE, Dawn's module and the WGSL folder: the card's driver and the carried node, or this machine's.
# shellcheck source=bench/device-env.sh
source bench/device-env.sh
B="$DEVWORK/bench"
(nvidia-smi || echo "no nvidia-smi on this machine") > "$OUT/nvidia-smi.txt" 2>&1

failed=0
exec 3>&1 # the call's own output: step() reports there while each command's output goes to files
# step NAME LIMIT_S CMD...: runs CMD under `timeout`, records exit code and seconds in summary.md.
step() {
  local name="$1" limit="$2"
  shift 2
  if [ "$limit" = 0 ]; then
    echo "- $name: skipped (limit 0)" | tee -a "$OUT/summary.md.steps" >&3
    return 0
  fi
  echo "== $name (limit ${limit} s)" >&3
  local t0=$SECONDS rc
  timeout "$limit" "$@"
  rc=$?
  local note=ok
  [ "$rc" = 124 ] && note="timed out after ${limit} s (partial results in the logs)"
  [ "$rc" != 0 ] && [ "$rc" != 124 ] && note="exit $rc"
  echo "- $name: $note, $((SECONDS - t0)) s" | tee -a "$OUT/summary.md.steps" >&3
  return "$rc"
}

# 1-2. Correctness. A failure is counted and reported; the speed rows run regardless.
# shellcheck disable=SC2086
step "op check" "${T_OPS:-60}" "$NODE" "$B/op-check.mjs" --json "$OUT/ops.json" ${OPS_ARGS:-} > "$OUT/ops.md" 2> "$OUT/ops.log" || failed=1
tail -n 3 "$OUT/ops.log"
cat "$OUT/ops.md"
if [ -d "$FIXTURES/refs" ]; then
  # shellcheck disable=SC2086
  step "parity" "${T_PARITY:-45}" "$NODE" "$B/parity.mjs" --fixtures "$FIXTURES" --out "$OUT/parity.json" ${PARITY_ARGS:-} > "$OUT/parity.txt" 2> "$OUT/parity.log" || failed=1
  grep -E '^FAIL|passed' "$OUT/parity.txt"
else
  echo "- parity: SKIPPED, no fixtures at $FIXTURES (run bench/prepare-device.sh where ../shared/fixtures exists)" | tee -a "$OUT/summary.md.steps"
  failed=1
fi

# 3. The matmul tile per product shape, measured on this card; the bench below uses it.
# shellcheck disable=SC2086
# Its own budget stops measuring 15 s before the step's limit, so the table is always written.
T_TUNE="${T_TUNE:-90}"
step "matmul tuning" "$T_TUNE" "$NODE" "$B/matmul-tune.mjs" --out "$OUT/tuning.json" --budget-s "$((T_TUNE > 20 ? T_TUNE - 15 : T_TUNE))" ${TUNE_ARGS:-} > "$OUT/tuning.md" 2> "$OUT/tuning.log"
cat "$OUT/tuning.md"
tuning=()
[ -s "$OUT/tuning.json" ] && tuning=(--matmul-tuning "$OUT/tuning.json")

# 4. Speed rows.
# shellcheck disable=SC2086
step "WebGPU bench" "${T_WEBGPU:-150}" "$NODE" "$B/bench.mjs" --json "$OUT/webgpu.json" "${tuning[@]}" ${BENCH_ARGS:-} "$@" > "$OUT/webgpu.md" 2> "$OUT/webgpu.log"
tail -n 5 "$OUT/webgpu.log"
cat "$OUT/webgpu.md"
# The bench's training rows recompute layers at 1B ('auto'), peft's baseline does not checkpoint:
# the same step without recomputation, for a like-for-like speed ratio.
# shellcheck disable=SC2086
step "WebGPU training step without recomputation" "${T_NORECOMPUTE:-60}" "$NODE" "$B/bench.mjs" --only train --recompute off --json "$OUT/webgpu-norecompute.json" "${tuning[@]}" ${NORECOMPUTE_ARGS:-} > "$OUT/webgpu-norecompute.md" 2> "$OUT/webgpu-norecompute.log"
cat "$OUT/webgpu-norecompute.md"

# 5. The PyTorch + peft baseline on the same card.
if python3 -c 'import torch, transformers, peft' 2> /dev/null; then
  for dt in fp32 bf16; do
    # shellcheck disable=SC2086
    step "PyTorch + peft $dt" "${T_TORCH:-50}" python3 bench/prefix_step.py --dtype "$dt" --json "$OUT/torch.json" ${TORCH_ARGS:-} > /dev/null 2> "$OUT/torch-$dt.log"
    tail -n 3 "$OUT/torch-$dt.log"
  done
else
  echo "- PyTorch + peft: SKIPPED, python3 cannot import torch, transformers and peft here" | tee -a "$OUT/summary.md.steps"
fi

# 6. Ratios, then one summary file that holds every table.
python3 bench/compare.py "$OUT/webgpu.json" "$OUT/torch.json" "$OUT/webgpu-norecompute.json" > "$OUT/compare.md" 2>&1
cat "$OUT/compare.md"
{
  echo "# Device call: $(head -n 1 "$OUT/ops.md" | sed 's/^## Op check: //')"
  echo
  date -u +%Y-%m-%dT%H:%M:%SZ
  echo
  cat "$OUT/summary.md.steps"
  echo
  for f in ops.md tuning.md compare.md; do [ -s "$OUT/$f" ] && { cat "$OUT/$f"; echo; }; done
  [ -s "$OUT/parity.txt" ] && { echo '## Parity'; echo; grep -E '^(ok|FAIL)|passed' "$OUT/parity.txt"; echo; }
} > "$OUT/summary.md"
rm -f "$OUT/summary.md.steps"
echo "== done: $OUT/summary.md (checks $([ "$failed" = 0 ] && echo passed || echo FAILED))"
exit "$failed"
