import { defineConfig } from 'vitest/config';

// Unit tests run in Node; WGSL kernels run through Dawn (src/engine/dawn.ts picks the Vulkan driver).
export default defineConfig({
  test: {
    environment: 'node',
    include: ['tests/**/*.test.ts'],
    // End-to-end CLI runs are a separate stage of scripts/test-all.sh (Dawn's OpenGL ES backend).
    exclude: ['tests/integration/**', 'node_modules/**'],
    // CPU-emulated WebGPU (SwiftShader) is slow: even tiny kernels can take seconds.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One Dawn device per process; forks + no file parallelism keep a single device alive at a time.
    pool: 'forks',
    fileParallelism: false,
  },
});
