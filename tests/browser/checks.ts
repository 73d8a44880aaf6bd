// Browser op checks: run WGSL kernels on the browser's own WebGPU (Chromium/Dawn) and compare them
// with CPU references. Placeholder until the op test helper lands: one doubling kernel proves that
// the page gets a device and that a compute pass round-trips data.
import { acquireDevice, describeDevice } from '../../src/engine/device.ts';

export interface OpCheckResult {
  name: string;
  maxForwardError: number;
  /** NaN when the op has no backward pass. */
  maxGradError: number;
  ok: boolean;
  error?: string;
}

export interface OpCheckReport {
  adapter: string;
  results: OpCheckResult[];
}

const DOUBLE_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < arrayLength(&src)) {
    dst[id.x] = src[id.x] * 2.0;
  }
}
`;

async function checkDouble(device: GPUDevice): Promise<OpCheckResult> {
  const n = 1000; // not a multiple of 64: exercises the bounds check
  const input = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 10);
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  const src = device.createBuffer({ size: input.byteLength, usage });
  const dst = device.createBuffer({ size: input.byteLength, usage });
  const read = device.createBuffer({ size: input.byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    device.queue.writeBuffer(src, 0, input);
    const pipeline = device.createComputePipeline({
      layout: 'auto',
      compute: { module: device.createShaderModule({ code: DOUBLE_WGSL }), entryPoint: 'main' },
    });
    const bind = device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: src } },
        { binding: 1, resource: { buffer: dst } },
      ],
    });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(Math.ceil(n / 64));
    pass.end();
    enc.copyBufferToBuffer(dst, 0, read, 0, input.byteLength);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    let maxErr = 0;
    for (let i = 0; i < n; i++) maxErr = Math.max(maxErr, Math.abs(out[i] - 2 * input[i]));
    return { name: 'double (smoke)', maxForwardError: maxErr, maxGradError: Number.NaN, ok: maxErr === 0 };
  } finally {
    src.destroy();
    dst.destroy();
    read.destroy();
  }
}

/** Runs every check; a thrown check becomes a failed row instead of aborting the rest. */
export async function runBrowserOpChecks(gpu: GPU | undefined): Promise<OpCheckReport> {
  const { device, info } = await acquireDevice(gpu);
  const checks: [string, (d: GPUDevice) => Promise<OpCheckResult>][] = [['double (smoke)', checkDouble]];
  const results: OpCheckResult[] = [];
  try {
    for (const [name, check] of checks) {
      try {
        results.push(await check(device));
      } catch (e) {
        results.push({ name, maxForwardError: Number.NaN, maxGradError: Number.NaN, ok: false, error: String(e) });
      }
    }
  } finally {
    device.destroy();
  }
  return { adapter: describeDevice(info), results };
}
