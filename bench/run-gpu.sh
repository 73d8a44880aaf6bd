#!/usr/bin/env bash
# Run ON THE DEVICE MACHINE, in one call (carry .gl and .devwork; prepare them here first with
# bench/prepare-device.sh): the WebGPU bench through Dawn's Vulkan backend, then the PyTorch + peft
# baseline in fp32 and bf16 on the same card, then the ratios. Everything lands in $OUT:
#   webgpu.md / webgpu.json   npm run bench's markdown table and JSON report
#   torch.json                 bench/prefix_step.py reports (fp32, bf16)
#   compare.md                 row-by-row ratios (bench/compare.py)
#   *.log, nvidia-smi.txt      progress and errors
# Each step has its own time limit so one hang cannot eat the whole device budget; extra arguments
# go to the WebGPU bench (e.g. --only matmul,train).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-out/gpu}"
mkdir -p "$OUT"
T_WEBGPU="${T_WEBGPU:-240}"
T_TORCH="${T_TORCH:-120}"

for f in .gl/*.deb; do dpkg -x "$f" /; done
ldconfig
mkdir -p /tmp/n
xz -dc .devwork/node.xz > /tmp/n/node && chmod +x /tmp/n/node
xz -dc .devwork/dawn.node.xz > /tmp/n/dawn.node
export VK_ICD_FILENAMES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export PREFIX_LAB_DAWN_MODULE=/tmp/n/dawn.node
export PREFIX_LAB_SHADERS_DIR="$PWD/shaders"
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1

echo "== WebGPU (Dawn/Vulkan) bench"
timeout "$T_WEBGPU" /tmp/n/node .devwork/bench/bench.mjs --json "$OUT/webgpu.json" "$@" > "$OUT/webgpu.md" 2> "$OUT/webgpu.log"
echo "exit $?"; tail -n 5 "$OUT/webgpu.log"; cat "$OUT/webgpu.md"

# The bench's training rows recompute layers at 1B ('auto'), peft's baseline does not checkpoint:
# the same step without recomputation, for a like-for-like speed ratio.
echo "== WebGPU training step without recomputation"
timeout "${T_NORECOMPUTE:-120}" /tmp/n/node .devwork/bench/bench.mjs --only train --recompute off --json "$OUT/webgpu-norecompute.json" > "$OUT/webgpu-norecompute.md" 2> "$OUT/webgpu-norecompute.log"
echo "exit $?"; cat "$OUT/webgpu-norecompute.md"

for dt in fp32 bf16; do
  echo "== PyTorch + peft, $dt"
  timeout "$T_TORCH" python3 bench/prefix_step.py --dtype "$dt" --json "$OUT/torch.json" > /dev/null 2> "$OUT/torch-$dt.log"
  echo "exit $?"; tail -n 3 "$OUT/torch-$dt.log"
done

python3 bench/compare.py "$OUT/webgpu.json" "$OUT/torch.json" | tee "$OUT/compare.md"
