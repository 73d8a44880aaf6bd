#!/usr/bin/env bash
# Run HERE (the dev machine), before the one device call: packs what the GPU machine lacks
# (it has no Node, no node_modules, no libvulkan1, no network) into two ignored folders that the
# device call carries: .gl (libvulkan1 .deb) and .devwork (node, Dawn's addon, the bench bundle).
# Recipe from ../shared/notes/gpu-device.md. Re-run after changing the bench or the engine: the
# bundle (.devwork/bench/bench.mjs) is rebuilt every time, the rest only when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

for d in /.gl/ /.devwork/; do grep -qxF "$d" .git/info/exclude 2>/dev/null || echo "$d" >> .git/info/exclude; done
mkdir -p .gl .devwork/bench

if ! ls .gl/libvulkan1_*.deb >/dev/null 2>&1; then
  # The device is amd64: fetch the amd64 package whatever this machine is, without touching its apt state.
  mkdir -p /tmp/amd64/partial
  o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
  apt-get "${o[@]}" update -qq
  (cd .gl && apt-get "${o[@]}" download libvulkan1)
fi
[ -s .devwork/node.xz ] || xz -T2 -c "$(command -v node)" > .devwork/node.xz
[ -s .devwork/dawn.node.xz ] || xz -c node_modules/webgpu/dist/linux-x64/dawn.node > .devwork/dawn.node.xz

# One self-contained ES module: Dawn is loaded from PREFIX_LAB_DAWN_MODULE and the WGSL from
# PREFIX_LAB_SHADERS_DIR at run time (src/engine/dawn.ts), so nothing else from node_modules is needed.
npx esbuild scripts/bench.ts --bundle --platform=node --format=esm --target=node20 \
  --external:webgpu --outfile=.devwork/bench/bench.mjs --log-level=warning

du -sh .gl .devwork
echo "ready: carry [\".gl\", \".devwork\"] and run: bash bench/run-gpu.sh (the working tree must stay under 64 MiB)"
