// Template outputs on real rows of every ../shared benchmark (skipped without it), plus the
// wording tables checked against their sources where those are in ../shared.
import { describe, expect, it } from 'vitest';
import { loadSplit } from '../../src/data/benchmarks/load.ts';
import { getBenchmark } from '../../src/data/benchmarks/registry.ts';
import type { BenchmarkSpec } from '../../src/data/benchmarks/spec.ts';
import {
  cutAtStop,
  getTemplate,
  getTemplateFor,
  gsm8kToCot,
  mathMgsmCot,
  mcBelebeleLmeval,
  MGSM_PREFIXES,
  nliMnliLmeval,
  nliXnliLmeval,
  prefixesFromExemplars,
  qaXquadLmeval,
  TEMPLATES,
  templatesForTask,
  XQUAD_LMEVAL_WORDS,
  type ChoiceRequest,
  type GenerateRequest,
} from '../../src/data/templates.ts';
import type { RowByTask, TaskKind } from '../../src/data/types.ts';
import { haveSharedData, shared, sharedNote } from './helpers.ts';

async function firstRow<K extends TaskKind>(id: string, split: string, lang: string, index = 0): Promise<RowByTask[K]> {
  const spec = getBenchmark(id) as unknown as BenchmarkSpec<K>;
  return (await loadSplit(shared, spec, split, lang))[index];
}

function asChoices(r: ChoiceRequest | GenerateRequest): ChoiceRequest {
  if (r.kind !== 'choices') throw new Error('expected a choice request');
  return r;
}
function asGenerate(r: ChoiceRequest | GenerateRequest): GenerateRequest {
  if (r.kind !== 'generate') throw new Error('expected a generate request');
  return r;
}

describe('template registry and conventions', () => {
  it('has unique ids and typed lookups', () => {
    expect(new Set(TEMPLATES.map((t) => t.id)).size).toBe(TEMPLATES.length);
    expect(templatesForTask('nli').map((t) => t.id)).toEqual(['nli_xnli_lmeval', 'nli_mnli_lmeval']);
    expect(getTemplateFor('math', 'math_mgsm_cot')).toBe(mathMgsmCot);
    expect(() => getTemplateFor('nli', 'math_mgsm_cot')).toThrow(/is for math, not nli/);
    expect(() => getTemplate('nope')).toThrow(/unknown template/);
  });

  it('cuts generations at the earliest stop string', () => {
    expect(cutAtStop(' 308\nQuestion: x', ['\n'])).toBe(' 308');
    expect(cutAtStop('a||b\nc', ['\n', '||'])).toBe('a');
    expect(cutAtStop('abc', ['', 'z'])).toBe('abc');
  });

  it('prompts never end in whitespace; targets start with the delimiter (inline rows)', () => {
    const nli = { id: 'n', premise: 'A man sleeps.', hypothesis: 'A man is awake', label: 'contradiction' as const };
    const qa = { id: 'q', context: 'C', question: 'Q?', answers: [{ text: ' x ', start: 0 }] };
    const mc = { id: 'm', passage: 'P', question: ' Q? ', choices: ['a', 'b', 'c'], label: 2 };
    const math = { id: 'g', question: 'Q?', answer_number: 5, answer_text: 'a = 5.\n#### 5' };
    for (const ex of [nliXnliLmeval.train(nli), nliMnliLmeval.train(nli), qaXquadLmeval.train(qa), mcBelebeleLmeval.train(mc), mathMgsmCot.train(math)]) {
      expect(ex.prompt).toBe(ex.prompt.trimEnd());
      expect(ex.target.startsWith(' ')).toBe(true);
    }
    expect(nliMnliLmeval.train(nli)).toEqual({ prompt: 'A man sleeps.\nQuestion: A man is awake. True, False or Neither?\nAnswer:', target: ' False' });
    expect(qaXquadLmeval.train(qa).target).toBe(' x\n');
    expect(mcBelebeleLmeval.eval(mc)).toEqual({
      kind: 'choices',
      prompt: 'P: P\nQ: Q?\nA: a\nB: b\nC: c\nAnswer:',
      continuations: [' A', ' B', ' C'],
      choiceTexts: ['A', 'B', 'C'],
      gold: 2,
    });
  });

  it('GSM8K solutions become one-line CoT ending in "The answer is N."', () => {
    expect(gsm8kToCot('Natalia sold 48/2 = 24 clips in May.\nNatalia sold 48+24 = 72 clips altogether in April and May.\n#### 72', 72)).toBe(
      'Natalia sold 48/2 = 24 clips in May. Natalia sold 48+24 = 72 clips altogether in April and May. The answer is 72.',
    );
  });

  it('MGSM needs exemplars for k-shot, and works 0-shot without them', () => {
    const row = { id: 'mgsm-000', question: 'Q?', answer_number: 3 };
    expect(() => mathMgsmCot.eval(row, { lang: 'de' })).toThrow(/8-shot prompt needs 8 exemplars for 'de', got 0/);
    // lm-eval's mgsm_native_cot_zh / _ja: a space after the full-width colon, an ASCII colon after the answer prefix.
    expect(mathMgsmCot.eval(row, { lang: 'zh', shots: 0 }).prompt).toBe('问题： Q?\n逐步解答:');
    expect(mathMgsmCot.eval(row, { lang: 'ja', shots: 0 }).prompt).toBe('問題： Q?\nステップごとの答え:');
    expect(mathMgsmCot.eval(row, { lang: 'ru', shots: 0 }).prompt).toBe('Задача: Q?\nПошаговое решение:');
    expect(mathMgsmCot.eval(row, { lang: 'fr', shots: 0 }).prompt).toBe('Question : Q?\nRéponse étape par étape :');
    expect(() => mathMgsmCot.eval(row, { lang: 'xx', shots: 0 })).toThrow(/no MGSM prefixes for language 'xx'/);
  });
});

describe(`templates on real rows${sharedNote}`, () => {
  it.skipIf(!haveSharedData)('XNLI (fr test row 0): lm-eval xnli_fr words by default, English on request', async () => {
    const row = await firstRow<'nli'>('xnli', 'test', 'fr');
    expect(row.label).toBe('neutral');
    const en = asChoices(nliXnliLmeval.eval(row, { lang: 'fr', wording: 'english' }));
    expect(en.prompt).toBe("Eh bien, je ne pensais même pas à cela, mais j'étais si frustré, et j'ai fini par lui reparler., right?");
    expect(en.continuations).toEqual([' Yes, Nous avons eu une grande discussion.', ' Also, Nous avons eu une grande discussion.', ' No, Nous avons eu une grande discussion.']);
    expect(en.choiceTexts[0]).toBe('Yes, Nous avons eu une grande discussion.');
    expect(en.gold).toBe(1);
    expect(nliXnliLmeval.train(row, { lang: 'fr', wording: 'english' })).toEqual({ prompt: en.prompt, target: ' Also, Nous avons eu une grande discussion.' });
    const native = asChoices(nliXnliLmeval.eval(row, { lang: 'fr' }));
    expect(native).toEqual(asChoices(nliXnliLmeval.eval(row, { lang: 'fr', wording: 'native' })));
    expect(native.prompt).toBe("Eh bien, je ne pensais même pas à cela, mais j'étais si frustré, et j'ai fini par lui reparler., correct?");
    expect(native.continuations).toEqual([' Oui, Nous avons eu une grande discussion.', ' Aussi, Nous avons eu une grande discussion.', ' Non, Nous avons eu une grande discussion.']);
    expect(nliXnliLmeval.train(row, { lang: 'en' }).prompt.endsWith(', right?')).toBe(true); // training is English either way
    expect(() => nliXnliLmeval.eval(row, { lang: 'fr', wording: 'french' as never })).toThrow(/wording must be 'native' or 'english'/);
  });

  it.skipIf(!haveSharedData)('SNLI (dev row 0) trains with the same XNLI template', async () => {
    const row = await firstRow<'nli'>('snli', 'dev', 'en');
    expect(nliXnliLmeval.train(row)).toEqual({
      prompt: 'Two women are embracing while holding to go packages ., right?',
      target: ' Also, The sisters are hugging goodbye while holding to go packages after just eating lunch .',
    });
  });

  it.skipIf(!haveSharedData)('XQuAD (en and zh row 0): context/question/answer, generation until newline', async () => {
    const row = await firstRow<'extractive_qa'>('xquad', 'test', 'en');
    const req = asGenerate(qaXquadLmeval.eval(row));
    expect(req.prompt.startsWith('Context: The Panthers defense gave up just 308 points,')).toBe(true);
    expect(req.prompt.endsWith('\n\nQuestion: How many points did the Panthers defense surrender?\n\nAnswer:')).toBe(true);
    expect(req.references).toEqual(['308']);
    expect(req.stop).toEqual(['\n']);
    expect(req.sampling).toEqual({ temperature: 0.1, topP: 0.75 });
    expect(qaXquadLmeval.train(row).target).toBe(' 308\n');
    const zh = await firstRow<'extractive_qa'>('xquad', 'test', 'zh');
    expect(asGenerate(qaXquadLmeval.eval(zh)).prompt.endsWith('\n\nQuestion: 黑豹队的防守丢了多少分？\n\nAnswer:')).toBe(true);
  });

  it.skipIf(!haveSharedData)("XQuAD (de, zh, ar, th row 0): lm-eval xquad_<lang> words by default, English on request", async () => {
    const expected: Record<string, [string, string, string]> = {
      de: ['Kontext: ', '\n\nFrage: ', '\n\nAntwort:'],
      zh: ['语境: ', '\n\n问题: ', '\n\n回答:'],
      ar: ['سيا: ', '\n\nسؤال: ', '\n\nإجابة:'],
      th: ['บริบท: ', '\n\nคำถาม: ', '\n\nคำตอบ:'],
    };
    for (const [lang, [c, q, a]] of Object.entries(expected)) {
      const row = await firstRow<'extractive_qa'>('xquad', 'test', lang);
      const native = asGenerate(qaXquadLmeval.eval(row, { lang }));
      expect(native.prompt, lang).toBe(`${c}${row.context}${q}${row.question}${a}`);
      const english = asGenerate(qaXquadLmeval.eval(row, { lang, wording: 'english' }));
      expect(english.prompt, lang).toBe(`Context: ${row.context}\n\nQuestion: ${row.question}\n\nAnswer:`);
    }
    const en = await firstRow<'extractive_qa'>('xquad', 'test', 'en');
    expect(qaXquadLmeval.train(en, { lang: 'en' }).prompt.startsWith('Context: ')).toBe(true);
    expect(Object.keys(XQUAD_LMEVAL_WORDS).sort()).toEqual([...getBenchmark('xquad').splits[0].languages].sort());
  });

  it.skipIf(!haveSharedData)('SQuAD and TyDi QA train rows use the QA template', async () => {
    const sq = await firstRow<'extractive_qa'>('squad', 'dev', 'en');
    expect(qaXquadLmeval.train(sq).target).toBe(' October 1973\n');
    const ty = await firstRow<'extractive_qa'>('tydiqa_goldp', 'train', 'en');
    expect(qaXquadLmeval.train(ty).target).toBe(' 1920s\n');
  });

  it.skipIf(!haveSharedData)('Belebele (eng_Latn row 0) and mcqa_train: lettered choices', async () => {
    const row = await firstRow<'multiple_choice'>('belebele', 'test', 'eng_Latn');
    const req = asChoices(mcBelebeleLmeval.eval(row));
    expect(req.prompt).toBe(
      `P: ${row.passage}\nQ: According to the passage, what would not be considered an accurate tip for successfully playing the accordion?\n` +
        'A: For additional volume, increase the force with which you hit the keys\n' +
        'B: Keep unnecessary movement to a minimum in order to preserve your stamina\n' +
        'C: Be mindful of hitting the notes while maintaining a relaxed hand\n' +
        'D: Increase the speed with which you operate the bellows to achieve extra volume\nAnswer:',
    );
    expect(req.continuations).toEqual([' A', ' B', ' C', ' D']);
    expect(req.gold).toBe(0);
    expect(mcBelebeleLmeval.train(row).target).toBe(' A');
    const mc = await firstRow<'multiple_choice'>('mcqa_train', 'train', 'en');
    expect(mcBelebeleLmeval.train(mc).prompt.startsWith('P: Once upon a time, there was a scholar')).toBe(true);
  });

  it.skipIf(!haveSharedData)('MGSM (en row 0): 8-shot native CoT prompt from the exemplar file', async () => {
    const exemplars = await loadSplit(shared, getBenchmark('mgsm') as BenchmarkSpec<'math'>, 'exemplars', 'en');
    const row = await firstRow<'math'>('mgsm', 'test', 'en');
    const req = asGenerate(mathMgsmCot.eval(row, { lang: 'en', exemplars }));
    const shots = req.prompt.split('\n\n');
    expect(shots).toHaveLength(9);
    expect(shots[0]).toBe(
      'Question: Roger has 5 tennis balls. He buys 2 more cans of tennis balls. Each can has 3 tennis balls. How many tennis balls does he have now?\n' +
        'Step-by-Step Answer: Roger started with 5 balls. 2 cans of 3 tennis balls each is 6 tennis balls. 5 + 6 = 11. The answer is 11.',
    );
    expect(shots[8]).toBe(`Question: ${row.question}\nStep-by-Step Answer:`);
    expect(req.references).toEqual(['18']);
    expect(req.stop).toEqual(['Question:', '</s>', '<|im_end|>']); // lm-eval mgsm_native_cot_en until
    expect(req.maxNewTokens).toBe(256);
    expect(req.sampling).toBeUndefined();
    const zhEx = await loadSplit(shared, getBenchmark('mgsm') as BenchmarkSpec<'math'>, 'exemplars', 'zh');
    const zh = await firstRow<'math'>('mgsm', 'test', 'zh');
    const zhPrompt = mathMgsmCot.eval(zh, { lang: 'zh', exemplars: zhEx, shots: 2 }).prompt;
    expect(zhPrompt.split('\n\n')).toHaveLength(3);
    expect(zhPrompt.endsWith(`\n\n问题： ${zh.question}\n逐步解答:`)).toBe(true);
    // The shots keep the exemplar's question and solution behind lm-eval's answer prefix.
    expect(zhPrompt.split('\n\n')[0]).toBe(`${zhEx[0].question}\n逐步解答: ${zhEx[0].answer_text?.slice('逐步解答：'.length)}`);
    expect(asGenerate(mathMgsmCot.eval(zh, { lang: 'zh', exemplars: zhEx })).stop).toEqual(['问题：', '</s>', '<|im_end|>']);
  });

  it.skipIf(!haveSharedData)('GSM8K (train row 0): zero-shot training example in the exemplar format', async () => {
    const row = await firstRow<'math'>('gsm8k', 'train', 'en');
    expect(mathMgsmCot.train(row)).toEqual({
      prompt: `Question: ${row.question}\nStep-by-Step Answer:`,
      target: ' Natalia sold 48/2 = 24 clips in May. Natalia sold 48+24 = 72 clips altogether in April and May. The answer is 72.\n',
    });
  });

  it.skipIf(!haveSharedData)('the MGSM prefix table equals what the 11 exemplar files use', async () => {
    const spec = getBenchmark('mgsm') as BenchmarkSpec<'math'>;
    for (const lang of spec.splits[1].languages) {
      const ex = await loadSplit(shared, spec, 'exemplars', lang);
      expect(prefixesFromExemplars(ex), lang).toEqual(MGSM_PREFIXES[lang]);
    }
    expect(Object.keys(MGSM_PREFIXES).sort()).toEqual([...spec.splits[1].languages].sort());
  });
});
