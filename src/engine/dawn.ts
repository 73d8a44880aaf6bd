// Node only: WebGPU through Dawn (the `webgpu` npm package). The one module that touches Dawn.
// Without a GPU, Dawn needs a Vulkan driver; Debian's chromium ships SwiftShader, which we pick
// unless the caller set VK_ICD_FILENAMES or an NVIDIA Vulkan driver is installed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { acquireDevice, type AcquiredDevice } from './device.ts';
import { createEngine } from './create_engine.ts';
import type { Engine } from './engine.ts';
import { registerShaderLoader } from './shader_source.ts';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d'];

function hasHardwareVulkan(): boolean {
  return ICD_DIRS.some((d) => existsSync(d) && readdirSync(d).some((f) => /nvidia/i.test(f)));
}

export function configureVulkanDriver(): string {
  if (process.env.VK_ICD_FILENAMES) return process.env.VK_ICD_FILENAMES;
  if (!hasHardwareVulkan() && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    return SWIFTSHADER_ICD;
  }
  return 'system default';
}

// Kept on globalThis: test runners re-evaluate modules per file inside one process, and a second
// Dawn instance in the same process crashes it.
const slot = globalThis as unknown as { __prefixLabGpu?: GPU; __prefixLabDawn?: Promise<AcquiredDevice> | null; __prefixLabEngine?: Promise<Engine> | null };
let cached: Promise<AcquiredDevice> | null = slot.__prefixLabDawn ?? null;

/** One shared Dawn device per process (creating many Dawn instances leaks threads). */
export function acquireNodeDevice(): Promise<AcquiredDevice> {
  if (!cached) {
    configureVulkanDriver();
    // Plain Node (tsx) has no import.meta.glob: read shaders/*.wgsl (and snippets/*.wgsl under it) from disk. A bundled script
    // (bench/README.md: the GPU machine has no node_modules) names the folder and Dawn's addon
    // with PREFIX_LAB_SHADERS_DIR and PREFIX_LAB_DAWN_MODULE.
    const dirEnv = process.env.PREFIX_LAB_SHADERS_DIR;
    const dir = dirEnv ? pathToFileURL(`${dirEnv.replace(/\/$/, '')}/`) : new URL('../../shaders/', import.meta.url);
    registerShaderLoader((name) => readFileSync(new URL(`${name}.wgsl`, dir), 'utf8'));
    const require = createRequire(import.meta.url);
    let dawn: { create(flags: string[]): GPU; globals: Record<string, unknown> };
    try {
      dawn = require(process.env.PREFIX_LAB_DAWN_MODULE || 'webgpu');
    } catch (e) {
      throw new Error(`The 'webgpu' package (Dawn for Node) could not be loaded: ${(e as Error).message}. Run npm ci.`);
    }
    Object.assign(globalThis, dawn.globals);
    // PREFIX_LAB_DAWN_BACKEND=opengles: Dawn's OpenGL ES backend (Mesa llvmpipe on machines without
    // a GPU), in WebGPU compatibility mode; several times faster than SwiftShader for our kernels.
    const gl = process.env.PREFIX_LAB_DAWN_BACKEND === 'opengles';
    if (gl) process.env.EGL_PLATFORM ??= 'surfaceless';
    const gpu = dawn.create(gl ? ['backend=opengles'] : []);
    // The GPU object owns Dawn's instance: if it is garbage-collected while a device lives, the
    // process aborts with a mutex error. Keep it for the life of the process.
    slot.__prefixLabGpu = gpu;
    cached = slot.__prefixLabDawn = acquireDevice(gpu, gl ? { featureLevel: 'compatibility' } : {}).catch((e: Error) => {
      cached = slot.__prefixLabDawn = null;
      throw new Error(
        `${e.message} (Node/Dawn: needs libvulkan1 and a Vulkan driver; on a machine without a GPU, ` +
          `apt-get install -y chromium libvulkan1 provides SwiftShader at ${SWIFTSHADER_ICD})`,
      );
    });
  }
  return cached;
}

/** The process-wide engine on Dawn (tests, CLI, benchmarks). */
export function nodeEngine(): Promise<Engine> {
  slot.__prefixLabEngine ??= acquireNodeDevice().then(createEngine);
  return slot.__prefixLabEngine;
}
