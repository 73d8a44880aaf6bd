"""The project's metrics, statistics, schedule, seeded randomness, encoding, decoding choice and
paper defaults against the lab's cases (tests/cases/metrics.json)."""
import unittest

from _cases import cases, tables

from prefix_lab import encode, eval_setup, layers, metrics, rng, schedule, stats, summary

C = cases('metrics.json')


class Squad(unittest.TestCase):
    def test_cases(self):
        for c in C['squad']:
            with self.subTest(prediction=c['prediction']):
                self.assertEqual(metrics.normalize_answer(c['prediction']), c['normalized'])
                self.assertAlmostEqual(metrics.squad_f1(c['prediction'], c['golds']), c['f1'], places=12)
                self.assertEqual(metrics.squad_exact_match(c['prediction'], c['golds']), c['exact_match'])

    def test_python_strip_is_the_labs(self):
        for c in C['pyStrip']:
            with self.subTest(text=c['text']):
                self.assertEqual(c['text'].strip(), c['stripped'])


class Mgsm(unittest.TestCase):
    def setUp(self):
        self.mgsm = tables()['mgsm']

    def test_last_number(self):
        for c in C['mgsmNumbers']:
            with self.subTest(text=c['text'], lang=c.get('lang'), unicode_digits=c['unicodeDigits']):
                self.assertEqual(metrics.extract_last_number(c['text'], self.mgsm, c.get('lang'), c['unicodeDigits']), c['number'])

    def test_exact_match(self):
        for c in C['mgsmExact']:
            with self.subTest(generation=c['generation']):
                self.assertEqual(metrics.mgsm_exact_match(c['generation'], c['answer'], self.mgsm, c.get('lang')), c['exact_match'])

    def test_strict_flexible_exact(self):
        for c in C['mgsmScores']:
            with self.subTest(generation=c['generation'], lang=c['lang'], unicode_digits=c['unicodeDigits']):
                self.assertEqual(metrics.mgsm_scores(c['generation'], c['answer'], self.mgsm, c['lang'], c['unicodeDigits']), c['scores'])


class Evaluation(unittest.TestCase):
    def setUp(self):
        self.tables = tables()

    def test_generation_item_metrics(self):
        for c in C['generationItems']:
            with self.subTest(generated=c['generated']):
                got = metrics.generation_item_metrics(c['task'], c['generated'], c['request'], c['lang'], self.tables['mgsm'])
                self.assertEqual(got, c['metrics'])

    def test_decoding(self):
        for c in C['decoding']:
            with self.subTest(cfg=c['cfg'], sampling=c['sampling']):
                request = {'sampling': c['sampling']} if c['sampling'] else None
                if 'error' in c:
                    with self.assertRaisesRegex(ValueError, c['error']):
                        eval_setup.decoding_of(self.tables, c['cfg'], request)
                else:
                    self.assertEqual(eval_setup.decoding_of(self.tables, c['cfg'], request), c['value'])

    def test_prompt_info(self):
        for c in C['promptInfo']:
            with self.subTest(template=c['template']):
                self.assertEqual(eval_setup.prompt_info(self.tables, c['template'], c['wording'], c['decoding']), c['value'])

    def test_wording(self):
        self.assertEqual(eval_setup.eval_wording(self.tables, {}), 'native')
        self.assertEqual(eval_setup.eval_wording(self.tables, {'wording': 'english'}), 'english')
        with self.assertRaisesRegex(ValueError, "eval wording must be 'native' or 'english', got 'latin'"):
            eval_setup.eval_wording(self.tables, {'wording': 'latin'})


class PaperDefaults(unittest.TestCase):
    def test_adapted_layers(self):
        for c in C['methods']['adaptedLayers']:
            with self.subTest(num_layers=c['numLayers'], method=c['method']):
                self.assertEqual(layers.adapted_layers(c['numLayers'], c['method']), c['value'])

    def test_lora(self):
        for c in C['methods']['lora']:
            with self.subTest(method=c['method']):
                self.assertEqual((layers.lora_rank(c['method']), layers.lora_alpha(c['method'])), (c['rank'], c['alpha']))

    def test_paper_param_count(self):
        for c in C['methods']['paperParamCount']:
            d = c['model']
            with self.subTest(method=c['method']):
                got = summary.paper_param_count(c['method'], d['numLayers'], d['hiddenSize'], None, d['numKvHeads'], d['headDim'])
                self.assertEqual(got, c['value'])


class Choices(unittest.TestCase):
    def test_cases(self):
        for c in C['choices']:
            with self.subTest(lls=c['lls']):
                self.assertEqual(metrics.predict_choice(c['lls']), c['pred'])
                self.assertEqual(metrics.predict_choice_norm(c['lls'], c['choiceTexts'], 'chars'), c['predNorm'])
                self.assertEqual(metrics.predict_choice_norm(c['lls'], c['choiceTexts'], 'bytes'), c['predNormBytes'])
                self.assertEqual(metrics.choice_item_metrics(c['lls'], c),
                                 {'acc': int(c['pred'] == c['gold']), 'acc_norm': int(c['predNorm'] == c['gold'])})
        with self.assertRaisesRegex(ValueError, 'NaN'):
            metrics.argmax([0.0, float('nan')])


class Statistics(unittest.TestCase):
    def test_wilson(self):
        for c in C['wilson']:
            lo, hi = stats.wilson_interval(c['successes'], c['n'])
            self.assertAlmostEqual(lo, c['lo'], places=12)
            self.assertAlmostEqual(hi, c['hi'], places=12)

    def test_language_sample(self):
        for c in C['languageSample']:
            self.assertEqual(stats.language_sample(c['items'], c['seed']), c['expected'])

    def test_as_percent(self):
        for c in C['asPercent']:
            self.assertEqual(stats.as_percent(c['score']), c['percent'])

    def test_aggregate(self):
        a = C['aggregate']
        self.assertEqual(stats.summarise(a['items'], a['languages'], a['seed']), a['expected'])


class Schedule(unittest.TestCase):
    def test_lr_at(self):
        for c in C['lrAt']:
            v = schedule.lr_at(c['step'], c['lr'], c['steps'], c['warmupSteps'], c['schedule'])
            self.assertAlmostEqual(v, c['value'], places=15)


class SeededRandomness(unittest.TestCase):
    def test_mulberry32(self):
        for c in C['rng']['mulberry32']:
            r = rng.mulberry32(c['seed'])
            self.assertEqual([r() for _ in range(5)], c['first'])

    def test_seeds(self):
        for c in C['rng']['hashString']:
            self.assertEqual(rng.hash_string(c['s']), c['hash'])
        for c in C['rng']['deriveSeed']:
            self.assertEqual(rng.derive_seed(c['seed'], *c['labels']), c['value'])

    def test_orders(self):
        for c in C['rng']['permutation']:
            self.assertEqual(rng.permutation(c['n'], c['seed']), c['value'])
        for c in C['rng']['sampleIndices']:
            self.assertEqual(rng.sample_indices(c['n'], c['k'], c['seed']), c['value'])
        for c in C['rng']['epochOrder']:
            self.assertEqual(rng.epoch_order(c['n'], c['seed'], c['epoch']), c['value'])
        for c in C['subsample']:
            self.assertEqual(rng.subsample_languages(c['byLang'], c['k'], c['seed'], c['parallel']), c['value'])


class Encoding(unittest.TestCase):
    def test_fit_to_length(self):
        for c in C['encode']['fitToLength']:
            self.assertEqual(encode.fit_to_length(c['prompt'], c['target'], c['maxLen'], c['bos']), c['value'])

    def test_byte_tokenizer(self):
        tok = encode.ByteTokenizer()
        for c in C['encode']['byteTokenizer']:
            self.assertEqual(tok.encode(c['text']), c['withSpecial'])
            self.assertEqual(tok.encode(c['text'], False), c['without'])
            self.assertEqual(tok.decode(c['withSpecial']), c['text'])

    def test_toy_bpe_tokenizer(self):
        bpe = C['encode']['toyBpe']
        tok = encode.ByteTokenizer(bpe['merges'])
        for c in bpe['cases']:
            self.assertEqual(tok.encode(c['text']), c['withSpecial'])
            self.assertEqual(tok.encode(c['text'], False), c['without'])
            self.assertEqual(tok.decode(c['without']), c['text'])


if __name__ == '__main__':
    unittest.main()
