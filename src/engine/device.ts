// WebGPU device acquisition, identical in the browser and in Node (Dawn).
// We request the adapter's own limits: the spec defaults (128 MiB storage bindings, 16 KiB
// workgroup memory) are far below what a 1B model needs.

export interface DeviceInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  features: string[];
  limits: {
    maxBufferSize: number;
    maxStorageBufferBindingSize: number;
    maxComputeWorkgroupStorageSize: number;
    maxComputeInvocationsPerWorkgroup: number;
    maxComputeWorkgroupsPerDimension: number;
    maxStorageBuffersPerShaderStage: number;
    minStorageBufferOffsetAlignment: number;
  };
  /** true for CPU emulation (SwiftShader, llvmpipe): tests must keep shapes tiny. */
  emulated: boolean;
}

export interface AcquiredDevice {
  device: GPUDevice;
  info: DeviceInfo;
}

export class WebGpuUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebGpuUnavailableError';
  }
}

const LIMIT_NAMES = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxBindGroups',
] as const;

const WANTED_FEATURES: GPUFeatureName[] = ['shader-f16', 'subgroups', 'timestamp-query'];

export async function acquireDevice(
  gpu: GPU | undefined,
  opts: { powerPreference?: GPUPowerPreference; featureLevel?: string } = {},
): Promise<AcquiredDevice> {
  if (!gpu) {
    throw new WebGpuUnavailableError(
      'WebGPU is not available here (navigator.gpu is missing). Use a recent Chrome or Edge, ' +
        'or start Chromium with --enable-unsafe-webgpu.',
    );
  }
  const adapter = await gpu.requestAdapter({
    powerPreference: opts.powerPreference ?? 'high-performance',
    ...(opts.featureLevel ? { featureLevel: opts.featureLevel } : {}),
  } as GPURequestAdapterOptions);
  if (!adapter) {
    throw new WebGpuUnavailableError(
      'WebGPU is present but no GPU adapter was found. Check chrome://gpu, update the GPU driver, ' +
        'or enable hardware acceleration in the browser settings.',
    );
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of LIMIT_NAMES) {
    const v = (adapter.limits as unknown as Record<string, number>)[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  const requiredFeatures = WANTED_FEATURES.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredLimits, requiredFeatures });
  const ai = adapter.info ?? ({} as GPUAdapterInfo);
  const l = device.limits;
  const info: DeviceInfo = {
    vendor: ai.vendor ?? '',
    architecture: ai.architecture ?? '',
    device: ai.device ?? '',
    description: ai.description ?? '',
    features: [...device.features].map(String).sort(),
    limits: {
      maxBufferSize: l.maxBufferSize,
      maxStorageBufferBindingSize: l.maxStorageBufferBindingSize,
      maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension,
      maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage,
      minStorageBufferOffsetAlignment: l.minStorageBufferOffsetAlignment,
    },
    emulated: /swiftshader|llvmpipe|lavapipe|software/i.test(
      `${ai.vendor} ${ai.architecture} ${ai.device} ${ai.description}`,
    ),
  };
  return { device, info };
}

export function describeDevice(info: DeviceInfo): string {
  const name = [info.vendor, info.architecture, info.device || info.description].filter(Boolean).join(' / ');
  return `${name || 'unknown adapter'}${info.emulated ? ' (CPU emulation)' : ''}`;
}
