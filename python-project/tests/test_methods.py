"""Methods: which ones go through peft and which through the CUSTOM module (no torch needed), and,
where torch is installed, that the CUSTOM module keeps the base model's output at its start
(zero gate) and trains only its own tensors."""
import importlib.util
import unittest

import _cases  # noqa: F401  (puts the project root on sys.path)

from prefix_lab.layers import adapted_layers, peft_plan

HAVE_TORCH = importlib.util.find_spec('torch') is not None and importlib.util.find_spec('transformers') is not None
if not HAVE_TORCH:
    print('test_methods: torch or transformers is not installed: the CUSTOM module tests are skipped (plan tests still run)')


class Plan(unittest.TestCase):
    def test_layers(self):
        self.assertEqual(adapted_layers(4, {'method': 'prefix', 'lastLayers': 2}), [2, 3])
        self.assertEqual(adapted_layers(4, {'method': 'prefix', 'layers': [3, 1, 3]}), [1, 3])
        self.assertEqual(adapted_layers(4, {'method': 'prefix'}), [0, 1, 2, 3])
        # The paper's depth (tests/cases/metrics.json "methods" has the lab's values): 30 of 32 layers.
        self.assertEqual(adapted_layers(32, {'method': 'prefix'}), list(range(2, 32)))
        self.assertEqual(adapted_layers(32, {'method': 'lora'}), list(range(32)))
        with self.assertRaisesRegex(ValueError, 'lastLayers must be 1..4'):
            adapted_layers(4, {'method': 'prefix', 'lastLayers': 5})

    def test_peft_or_custom(self):
        self.assertEqual(peft_plan({'method': 'soft_prompt'}, 4)[0], 'PROMPT_TUNING')
        self.assertEqual(peft_plan({'method': 'lora', 'lastLayers': 2}, 4)[0], 'LORA')
        self.assertIsNone(peft_plan({'method': 'prefix', 'lastLayers': 4}, 4)[0])  # hidden form: custom
        self.assertEqual(peft_plan({'method': 'prefix', 'prefixForm': 'kv'}, 4)[0], 'PREFIX_TUNING')
        self.assertIsNone(peft_plan({'method': 'prefix', 'prefixForm': 'kv', 'lastLayers': 2}, 4)[0])
        self.assertIsNone(peft_plan({'method': 'adapter'}, 4)[0])  # per-head tanh gate: custom
        self.assertEqual(peft_plan({'method': 'adapter', 'gate': 'scalar', 'lastLayers': 2}, 4)[0], 'ADAPTION_PROMPT')
        self.assertIsNone(peft_plan({'method': 'adapter', 'gate': 'scalar', 'gateTanh': True}, 4)[0])
        self.assertIsNone(peft_plan({'method': 'full'}, 4)[0])


@unittest.skipUnless(HAVE_TORCH, 'torch / transformers not installed')
class CustomModule(unittest.TestCase):
    def model(self):
        import torch
        from transformers import LlamaConfig, LlamaForCausalLM
        torch.manual_seed(0)
        cfg = LlamaConfig(vocab_size=50, hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
                          num_key_value_heads=2, max_position_embeddings=64, attn_implementation='eager')
        return LlamaForCausalLM(cfg).eval()

    def test_zero_gate_keeps_the_base_output(self):
        import torch
        from prefix_lab.methods import apply_method
        ids = torch.tensor([[1, 5, 7, 9, 2]])
        base = self.model()
        want = base(input_ids=ids).logits
        model, info = apply_method(base, {'method': 'adapter', 'tokens': 3, 'lastLayers': 2}, seed=0)
        self.assertEqual(info['layers'], [1, 2])
        torch.testing.assert_close(model(input_ids=ids).logits, want)
        names = sorted(n for n, p in model.named_parameters() if p.requires_grad)
        self.assertEqual(names, [f'model.layers.{l}.self_attn.prefix_lab.{t}' for l in (1, 2) for t in ('gate', 'prefix')])

    def test_hidden_prefix_changes_the_output_and_generates(self):
        import torch
        from prefix_lab.methods import apply_method, custom_state
        ids = torch.tensor([[1, 5, 7, 9, 2]])
        base = self.model()
        want = base(input_ids=ids).logits
        model, info = apply_method(base, {'method': 'prefix', 'tokens': 3, 'lastLayers': 1}, seed=0)
        got = model(input_ids=ids).logits
        self.assertFalse(torch.allclose(got, want))
        self.assertEqual(sorted(custom_state(model, info['layers'])), ['prefix.2'])
        out = model.generate(input_ids=ids, max_new_tokens=3, do_sample=False, pad_token_id=0)
        self.assertEqual(out.shape, (1, 8))


if __name__ == '__main__':
    unittest.main()
