// LoRA <-> peft LORA: `...layers.{i}.{self_attn|mlp}.{proj}.lora_A.weight` [r, in] and `lora_B` [out, r];
// layers_to_transform names a layer subset (tuners_utils.py, check_target_module_exists).
import type { Projection } from '../../model/hooks.ts';
import { adaptedLayers } from '../common.ts';
import { loraAlpha, LORA_PROJECTIONS, loraRank, loraTargets } from '../lora.ts';
import type { MethodSpec } from '../types.ts';
import { ADAPTER_CONFIG_FILE, asInt, KEY_PREFIX, only, pick, shapeStr, type ExportParam, type PeftCodec } from './format.ts';

const MLP: readonly Projection[] = ['gate_proj', 'up_proj', 'down_proj'];
const loraModule = (t: Projection) => (MLP.includes(t) ? 'mlp' : 'self_attn');

export const loraCodec: PeftCodec = {
  peftType: 'LORA',
  compatibility(spec) {
    loraTargets(spec);
    return { peftType: 'LORA' };
  },
  write(spec, c, get) {
    const layers = adaptedLayers(c, spec);
    const all = layers.length === c.numLayers;
    const targets = loraTargets(spec);
    const tensors: ExportParam[] = [];
    for (const l of layers) {
      for (const t of targets) {
        const A = get(`lora.${l}.${t}.A`);
        const B = get(`lora.${l}.${t}.B`);
        tensors.push({ name: `${KEY_PREFIX}${l}.${loraModule(t)}.${t}.lora_A.weight`, shape: A.shape, data: A.data });
        tensors.push({ name: `${KEY_PREFIX}${l}.${loraModule(t)}.${t}.lora_B.weight`, shape: B.shape, data: B.data });
      }
    }
    return {
      config: {
        r: loraRank(spec), lora_alpha: loraAlpha(spec), lora_dropout: 0, target_modules: [...targets],
        layers_to_transform: all ? null : layers, layers_pattern: null, bias: 'none', fan_in_fan_out: false, use_rslora: false,
        use_dora: false, init_lora_weights: true, modules_to_save: null, rank_pattern: {}, alpha_pattern: {},
      },
      tensors,
    };
  },
  async read({ cfg, st, read, meta, config }) {
    if (cfg.use_dora === true) throw new Error(`${ADAPTER_CONFIG_FILE}: DoRA (use_dora) is not supported`);
    for (const k of ['rank_pattern', 'alpha_pattern']) {
      const v = cfg[k];
      if (v && typeof v === 'object' && Object.keys(v).length) throw new Error(`${ADAPTER_CONFIG_FILE}: per-module ${k} is not supported`);
    }
    if (cfg.fan_in_fan_out === true) throw new Error(`${ADAPTER_CONFIG_FILE}: fan_in_fan_out is not supported (Llama projections are nn.Linear)`);
    const r = asInt(cfg.r, 'r');
    if (r < 1) throw new Error(`${ADAPTER_CONFIG_FILE}: r must be positive`);
    const alphaRaw = cfg.lora_alpha ?? 8;
    if (typeof alphaRaw !== 'number') throw new Error(`${ADAPTER_CONFIG_FILE}: lora_alpha must be a number`);
    // use_rslora scales by alpha / sqrt(r); ours by alpha / r.
    const alpha = cfg.use_rslora === true ? alphaRaw * Math.sqrt(r) : alphaRaw;
    const re = /^(?:base_model\.model\.)?(?:model\.)?layers\.(\d+)\.(self_attn|mlp)\.(\w+)\.lora_(A|B)\.weight$/;
    only(st, (n) => re.test(n), 'LORA (only the attention / MLP projections of the decoder layers are supported)');
    const grid = new Map<string, string>();
    const layerSet = new Set<number>();
    const targetSet = new Set<Projection>();
    for (const n of st.names()) {
      const m = re.exec(n)!;
      const t = m[3] as Projection;
      if (!LORA_PROJECTIONS.includes(t) || loraModule(t) !== m[2]) throw new Error(`${st.name}: '${n}' is not a Llama projection (${LORA_PROJECTIONS.join(', ')})`);
      layerSet.add(Number(m[1]));
      targetSet.add(t);
      grid.set(`${m[1]}.${t}.${m[4]}`, n);
    }
    const layers = [...layerSet].sort((a, b) => a - b);
    const cfgTargets = Array.isArray(cfg.target_modules) ? (cfg.target_modules as string[]) : [];
    const derivedTargets = [
      ...cfgTargets.filter((t): t is Projection => targetSet.has(t as Projection)),
      ...LORA_PROJECTIONS.filter((t) => targetSet.has(t) && !cfgTargets.includes(t)),
    ];
    const allLayers = config ? layers.length === config.numLayers : false;
    const derived: MethodSpec = { method: 'lora', loraR: r, loraAlpha: alpha, loraTargets: derivedTargets, ...(allLayers ? {} : { layers }) };
    const spec = pick(
      meta,
      derived,
      (m) => loraRank(m) === r && loraAlpha(m) === alpha && [...loraTargets(m)].sort().join() === [...derivedTargets].sort().join(),
    );
    const params: ExportParam[] = [];
    for (const l of layers) {
      for (const t of loraTargets(spec)) {
        for (const ab of ['A', 'B'] as const) {
          const key = grid.get(`${l}.${t}.${ab}`);
          if (!key) throw new Error(`${st.name}: layer ${l} ${t} has no lora_${ab} (every adapted layer needs the same targets)`);
          const shape = st.info(key).shape;
          if (shape.length !== 2 || (ab === 'A' ? shape[0] : shape[1]) !== r) {
            throw new Error(`${st.name}: '${key}' has shape ${shapeStr(shape)}, which does not fit rank r = ${r}`);
          }
          params.push({ name: `lora.${l}.${t}.${ab}`, shape, data: await read(key, shape) });
        }
      }
    }
    return { spec, params };
  },
};
