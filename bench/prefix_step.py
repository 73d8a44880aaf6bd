#!/usr/bin/env python3
"""PyTorch + peft baseline for `npm run bench`: the same measurements on the same shapes.

Llama-3.2-1B shapes (transformers LlamaConfig, random init, no download), peft PrefixTuning with
num_virtual_tokens=10. Prints one JSON report whose rows carry the same `key` and `unit` as the
WebGPU bench (src/protocol/bench.ts), so bench/compare.py can compute ratios row by row:
  matmul.<proj>.fwd / .dx   torch.matmul at tokens = batch x seq (x @ W.T and dy @ W), GFLOP/s
  train.step                one prefix-tuning step (forward, backward, AdamW), tokens/s
  train.step_last_L         the same with backward stopped below the last L layers (see below)
  eval.forward              forward + per-token log-probs, tokens/s
  decode.b1 / decode.b16    greedy generate with the KV cache, (n - 1) new tokens / (t(n) - t(1))

peft's PrefixTuning always adapts every layer (its prefix encoder is one [N, layers*2*kv] table);
the paper adapts the last L. `train.step_last_L` approximates that cost: a forward pre-hook
detaches the hidden states entering layer (layers - L), so autograd skips the frozen bottom
layers as our engine does (the bottom layers' prefixes still take part in the forward).

  python3 bench/prefix_step.py --dtype fp32|bf16 [--layers 16] [--batch 4] [--seq 256]
      [--prefix-layers L] [--only matmul,train,eval,decode] [--json out.json]
fp32 runs with TF32 off (true fp32, like WGSL f32); bf16 is autocast over fp32 weights (peft's
usual mixed-precision training) for train/eval, and bf16 weights for matmul and decode.
"""
import argparse
import datetime
import json
import statistics
import sys
import time

import torch


def parse():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dtype', choices=['fp32', 'bf16'], default='fp32')
    p.add_argument('--layers', type=int, default=16)
    p.add_argument('--batch', type=int, default=4)
    p.add_argument('--seq', type=int, default=256)
    p.add_argument('--prefix-tokens', type=int, default=10)
    p.add_argument('--prefix-layers', type=int, default=None, help='L for the train.step_last_L variant (default: layers - 2)')
    p.add_argument('--only', default='matmul,train,eval,decode')
    p.add_argument('--reps', type=int, default=3)
    p.add_argument('--prompt-len', type=int, default=32)
    p.add_argument('--new-tokens', type=int, default=32)
    p.add_argument('--decode-batches', default='1,16')
    p.add_argument('--json', default=None, help='also append the report to this JSON array file')
    return p.parse_args()


def sync():
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def time_it(fn, reps, min_rep_ms=0.0):
    """Warm-up, then the median wall ms per call of `reps` repetitions (several calls per repetition
    when one call is shorter than min_rep_ms, as the WebGPU bench does)."""
    fn()
    sync()
    calls = 1
    if min_rep_ms:
        t0 = time.perf_counter()
        fn()
        sync()
        single = max((time.perf_counter() - t0) * 1000, 0.01)
        calls = max(1, min(200, int(min_rep_ms / single + 0.999)))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        sync()
        times.append((time.perf_counter() - t0) * 1000 / calls)
    return statistics.median(times), calls


def llama_1b_config(layers):
    from transformers import LlamaConfig
    return LlamaConfig(
        vocab_size=128256, hidden_size=2048, intermediate_size=8192, num_hidden_layers=layers,
        num_attention_heads=32, num_key_value_heads=8, head_dim=64, rms_norm_eps=1e-5,
        rope_theta=500000.0, max_position_embeddings=131072, tie_word_embeddings=True,
        rope_scaling={'rope_type': 'llama3', 'factor': 32.0, 'low_freq_factor': 1.0, 'high_freq_factor': 4.0,
                      'original_max_position_embeddings': 8192},
        bos_token_id=128000, eos_token_id=128001, attention_bias=False, mlp_bias=False, hidden_act='silu',
    )


def bench_matmul(cfg, a, dev, wdtype, rows):
    T = a.batch * a.seq
    H, I, V = cfg.hidden_size, cfg.intermediate_size, cfg.vocab_size
    kv = cfg.num_key_value_heads * cfg.head_dim
    shapes = [('q_proj', H, H), ('k_proj', kv, H), ('v_proj', kv, H), ('o_proj', H, H),
              ('gate_proj', I, H), ('up_proj', I, H), ('down_proj', H, I), ('lm_head', V, H)]
    g = torch.Generator(device=dev).manual_seed(0)
    for name, out, inp in shapes:
        W = torch.randn(out, inp, device=dev, dtype=wdtype, generator=g) * 0.02
        x = torch.randn(T, inp, device=dev, dtype=wdtype, generator=g)
        dy = torch.randn(T, out, device=dev, dtype=wdtype, generator=g)
        flops = 2 * T * inp * out
        for form, fn, shape in [('fwd', lambda: torch.matmul(x, W.T), f'{T}x{inp} · {out}x{inp}ᵀ'),
                                ('dx', lambda: torch.matmul(dy, W), f'{T}x{out} · {out}x{inp}')]:
            ms, calls = time_it(fn, a.reps, min_rep_ms=50)
            rows.append({'key': f'matmul.{name}.{form}', 'part': 'matmul', 'shape': shape, 'ms': ms,
                         'value': flops / (ms * 1e6), 'unit': 'GFLOP/s', 'detail': f'torch.matmul {a.dtype}, {calls} calls/rep'})
        del W, x, dy


def build_peft_model(cfg, a, dev):
    from transformers import LlamaForCausalLM
    from peft import PrefixTuningConfig, TaskType, get_peft_model
    torch.manual_seed(0)
    # Random init (initializer_range 0.02), no download; built on the device (1.2e9 values: CPU init is slow).
    # Frozen weights stay fp32: bf16 runs use autocast for train/eval, as peft training usually does.
    with torch.device(dev):
        base = LlamaForCausalLM(cfg)
    model = get_peft_model(base, PrefixTuningConfig(task_type=TaskType.CAUSAL_LM, num_virtual_tokens=a.prefix_tokens))
    return model


def autocast(a, dev):
    return torch.autocast(device_type=dev.type, dtype=torch.bfloat16, enabled=a.dtype == 'bf16')


def bench_train(model, cfg, a, dev, rows):
    ids = torch.randint(0, cfg.vocab_size, (a.batch, a.seq), device=dev)
    mask = torch.ones_like(ids)
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-3)
    tokens = a.batch * a.seq

    def step():
        opt.zero_grad(set_to_none=True)
        with autocast(a, dev):
            loss = model(input_ids=ids, attention_mask=mask, labels=ids).loss
        loss.backward()
        opt.step()

    ms, _ = time_it(step, a.reps)
    rows.append({'key': 'train.step', 'part': 'train', 'shape': f'{a.batch}x{a.seq}, peft PrefixTuning {a.prefix_tokens} on all {cfg.num_hidden_layers} layers',
                 'ms': ms, 'value': tokens / (ms / 1000), 'unit': 'tokens/s', 'detail': f'{a.dtype}, AdamW, peak {peak_gib():.1f} GiB'})
    # The paper's last-L setting: stop the gradient below layer (layers - L).
    L = a.prefix_layers if a.prefix_layers is not None else max(1, cfg.num_hidden_layers - 2)
    if L < cfg.num_hidden_layers:
        layer = model.get_base_model().model.layers[cfg.num_hidden_layers - L]

        def detach_input(_module, args, kwargs):
            # transformers passes hidden_states positionally (older) or by name (newer).
            if args:
                args = (args[0].detach(), *args[1:])
            elif 'hidden_states' in kwargs:
                kwargs = {**kwargs, 'hidden_states': kwargs['hidden_states'].detach()}
            return args, kwargs

        handle = layer.register_forward_pre_hook(detach_input, with_kwargs=True)
        try:
            ms, _ = time_it(step, a.reps)
        finally:
            handle.remove()
        rows.append({'key': 'train.step_last_L', 'part': 'train', 'shape': f'{a.batch}x{a.seq}, backward through the last {L} layers',
                     'ms': ms, 'value': tokens / (ms / 1000), 'unit': 'tokens/s', 'detail': f'{a.dtype}, detach below layer {cfg.num_hidden_layers - L}'})
    del opt


def bench_eval(model, cfg, a, dev, rows):
    ids = torch.randint(0, cfg.vocab_size, (a.batch, a.seq), device=dev)
    mask = torch.ones_like(ids)

    @torch.no_grad()
    def score():
        with autocast(a, dev):
            logits = model(input_ids=ids, attention_mask=mask).logits[:, -a.seq:-1].float()
        lp = torch.log_softmax(logits, -1).gather(-1, ids[:, 1:, None])
        lp.cpu()

    ms, _ = time_it(score, a.reps)
    rows.append({'key': 'eval.forward', 'part': 'eval', 'shape': f'{a.batch}x{a.seq}', 'ms': ms,
                 'value': a.batch * a.seq / (ms / 1000), 'unit': 'tokens/s', 'detail': f'{a.dtype}, forward + log-probs, read back'})


def bench_decode(model, cfg, a, dev, rows):
    if a.dtype == 'bf16':
        model.to(torch.bfloat16)
    for B in [int(b) for b in a.decode_batches.split(',')]:
        ids = torch.randint(0, cfg.vocab_size, (B, a.prompt_len), device=dev)
        mask = torch.ones_like(ids)

        def gen(n):
            return lambda: model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=n, min_new_tokens=n,
                                          do_sample=False, pad_token_id=0)

        try:
            first, _ = time_it(gen(1), a.reps)
            full, _ = time_it(gen(a.new_tokens), a.reps)
        except Exception as e:  # peft prefix + generate has broken across transformers versions
            rows.append({'key': f'decode.b{B}', 'part': 'decode', 'shape': f'batch {B}', 'ms': None, 'value': None,
                         'unit': 'tokens/s', 'detail': f'failed: {type(e).__name__}: {e}'[:300]})
            continue
        steps = a.new_tokens - 1
        ms = max(full - first, 1e-3)
        rows.append({'key': f'decode.b{B}', 'part': 'decode', 'shape': f'batch {B}, prompt {a.prompt_len}, +{a.new_tokens} tokens',
                     'ms': ms / steps, 'value': B * steps / (ms / 1000), 'unit': 'tokens/s',
                     'detail': f'{a.dtype} weights, ms per step; whole generate {full:.0f} ms'})


def peak_gib():
    return torch.cuda.max_memory_allocated() / 2**30 if torch.cuda.is_available() else 0.0


def main():
    a = parse()
    dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    # True fp32 for the fp32 figures (cuBLAS would otherwise use TF32 tensor cores).
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    cfg = llama_1b_config(a.layers)
    only = set(a.only.split(','))
    rows = []
    if 'matmul' in only:
        bench_matmul(cfg, a, dev, torch.float32 if a.dtype == 'fp32' else torch.bfloat16, rows)
    if only & {'train', 'eval', 'decode'}:
        model = build_peft_model(cfg, a, dev)
        if 'train' in only:
            bench_train(model, cfg, a, dev, rows)
        if 'eval' in only:
            bench_eval(model, cfg, a, dev, rows)
        if 'decode' in only:
            bench_decode(model, cfg, a, dev, rows)
    import peft
    import transformers
    name = torch.cuda.get_device_name() if torch.cuda.is_available() else 'cpu'
    report = {
        'device': f'{name} (PyTorch {torch.__version__}, transformers {transformers.__version__}, peft {peft.__version__}, {a.dtype})',
        'date': datetime.datetime.now(datetime.timezone.utc).isoformat(), 'command': ' '.join(['python3'] + sys.argv),
        'params': vars(a), 'model': {'hidden': cfg.hidden_size, 'layers': cfg.num_hidden_layers, 'heads': cfg.num_attention_heads,
                                     'kvHeads': cfg.num_key_value_heads, 'headDim': cfg.head_dim, 'intermediate': cfg.intermediate_size,
                                     'vocab': cfg.vocab_size, 'tied': True, 'storage': a.dtype},
        'rows': rows,
    }
    print(json.dumps(report, indent=2))
    if a.json:
        try:
            with open(a.json) as f:
                prev = json.load(f)
        except FileNotFoundError:
            prev = []
        with open(a.json, 'w') as f:
            json.dump(prev + [report], f, indent=2)


if __name__ == '__main__':
    main()
