"""The lab's methods on a Hugging Face Llama: peft where peft expresses the method exactly
(prompt tuning, kv prefix tuning on every layer, AdaptionPrompt with a scalar gate, LoRA), the
weights themselves for full fine-tuning, and otherwise the CUSTOM module below.

############################################################################################
# CUSTOM MODULE (not peft): the paper's hidden-form prefix, LLaMA-Adapter's per-head / tanh #
# gate, and a kv prefix on a subset of layers. peft cannot express these. It replaces the   #
# forward of each adapted layer's self_attn (eager attention) with one that adds the prefix: #
#   hidden form  keys/values = k_proj(P), v_proj(P) of N learned hidden-size vectors P       #
#                (no RMSNorm, no RoPE), one softmax over [prefix; tokens]                    #
#   kv form      learned keys/values [kv_heads, N, head_dim]; queries see the prefix as if   #
#                the tokens sat at positions N.. (peft's offset), one softmax                #
#   gated        out = softmax(QK^T)V + g * softmax(Q Pk^T) Pv, g per head (tanh) or scalar  #
# Its tensors use the lab's names and layouts (prefix.{l}, prefix.{l}.k/.v, gate.{l}), so    #
# the adapter this project saves loads back into the lab (peft_type "PREFIX_LAB").           #
############################################################################################
"""
import math
import types

import torch
from torch import nn

from .layers import adapted_layers, lora_alpha, lora_rank, lora_targets, peft_plan, prompt_init_std, prompt_tokens, trains_embeddings


def _llama_helpers():
    from transformers.models.llama.modeling_llama import apply_rotary_pos_emb, repeat_kv
    return apply_rotary_pos_emb, repeat_kv


class LayerPrefix(nn.Module):
    """CUSTOM: the trainable tensors of one adapted layer."""

    def __init__(self, form, n, hidden, kv_heads, head_dim, heads, gate, std, generator):
        super().__init__()
        self.form = form  # 'hidden' | 'kv' | 'gated'
        self.n = n
        if form == 'kv':
            self.k = nn.Parameter(torch.randn(kv_heads, n, head_dim, generator=generator) * std)
            self.v = nn.Parameter(torch.randn(kv_heads, n, head_dim, generator=generator) * std)
        else:
            self.prefix = nn.Parameter(torch.randn(n, hidden, generator=generator) * std)
        self.gate = nn.Parameter(torch.zeros(heads if gate == 'per_head' else 1)) if form == 'gated' else None
        self.gate_tanh = False
        self.position_offset = 0
        self.rotary = None  # the model's rotary embedding (kv form with an offset); not a submodule

    def keys_values(self, attn):
        """[kv_heads, N, head_dim] keys and values of the prefix."""
        if self.form == 'kv':
            return self.k, self.v
        p = self.prefix.to(attn.k_proj.weight.dtype)
        hd = attn.head_dim
        k = attn.k_proj(p).view(self.n, -1, hd).transpose(0, 1)
        v = attn.v_proj(p).view(self.n, -1, hd).transpose(0, 1)
        return k, v


def _causal_mask(q_len, kv_len, device, dtype):
    past = kv_len - q_len
    i = torch.arange(q_len, device=device)[:, None]
    j = torch.arange(kv_len, device=device)[None, :]
    return torch.where(j <= i + past, 0.0, torch.finfo(dtype).min).to(dtype)[None, None]


def prefixed_attention_forward(self, hidden_states, position_embeddings=None, attention_mask=None, **kwargs):
    """CUSTOM: LlamaAttention.forward with the layer's prefix (self.prefix_lab) added."""
    apply_rotary_pos_emb, repeat_kv = _llama_helpers()
    pre = self.prefix_lab
    bsz, q_len, _ = hidden_states.shape
    hd = self.head_dim
    q = self.q_proj(hidden_states).view(bsz, q_len, -1, hd).transpose(1, 2)
    k = self.k_proj(hidden_states).view(bsz, q_len, -1, hd).transpose(1, 2)
    v = self.v_proj(hidden_states).view(bsz, q_len, -1, hd).transpose(1, 2)
    cos, sin = position_embeddings
    q_raw = q
    q, k = apply_rotary_pos_emb(q, k, cos, sin)
    cache = kwargs.get('past_key_values', kwargs.get('past_key_value'))
    if cache is not None:
        k, v = cache.update(k, v, self.layer_idx, {'sin': sin, 'cos': cos, 'cache_position': kwargs.get('cache_position')})
    groups = q.shape[1] // k.shape[1]
    k, v = repeat_kv(k, groups), repeat_kv(v, groups)
    pk, pv = pre.keys_values(self)
    pk = repeat_kv(pk.to(q.dtype)[None].expand(bsz, -1, -1, -1), groups)
    pv = repeat_kv(pv.to(q.dtype)[None].expand(bsz, -1, -1, -1), groups)
    q_prefix = q
    if pre.position_offset:
        # kv form: the prefix is seen from positions shifted by N (token-token scores are relative, unchanged).
        pos = kwargs.get('position_ids')
        if pos is None:
            cp = kwargs.get('cache_position')
            pos = (cp if cp is not None else torch.arange(q_len, device=q.device))[None].expand(bsz, -1)
        cos_o, sin_o = pre.rotary(hidden_states, pos + pre.position_offset)
        q_prefix, _ = apply_rotary_pos_emb(q_raw, q_raw, cos_o, sin_o)
    scale = 1.0 / math.sqrt(hd)
    scores = torch.matmul(q, k.transpose(2, 3)) * scale
    mask = attention_mask if attention_mask is not None else _causal_mask(q_len, k.shape[-2], q.device, scores.dtype)
    if mask.dtype == torch.bool:
        mask = torch.where(mask, 0.0, torch.finfo(scores.dtype).min).to(scores.dtype)
    scores = scores + mask[:, :, :, : k.shape[-2]]
    pscores = torch.matmul(q_prefix, pk.transpose(2, 3)) * scale
    if pre.form == 'gated':
        tok = torch.softmax(scores.float(), -1).to(q.dtype)
        pre_attn = torch.softmax(pscores.float(), -1).to(q.dtype)
        g = torch.tanh(pre.gate) if pre.gate_tanh else pre.gate
        out = torch.matmul(tok, v) + g.to(q.dtype).view(1, -1, 1, 1) * torch.matmul(pre_attn, pv)
    else:
        attn = torch.softmax(torch.cat([pscores, scores], -1).float(), -1).to(q.dtype)
        out = torch.matmul(attn[..., : pre.n], pv) + torch.matmul(attn[..., pre.n:], v)
    out = out.transpose(1, 2).reshape(bsz, q_len, -1)
    return self.o_proj(out), None


def attach_custom(model, method, seed):
    """CUSTOM: puts a LayerPrefix on every adapted layer's self_attn and patches its forward."""
    cfg = model.config
    layers = adapted_layers(cfg.num_hidden_layers, method)
    n = prompt_tokens(method)
    std = prompt_init_std(method)
    head_dim = getattr(cfg, 'head_dim', None) or cfg.hidden_size // cfg.num_attention_heads
    m = method['method']
    form = 'gated' if m == 'adapter' else ('kv' if method.get('prefixForm') == 'kv' else 'hidden')
    per_head = method.get('gate', 'per_head') == 'per_head'
    generator = torch.Generator().manual_seed(int(seed))
    for l in layers:
        attn = model.model.layers[l].self_attn
        pre = LayerPrefix(form, n, cfg.hidden_size, cfg.num_key_value_heads, head_dim, cfg.num_attention_heads,
                          'per_head' if per_head else 'scalar', std, generator)
        pre.gate_tanh = bool(method.get('gateTanh', per_head)) if form == 'gated' else False
        if form == 'kv':
            pre.position_offset = n
            object.__setattr__(pre, 'rotary', model.model.rotary_emb)
        attn.prefix_lab = pre.to(next(attn.parameters()).device)
        attn.forward = types.MethodType(prefixed_attention_forward, attn)
    return layers


def custom_state(model, layers):
    """CUSTOM tensors under the lab's names and exchange layouts."""
    out = {}
    for l in layers:
        pre = model.model.layers[l].self_attn.prefix_lab
        if pre.form == 'kv':
            out[f'prefix.{l}.k'] = pre.k.detach().float().cpu()
            out[f'prefix.{l}.v'] = pre.v.detach().float().cpu()
        else:
            out[f'prefix.{l}'] = pre.prefix.detach().float().cpu()
        if pre.gate is not None:
            out[f'gate.{l}'] = pre.gate.detach().float().cpu()
    return out


def apply_method(model, method, seed):
    """Wraps or patches `model` for the method. Returns (model, info) where info has peft_type
    (None: saved in the lab's own format), why (why not peft), layers and trainable params."""
    cfg = model.config
    num_layers = cfg.num_hidden_layers
    peft_type, why = peft_plan(method, num_layers)
    m = method['method']
    for p in model.parameters():
        p.requires_grad_(False)
    info = {'peft_type': peft_type, 'why': why, 'layers': [], 'method': m}
    if m == 'base':
        return model, info
    torch.manual_seed(int(seed))
    if peft_type is not None:
        import peft
        n = prompt_tokens(method) if m in ('soft_prompt', 'prefix', 'adapter') else None
        if peft_type == 'PROMPT_TUNING':
            conf = peft.PromptTuningConfig(task_type='CAUSAL_LM', num_virtual_tokens=n)
        elif peft_type == 'PREFIX_TUNING':
            conf = peft.PrefixTuningConfig(task_type='CAUSAL_LM', num_virtual_tokens=n)
        elif peft_type == 'ADAPTION_PROMPT':
            conf = peft.AdaptionPromptConfig(task_type='CAUSAL_LM', adapter_len=n,
                                             adapter_layers=len(adapted_layers(num_layers, method)))
        else:
            r = lora_rank(method)
            conf = peft.LoraConfig(task_type='CAUSAL_LM', r=r, lora_alpha=lora_alpha(method), lora_dropout=0.0,
                                   target_modules=lora_targets(method), layers_to_transform=adapted_layers(num_layers, method),
                                   bias='none')
        model = peft.get_peft_model(model, conf)
        if m in ('soft_prompt', 'prefix') and prompt_init_std(method) != 1.0:
            with torch.no_grad():
                for name, p in model.named_parameters():
                    if p.requires_grad:
                        p.normal_(0.0, prompt_init_std(method))
        info['layers'] = adapted_layers(num_layers, method) if m != 'soft_prompt' else []
    elif m == 'full':
        layers = adapted_layers(num_layers, method)
        for l in layers:
            for p in model.model.layers[l].parameters():
                p.requires_grad_(True)
        if trains_embeddings(num_layers, method):
            model.model.embed_tokens.weight.requires_grad_(True)
            model.model.norm.weight.requires_grad_(True)
            if not cfg.tie_word_embeddings:
                model.lm_head.weight.requires_grad_(True)
        info['layers'] = layers
    else:
        info['layers'] = attach_custom(model, method, seed)
    for p in model.parameters():
        if p.requires_grad:
            p.data = p.data.float()
    info['trainable'] = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return model, info
