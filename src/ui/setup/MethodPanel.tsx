// Method and its knobs, with the live trainable-parameter count (the paper's N x L x d_model for
// prefix methods) from the lab; training hyper-parameters below.
import { defaultLayersFor, LORA_RANKS, METHOD_CATALOG, methodDescriptor, TOKENS_MAX, TOKENS_MIN, useLabStore } from '../../store/index.ts';
import type { MethodId } from '../../protocol/lab.ts';
import { FieldNoteText, NumberField, Segmented, Slider } from '../common/controls.tsx';
import { formatCount, formatParams } from '../format.ts';
import { methodColor } from '../palette.ts';

const formatLr = (v: number) => String(v);

function ParamCount() {
  const count = useLabStore((s) => s.paramCount);
  const cfg = useLabStore((s) => s.methodConfig);
  const hidden = useLabStore((s) => s.model.info?.hiddenSize ?? null);
  const ready = useLabStore((s) => s.model.status === 'ready');
  const layersOf = useLabStore((s) => s.model.info?.layers ?? null);
  const meta = methodDescriptor(cfg.method);
  const formula =
    hidden === null
      ? ''
      : meta.paramFormula({ tokens: cfg.tokens, lastLayers: cfg.lastLayers, loraRank: cfg.loraRank, loraAlpha: cfg.loraAlpha, hiddenSize: hidden, layers: layersOf });
  const value = !ready ? '—' : count.paper === null ? (count.status === 'error' ? '?' : '…') : formatCount(count.paper);
  return (
    <div className="param-count" aria-live="polite" data-state={count.status}>
      <span className="param-label">Trainable parameters</span>
      <span className="param-value num" data-testid="param-count" data-value={count.paper ?? ''}>
        {value}
      </span>
      <span className="param-detail">
        {ready ? formula : 'load a model to count'}
        {count.exact !== null && count.paper !== null && count.exact !== count.paper && (
          <> · exact {formatParams(count.exact)} (with {meta.insight.gates ? 'gates' : 'extras'})</>
        )}
      </span>
      {count.status === 'error' && <span className="param-error">{count.error}</span>}
    </div>
  );
}

export function MethodPanel() {
  const cfg = useLabStore((s) => s.methodConfig);
  const set = useLabStore((s) => s.setMethodConfig);
  const layers = useLabStore((s) => s.model.info?.layers ?? null);
  const info = useLabStore((s) => s.model.info);
  const notes = useLabStore((s) => s.fieldNotes);
  const meta = methodDescriptor(cfg.method);
  // LoRA's rank cannot exceed the model's hidden width.
  const ranks = LORA_RANKS.filter((r) => !info || r <= info.hiddenSize);
  const paperLayers = info ? defaultLayersFor(cfg.method, info) : null;
  const layersHint =
    layers === null
      ? 'Load a model to choose layers.'
      : meta.knobs.lastLayers === undefined
        ? `not used by ${meta.label}`
        : meta.knobs.lastLayers.default === 'paper_prefix'
          ? `of ${layers} layers · paper's default ${paperLayers}: the last 30 of 32 on Llama 3.1 8B, all layers on models of up to 16 (Appendix C)`
          : `of ${layers} layers · paper's default ${paperLayers}: every layer`;

  return (
    <section className="panel" aria-labelledby="method-heading" data-testid="method-panel">
      <h2 id="method-heading">
        <span className="swatch" style={{ background: methodColor(cfg.method) }} aria-hidden="true" />
        Method
      </h2>
      <div className="field">
        <label htmlFor="method-select">Adaptation method</label>
        <select id="method-select" value={cfg.method} onChange={(e) => set({ method: e.currentTarget.value as MethodId })} data-testid="method-select">
          {METHOD_CATALOG.map((m) => (
            <option key={m.id} value={m.id}>
              {m.label}
            </option>
          ))}
        </select>
      </div>
      <p className="hint method-desc">{meta.description}</p>

      <Slider
        label="Adapted layers L (the last L)"
        min={1}
        max={layers ?? 1}
        value={layers ? cfg.lastLayers : 1}
        onChange={(v) => set({ lastLayers: v })}
        disabled={meta.knobs.lastLayers === undefined || layers === null}
        testId="slider-layers"
        hint={layersHint}
      />
      <Slider
        label="Prompt / prefix tokens N"
        min={TOKENS_MIN}
        max={TOKENS_MAX}
        value={cfg.tokens}
        onChange={(v) => set({ tokens: v })}
        disabled={meta.knobs.tokens === undefined}
        testId="slider-tokens"
        hint={
          meta.knobs.tokens !== undefined
            ? "The paper uses 10. Prompts start as N(0, 1) samples, as in peft (a run config's promptInit: 'small' gives N(0, 0.02))."
            : `not used by ${meta.label}`
        }
      />
      {cfg.method === 'prefix' && (
        <div className="field" data-testid="prefix-form">
          <Segmented
            label="Prefix form"
            value={cfg.prefixForm}
            options={[
              { value: 'hidden', label: 'hidden (paper)', testId: 'prefix-form-hidden', title: "N hidden-size vectors per layer, projected by the layer's frozen K/V (the paper's form)" },
              { value: 'kv', label: 'kv (peft)', testId: 'prefix-form-kv', title: 'keys and values learned directly, as Li & Liang and peft PREFIX_TUNING' },
            ]}
            onChange={(v) => set({ prefixForm: v })}
          />
          <p className="hint" data-testid="prefix-form-note">
            {cfg.prefixForm === 'kv'
              ? "kv: keys and values learned directly, as peft's PREFIX_TUNING; with every layer adapted the exported adapter loads in peft as is."
              : "hidden: the paper's form; peft cannot express it, so its export is our format (choose kv for a peft-compatible adapter)."}
          </p>
        </div>
      )}
      <div className="field">
        <label htmlFor="lora-rank">LoRA rank r</label>
        <select id="lora-rank" value={cfg.loraRank} disabled={meta.knobs.loraRank === undefined} onChange={(e) => set({ loraRank: Number(e.currentTarget.value) })} data-testid="select-rank">
          {ranks.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        {info && meta.knobs.loraRank !== undefined && <p className="hint">at most {info.hiddenSize}, the model's hidden width</p>}
        <FieldNoteText note={notes['method.loraR']} testId="select-rank-note" />
      </div>
      <NumberField
        label="LoRA alpha (scale alpha / r)"
        value={cfg.loraAlpha}
        min={0}
        step="any"
        format={formatLr}
        onCommit={(v) => set({ loraAlpha: v })}
        testId="input-lora-alpha" note={notes['method.loraAlpha']}
        disabled={meta.knobs.loraRank === undefined}
      />
      <p className="hint">{meta.knobs.loraRank !== undefined ? "The paper's LoRA: rank 4 on Q, K, V; alpha 8 is peft's default (the paper gives none)." : ''}</p>

      <ParamCount />

      <h3>Training</h3>
      <div className="field-grid">
        <NumberField label="Steps" value={cfg.steps} min={1} onCommit={(v) => set({ steps: v })} testId="input-steps" note={notes['train.steps']} disabled={!meta.trains} />
        <NumberField label="Batch size" value={cfg.batchSize} min={1} onCommit={(v) => set({ batchSize: v })} testId="input-batch" note={notes['train.batchSize']} disabled={!meta.trains} />
        <NumberField label="Learning rate" value={cfg.lr} min={0} step="any" format={formatLr} onCommit={(v) => set({ lr: v })} testId="input-lr" note={notes['train.lr']} disabled={!meta.trains} />
        <NumberField label="Weight decay" value={cfg.weightDecay} min={0} step="any" format={formatLr} onCommit={(v) => set({ weightDecay: v })} testId="input-wd" note={notes['train.weightDecay']} disabled={!meta.trains} />
        <NumberField label="Seed" value={cfg.seed} min={0} onCommit={(v) => set({ seed: v })} testId="input-seed" note={notes['train.seed']} />
      </div>
      {!meta.trains && <p className="hint">The base model has nothing to train: a run evaluates it directly.</p>}
    </section>
  );
}
