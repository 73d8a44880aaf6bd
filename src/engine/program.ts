// A kernel program is plain data: which WGSL file, which entry point, which override constants.
// Its cache key identifies the compiled pipeline; one compile path caches and labels pipelines.
import { shaderSource } from './shader_source.ts';

export interface KernelProgram {
  shader: string;
  entryPoint?: string;
  constants?: Record<string, number>;
}

export function programKey(p: KernelProgram): string {
  const c = p.constants ? Object.keys(p.constants).sort().map((k) => `${k}=${p.constants![k]}`).join(',') : '';
  return `${p.shader}:${p.entryPoint ?? 'main'}${c ? `[${c}]` : ''}`;
}

export class PipelineCache {
  private modules = new Map<string, GPUShaderModule>();
  private pipelines = new Map<string, GPUComputePipeline>();
  compiles = 0;

  constructor(private device: GPUDevice) {}

  get(p: KernelProgram): GPUComputePipeline {
    const key = programKey(p);
    let pipe = this.pipelines.get(key);
    if (!pipe) {
      let module = this.modules.get(p.shader);
      if (!module) {
        module = this.device.createShaderModule({ code: shaderSource(p.shader), label: p.shader });
        this.modules.set(p.shader, module);
      }
      pipe = this.device.createComputePipeline({
        label: key,
        layout: 'auto',
        compute: { module, entryPoint: p.entryPoint ?? 'main', constants: p.constants ?? {} },
      });
      this.pipelines.set(key, pipe);
      this.compiles++;
    }
    return pipe;
  }

  get size(): number {
    return this.pipelines.size;
  }
}
