# Sourced by the device scripts (bench/run-gpu.sh, bench/toy-sweep-gpu.sh) from the repository root:
# sets NODE and points src/engine/dawn.ts at Dawn's addon and the WGSL folder. On the device machine
# (no Node, no node_modules, no libvulkan1) it unpacks what bench/prepare-device.sh put in the carried
# .gl and $DEVWORK folders and selects NVIDIA's Vulkan driver (recipe: ../shared/notes/gpu-device.md);
# with DRY_RUN=1 it uses this machine's node and the webgpu package instead.
if [ "${DRY_RUN:-0}" = 1 ]; then
  NODE="${NODE:-node}"
  export PREFIX_LAB_DAWN_MODULE="${PREFIX_LAB_DAWN_MODULE:-$PWD/node_modules/webgpu}"
else
  for f in .gl/*.deb; do dpkg -x "$f" /; done
  ldconfig
  mkdir -p /tmp/n
  xz -dc "$DEVWORK/node.xz" > /tmp/n/node && chmod +x /tmp/n/node
  xz -dc "$DEVWORK/dawn.node.xz" > /tmp/n/dawn.node
  NODE=/tmp/n/node
  export VK_ICD_FILENAMES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  export PREFIX_LAB_DAWN_MODULE=/tmp/n/dawn.node
fi
export PREFIX_LAB_SHADERS_DIR="$PWD/shaders"
