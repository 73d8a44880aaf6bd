"""The project's prompt templates against the lab's template cases (tests/cases/templates.json)."""
import re
import unittest

from _cases import cases, tables

from prefix_lab import templates

CASES = cases('templates.json')


class TemplateCases(unittest.TestCase):
    def setUp(self):
        self.tables = tables()

    def test_every_case(self):
        for c in CASES['cases']:
            for kind, run in (('train', templates.train_example), ('eval', templates.eval_request)):
                with self.subTest(case=c['name'], kind=kind):
                    if f'{kind}Error' in c:
                        with self.assertRaisesRegex(ValueError, re.escape(c[f'{kind}Error'])):
                            run(c['template'], c['row'], self.tables, c['ctx'])
                    else:
                        self.assertEqual(run(c['template'], c['row'], self.tables, c['ctx']), c[kind])

    def test_cut_at_stop(self):
        for c in CASES['cutAtStop']:
            with self.subTest(text=c['text']):
                self.assertEqual(templates.cut_at_stop(c['text'], c['stop']), c['cut'])

    def test_prompts_never_end_in_whitespace(self):
        for c in CASES['cases']:
            if 'train' in c:
                ex = templates.train_example(c['template'], c['row'], self.tables, c['ctx'])
                self.assertEqual(ex['prompt'], ex['prompt'].rstrip(), c['name'])
                self.assertTrue(ex['target'], c['name'])

    def test_words_come_from_lab_tables(self):
        """Prompt words, the default wording and MGSM's stops are read from lab_tables.json, not written here."""
        import copy
        t = copy.deepcopy(self.tables)
        t['xquad_words']['de']['context'] = 'KONTEXT'
        t['xnli_words']['de']['question'] = 'RICHTIG'
        t['mgsm']['extraStops'] = ['<END>']
        qa = {'id': 'q', 'context': 'c', 'question': 'q?', 'answers': [{'text': 'a', 'answer_start': 0}]}
        nli = {'id': 'n', 'premise': 'p', 'hypothesis': 'h', 'label': 'neutral'}
        self.assertTrue(templates.eval_request('qa_xquad_lmeval', qa, t, {'lang': 'de'})['prompt'].startswith('KONTEXT: c'))
        self.assertEqual(templates.eval_request('nli_xnli_lmeval', nli, t, {'lang': 'de'})['prompt'], 'p, RICHTIG?')
        t['wording']['default'] = 'english'
        self.assertEqual(templates.eval_request('nli_xnli_lmeval', nli, t, {'lang': 'de'})['prompt'], 'p, right?')
        mgsm = {'id': 'm', 'question': 'Q?', 'answer_number': 1}
        self.assertEqual(templates.eval_request('math_mgsm_cot', mgsm, t, {'lang': 'de', 'shots': 0})['stop'], ['Frage:', '<END>'])

    def test_every_benchmark_names_a_known_template(self):
        for bench, spec in self.tables['benchmarks'].items():
            with self.subTest(benchmark=bench):
                templates.get_template(spec['defaultTemplate'])
        with self.assertRaisesRegex(ValueError, 'unknown template'):
            templates.get_template('nope')


if __name__ == '__main__':
    unittest.main()
