#!/usr/bin/env bash
# Bundles the device calls' five Node entry points into self-contained ES modules (esbuild), so the
# GPU machine (no node_modules) runs them with a bare `node`:
#   op-check.mjs (scripts/op-check.ts)  parity.mjs (scripts/parity.ts)
#   matmul-tune.mjs (scripts/matmul-tune.ts)  bench.mjs (scripts/bench.ts)  toy-sweep.mjs (scripts/toy-sweep.ts)
# Dawn is loaded from PREFIX_LAB_DAWN_MODULE and the WGSL from PREFIX_LAB_SHADERS_DIR at run time
# (src/engine/dawn.ts). Usage: bash bench/build-bundles.sh [DEST] (default .devwork/bench).
set -euo pipefail
cd "$(dirname "$0")/.."
dest="${1:-.devwork/bench}"
mkdir -p "$dest"
npx esbuild scripts/op-check.ts scripts/parity.ts scripts/matmul-tune.ts scripts/bench.ts scripts/toy-sweep.ts \
  --bundle --platform=node --format=esm --target=node20 --external:webgpu \
  --outdir="$dest" --out-extension:.js=.mjs --log-level=warning
