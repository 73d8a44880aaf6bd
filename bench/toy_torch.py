"""Replays a toy pretraining recipe in PyTorch on the CPU, to search recipes faster than the
emulated GPU can (issue #10). It reads what `npm run toy:dump` wrote (the exact token windows
pretrain:toy trains on, the seeded init, the probe's token ids) and trains the same model the same
way: Llama (RMSNorm, RoPE, GQA, SwiGLU, tied embeddings), mean next-token loss, AdamW (torch
semantics, weight decay on matrices only), linear warmup then cosine to min_lr_share x lr, gradient
norm clipped to 1. Every --probe-every steps it prints the toy probe (copula recall per language,
copy gain), the same measures as src/runner/toy_probe.ts. The shipped weights are always made by
`npm run pretrain:toy` with our own engine; this only finds which settings are worth its 40 minutes.

  npm run toy:dump -- --seed 1 --windows 16000 --corpus '{"list":0.3}' --out /tmp/toy-d
  /usr/bin/python3 bench/toy_torch.py /tmp/toy-d --steps 1000 --batch 8 --lr 5e-3 [--out w.safetensors]
(PyTorch: Debian's python3-torch. --out also writes at every probe; the file loads in the lab as
public/toy-model/model.safetensors, so `npm run bench:toy-probe` can check it with the engine.)
"""
import argparse
import json
import math
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

CFG = dict(hidden=64, inter=160, layers=4, heads=4, kv=2, head_dim=16, eps=1e-5, theta=10000.0)


def read_safetensors(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        a, b = e['data_offsets']
        out[name] = torch.from_numpy(np.frombuffer(raw[8 + n + a:8 + n + b], dtype=np.float32).copy()).reshape(e['shape'])
    return out, header.get('__metadata__', {})


def write_safetensors(path, tensors, metadata):
    header, blobs, off = {'__metadata__': metadata}, [], 0
    for name, t in tensors.items():
        b = t.detach().contiguous().numpy().astype(np.float32).tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b' ' * ((8 - len(h) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def rms(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + CFG['eps']) * w


def rope(seq):
    d = CFG['head_dim']
    inv = 1.0 / (CFG['theta'] ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
    f = torch.outer(torch.arange(seq, dtype=torch.float32), inv)
    emb = torch.cat([f, f], -1)
    return emb.cos(), emb.sin()


def rot(x, cos, sin):
    h = x.shape[-1] // 2
    return x * cos + torch.cat([-x[..., h:], x[..., :h]], -1) * sin


def forward(P, ids):
    B, T = ids.shape
    H, KV, D = CFG['heads'], CFG['kv'], CFG['head_dim']
    cos, sin = rope(T)
    x = P['model.embed_tokens.weight'][ids]
    for i in range(CFG['layers']):
        p = f'model.layers.{i}.'
        h = rms(x, P[p + 'input_layernorm.weight'])
        q = (h @ P[p + 'self_attn.q_proj.weight'].T).view(B, T, H, D).transpose(1, 2)
        k = (h @ P[p + 'self_attn.k_proj.weight'].T).view(B, T, KV, D).transpose(1, 2)
        v = (h @ P[p + 'self_attn.v_proj.weight'].T).view(B, T, KV, D).transpose(1, 2)
        q, k = rot(q, cos, sin), rot(k, cos, sin)
        k, v = k.repeat_interleave(H // KV, 1), v.repeat_interleave(H // KV, 1)
        att = (q @ k.transpose(-1, -2)) / math.sqrt(D)
        att = att.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float('-inf')).softmax(-1)
        a = att @ v
        x = x + a.transpose(1, 2).reshape(B, T, H * D) @ P[p + 'self_attn.o_proj.weight'].T
        h = rms(x, P[p + 'post_attention_layernorm.weight'])
        g = F.silu(h @ P[p + 'mlp.gate_proj.weight'].T) * (h @ P[p + 'mlp.up_proj.weight'].T)
        x = x + g @ P[p + 'mlp.down_proj.weight'].T
    x = rms(x, P['model.norm.weight'])
    return x @ P['model.embed_tokens.weight'].T


@torch.no_grad()
def seq_logprob(P, prompt, cont):
    ids = torch.tensor([prompt + cont])
    lp = F.log_softmax(forward(P, ids)[0], -1)
    n = len(prompt)
    return sum(lp[n - 1 + j, t].item() for j, t in enumerate(cont))


def wilson(k, n, z=1.959964):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return 100 * (c - h), 100 * (c + h)


@torch.no_grad()
def probe(P, pr, items):
    out = {}
    for lang, reqs in pr['recall'].items():
        reqs = reqs[:items]
        ok = 0
        for r in reqs:
            s = [seq_logprob(P, r['prompt'], c) for c in r['conts']]
            ok += int(int(np.argmax(s)) == r['label'])
        lo, hi = wilson(ok, len(reqs))
        out[lang] = (100 * ok / len(reqs), lo)
    gain, toks = 0.0, 0
    for c in pr['copy']:
        gain += seq_logprob(P, c['a'], c['cont']) - seq_logprob(P, c['b'], c['cont'])
        toks += len(c['cont'])
    return out, gain / toks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('--steps', type=int, default=700)
    ap.add_argument('--batch', type=int, default=16)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--warmup', type=int, default=40)
    ap.add_argument('--min-lr-share', type=float, default=0.1)
    ap.add_argument('--wd', type=float, default=0.1)
    ap.add_argument('--probe-every', type=int, default=250, help='0: never')
    ap.add_argument('--items', type=int, default=40)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--out')
    ap.add_argument('--seq', type=int)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    meta = json.load(open(f'{a.dir}/meta.json'))
    seq = meta['seq']
    wins = torch.from_numpy(np.fromfile(f'{a.dir}/windows.bin', dtype=np.int32).astype(np.int64)).view(-1, seq)
    if a.seq:  # shorter windows from the same stream (BOS + the first seq-1 tokens of each)
        wins = wins[:, :a.seq]
    need = a.steps * a.batch
    if wins.shape[0] < need:
        sys.exit(f'{a.dir} has {wins.shape[0]} windows; {a.steps} x {a.batch} needs {need}')
    init, meta_st = read_safetensors(f'{a.dir}/init.safetensors')
    P = {k: v.clone().requires_grad_(True) for k, v in init.items()}
    pr = json.load(open(f'{a.dir}/probe.json'))
    decay = [v for k, v in P.items() if not k.endswith('norm.weight')]
    plain = [v for k, v in P.items() if k.endswith('norm.weight')]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': a.wd}, {'params': plain, 'weight_decay': 0.0}], lr=a.lr, betas=(0.9, 0.999), eps=1e-8)
    t0 = time.time()
    losses = []
    for step in range(a.steps):
        if step < a.warmup:
            lr = a.lr * (step + 1) / a.warmup
        else:
            prog = min(1.0, (step - a.warmup) / max(1, a.steps - a.warmup))
            lr = a.lr * a.min_lr_share + (1 - a.min_lr_share) * a.lr * 0.5 * (1 + math.cos(math.pi * prog))
        for g in opt.param_groups:
            g['lr'] = lr
        ids = wins[step * a.batch:(step + 1) * a.batch]
        logits = forward(P, ids[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(P.values()), 1.0)
        opt.step()
        losses.append(loss.item())
        s = step + 1
        if s <= 5:  # single losses: comparable with pretrain.json's curve (the engine's)
            print(f'step {s:5d} loss {losses[-1]:.6f} lr {lr:.2e} {time.time() - t0:.0f}s', flush=True)
        elif s % 50 == 0:
            print(f'step {s:5d} loss {np.mean(losses[-50:]):.4f} (50-step mean) lr {lr:.2e} {time.time() - t0:.0f}s', flush=True)
        if a.probe_every > 0 and (s % a.probe_every == 0 or s == a.steps):
            rec, gain = probe(P, pr, a.items)
            above = [l for l, (acc, lo) in rec.items() if lo > 25]
            cells = ' '.join(f'{l} {acc:.0f}' for l, (acc, lo) in rec.items())
            print(f'  probe @{s}: {cells} | copy {gain:.3f} | above chance: {",".join(above) or "-"}', flush=True)
            if a.out:
                write_safetensors(a.out, {k: v for k, v in P.items()}, meta_st)
    if a.out:
        write_safetensors(a.out, {k: v for k, v in P.items()}, meta_st)
        json.dump({'losses': losses, 'args': vars(a)}, open(a.out + '.json', 'w'))


if __name__ == '__main__':
    main()
