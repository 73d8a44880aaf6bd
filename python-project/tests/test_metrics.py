"""The project's metrics, statistics, schedule, seeded randomness and encoding against the lab's
cases (tests/cases/metrics.json)."""
import unittest

from _cases import cases

from prefix_lab import encode, metrics, rng, schedule, stats

C = cases('metrics.json')


class Squad(unittest.TestCase):
    def test_cases(self):
        for c in C['squad']:
            with self.subTest(prediction=c['prediction']):
                self.assertEqual(metrics.normalize_answer(c['prediction']), c['normalized'])
                self.assertAlmostEqual(metrics.squad_f1(c['prediction'], c['golds']), c['f1'], places=12)
                self.assertEqual(metrics.squad_exact_match(c['prediction'], c['golds']), c['exact_match'])


class Mgsm(unittest.TestCase):
    def test_last_number(self):
        for c in C['mgsmNumbers']:
            with self.subTest(text=c['text'], unicode_digits=c['unicodeDigits']):
                self.assertEqual(metrics.extract_last_number(c['text'], c['unicodeDigits']), c['number'])

    def test_exact_match(self):
        for c in C['mgsmExact']:
            with self.subTest(generation=c['generation']):
                self.assertEqual(metrics.mgsm_exact_match(c['generation'], c['answer']), c['exact_match'])


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
