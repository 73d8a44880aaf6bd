// The toy model's byte-level BPE (src/model/toy_bpe.ts): lossless on any text, deterministic,
// merges stay inside chunks, the tokenizer travels in the weights file's metadata, and on the toy
// corpus it shows the fertility gap between high- and low-resource languages that real
// multilingual tokenizers have.
import { describe, expect, it } from 'vitest';
import { TOY_LANGUAGES } from '../../src/data/index.ts';
import { word } from '../../src/data/toy/grammar.ts';
import { CONCEPTS } from '../../src/data/toy/lexicon.ts';
import { chunks, parseToyBpeSpec, TOKENIZER_METADATA_KEY, toyBpeTokenizer, trainByteBpe } from '../../src/model/toy_bpe.ts';
import { writeSafetensors } from '../../src/model/safetensors_writer.ts';
import { toyTokenizerOf } from '../../src/model/toy_model.ts';
import { pretrainTokenizer } from '../../src/runner/pretrain_toy.ts';

const { spec, tokenizer } = pretrainTokenizer(1, 765);
const samples = [
  '',
  'P: The fox takes the red book.\nQ: Which color is the book?\nAnswer: red',
  'Дху баак ыз рут.  Two  spaces\tand a tab',
  'コサラミノネナツマチ。ネナ？',
  'कोहत मेनो निन रुमरे। निन',
  'فوكو لۆرىمى مۆنو كيمۆتو؟',
  'emoji 🦊 and digits 12345, accents é, ß',
];

describe('toy byte-level BPE', () => {
  it('learns the requested merges from the corpus: vocabulary 1024, deterministic', () => {
    expect(spec.merges).toHaveLength(765);
    expect(tokenizer.vocabSize).toBe(1024);
    expect(pretrainTokenizer(1, 765).spec).toEqual(spec);
    expect(pretrainTokenizer(2, 765).spec).not.toEqual(spec);
  });

  it('decodes what it encodes, for every script and for text it never saw', () => {
    for (const s of samples) {
      const ids = tokenizer.encode(s, { addSpecialTokens: false });
      expect(tokenizer.decode(ids)).toBe(s);
      expect(ids.every((i) => i >= 3 && i < 1024)).toBe(true);
    }
    expect(tokenizer.encode('a')[0]).toBe(tokenizer.bosId);
    expect(toyBpeTokenizer().encode('ab', { addSpecialTokens: false })).toEqual([97 + 3, 98 + 3]);
  });

  it('never merges across chunks: a text encodes as its chunks do', () => {
    const s = samples[1];
    expect(chunks(s).join('')).toBe(s);
    expect(tokenizer.encode(s, { addSpecialTokens: false })).toEqual(chunks(s).flatMap((c) => tokenizer.encode(c, { addSpecialTokens: false })));
  });

  it('gives frequent words of high-resource languages one token and splits low-resource ones more', () => {
    expect(tokenizer.encode(' red', { addSpecialTokens: false })).toHaveLength(1);
    expect(tokenizer.tokenToId(' red')).toBe(tokenizer.encode(' red', { addSpecialTokens: false })[0]);
    // Tokens per word of the lexicon, written as in running text (leading space where the language uses spaces).
    const fertility = (l: (typeof TOY_LANGUAGES)[number]) => {
      const n = CONCEPTS.map((c) => tokenizer.encode((l.spaces ? ' ' : '') + word(l, c), { addSpecialTokens: false }).length);
      return n.reduce((a, b) => a + b, 0) / n.length;
    };
    const rates = new Map(TOY_LANGUAGES.map((l) => [l, fertility(l)]));
    console.log(`tokens per word: ${[...rates].map(([l, v]) => `${l.code} (${l.resource}) ${v.toFixed(2)}`).join(', ')}`);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const high = [...rates].filter(([l]) => l.resource === 'high').map(([, v]) => v);
    const low = [...rates].filter(([l]) => l.resource === 'low');
    expect(mean(high)).toBeLessThan(mean(low.map(([, v]) => v)));
    // Low-resource languages in a script of their own are split more than any high-resource language.
    for (const [l, v] of low) if (l.script !== 'Latin') expect(v, l.code).toBeGreaterThan(Math.max(...high));
  });

  it('breaks ties by the smaller pair, so training does not depend on map order', () => {
    const a = trainByteBpe(['ab cd', 'cd ab'], 3);
    const b = trainByteBpe(['cd ab', 'ab cd'], 3);
    expect(a).toEqual(b);
  });

  it('rejects a malformed spec with the file and what is wrong', () => {
    expect(() => parseToyBpeSpec('{', 'm.safetensors')).toThrow(/m\.safetensors: metadata 'prefix_lab\.tokenizer' is not JSON/);
    expect(() => parseToyBpeSpec('{"type":"wordpiece","merges":[]}', 'm.safetensors')).toThrow(/is not a byte-bpe tokenizer/);
    expect(() => parseToyBpeSpec('{"type":"byte-bpe","merges":[[3,259]]}', 'm.safetensors')).toThrow(/merge 0 must be two earlier token ids \(3\.\.258\), got \[3,259\]/);
  });

  it('travels in the weights file: toyTokenizerOf reads it back, and a file without one gives bytes', async () => {
    const t = [{ name: 'x', shape: [1], dtype: 'F32' as const, data: new Float32Array(1) }];
    const withTok = writeSafetensors(t, { [TOKENIZER_METADATA_KEY]: JSON.stringify(spec) });
    const back = await toyTokenizerOf(withTok);
    expect(back.vocabSize).toBe(1024);
    expect(back.encode(samples[1])).toEqual(tokenizer.encode(samples[1]));
    expect((await toyTokenizerOf(writeSafetensors(t))).vocabSize).toBe(259);
  });
});
