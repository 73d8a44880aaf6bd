#!/usr/bin/env bash
# Run HERE (the dev machine), before the one device call: packs what the GPU machine lacks
# (it has no Node, no node_modules, no libvulkan1, no network, no ../shared) into two git-ignored
# folders that the device call carries: .gl (libvulkan1 .deb) and .devwork (node, Dawn's addon,
# the four bundles of bench/build-bundles.sh, and a copy of the PyTorch fixtures for the parity
# check). Recipe from ../shared/notes/gpu-device.md. Re-run after changing the engine, the bench or
# the checks: the bundles and the fixtures copy are refreshed every time, the rest only when missing.
# FIXTURES=DIR overrides where the fixtures come from (default ../shared/fixtures).
set -euo pipefail
cd "$(dirname "$0")/.."
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

bash bench/build-bundles.sh .devwork/bench

# The parity check's inputs (tiny Llama weights in every format + PyTorch/peft references, ~6 MB):
# the device sees only the working tree and the carried folders.
fixtures="${FIXTURES:-../shared/fixtures}"
if [ -d "$fixtures/tiny-llama" ] && [ -d "$fixtures/refs" ]; then
  # The source is read-only; the copy must stay writable so the next run can replace it.
  [ -d .devwork/fixtures ] && chmod -R u+w .devwork/fixtures
  rm -rf .devwork/fixtures && mkdir -p .devwork/fixtures
  cp -r "$fixtures/tiny-llama" "$fixtures/refs" .devwork/fixtures/
  chmod -R u+w .devwork/fixtures
else
  echo "warning: no fixtures at $fixtures (tiny-llama/, refs/): the device call will skip the parity check" >&2
fi

du -sh .gl .devwork
# What travels: tracked and untracked-but-not-ignored files, plus the two carried folders.
tree_kb=$(git ls-files -z --cached --others --exclude-standard | du -ck --files0-from=- 2>/dev/null | tail -n 1 | cut -f1)
carry_kb=$(du -sk .gl .devwork | awk '{s += $1} END {print s}')
total=$((tree_kb + carry_kb))
echo "working tree + carried folders: $((total / 1024)) MiB (limit 64 MiB)"
echo 'ready: run with carry [".gl", ".devwork"], timeout_s 560: OUT=$OUT bash bench/run-gpu.sh'
