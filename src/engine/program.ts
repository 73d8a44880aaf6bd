// A kernel program is plain data: which WGSL file, which entry point, which override constants,
// which WGSL snippets (shaders/snippets/<name>.wgsl) join the module. Its cache key identifies the
// compiled pipeline; one compile path caches and labels pipelines.
import { composeShader } from './shader_source.ts';

export interface KernelProgram {
  shader: string;
  entryPoint?: string;
  constants?: Record<string, number>;
  /** Snippet files compiled into the same module (WGSL has no includes): functions the shader calls. */
  snippets?: readonly string[];
}

/** Module key: the shader file plus its snippets, e.g. `rmsnorm+reduce_subgroup`. */
export function moduleKey(p: KernelProgram): string {
  return p.snippets?.length ? `${p.shader}+${p.snippets.join('+')}` : p.shader;
}

export function programKey(p: KernelProgram): string {
  const c = p.constants ? Object.keys(p.constants).sort().map((k) => `${k}=${p.constants![k]}`).join(',') : '';
  return `${moduleKey(p)}:${p.entryPoint ?? 'main'}${c ? `[${c}]` : ''}`;
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
      const mkey = moduleKey(p);
      let module = this.modules.get(mkey);
      if (!module) {
        module = this.device.createShaderModule({ code: composeShader(p.shader, p.snippets ?? []), label: mkey });
        this.modules.set(mkey, module);
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

  /** Keys of the compiled pipelines (programKey), in compile order. */
  keys(): string[] {
    return [...this.pipelines.keys()];
  }

  get size(): number {
    return this.pipelines.size;
  }
}
