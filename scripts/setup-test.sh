#!/usr/bin/env bash
# Installs what the test suite needs on Debian 12, then the npm dependencies:
#  - chromium: the e2e browser, and its SwiftShader Vulkan driver (CPU WebGPU for Node/Dawn too);
#  - libvulkan1: the Vulkan loader Dawn (the `webgpu` npm package) opens.
# apt runs only when something is missing, so reruns are fast and need no network for apt.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
[[ -f /usr/lib/chromium/vk_swiftshader_icd.json ]] || missing+=(chromium)
# A file check, not ldconfig: /sbin is not on a non-root user's PATH on Debian.
compgen -G '/usr/lib/*/libvulkan.so.1' >/dev/null || compgen -G '/lib/*/libvulkan.so.1' >/dev/null ||
  missing+=(libvulkan1)
# Mesa's EGL/GLES (llvmpipe): Dawn's OpenGL ES backend, used for the heavier integration tests.
compgen -G '/usr/lib/*/libEGL_mesa.so.0' >/dev/null || missing+=(libegl-mesa0)
compgen -G '/usr/lib/*/libGLESv2.so.2' >/dev/null || missing+=(libgles2)
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u | sed '/^$/d')

if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "==== installing system packages: ${missing[*]} ===="
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y chromium libvulkan1 libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them as root, then rerun:  apt-get update && apt-get install -y chromium libvulkan1 libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri" >&2
    exit 1
  fi
else
  echo "==== system packages present (chromium, SwiftShader, libvulkan1) ===="
fi

echo "==== npm ci ===="
npm ci
