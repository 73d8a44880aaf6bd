/**
 * The single place that touches the tokenizer library (@huggingface/tokenizers: pure JS, runs
 * in browser and Node, reads tokenizer.json + tokenizer_config.json). The rest of the app
 * sees only this small interface, so the library can be swapped without touching callers.
 */
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { fail } from './errors.ts';
import { checkTokenizerJson } from './tokenizer_check.ts';

export interface EncodeOptions {
  /** Apply the post-processor template (Llama 3: prepend <|begin_of_text|>). Default true. */
  addSpecialTokens?: boolean;
}

export interface Tokenizer {
  encode(text: string, options?: EncodeOptions): number[];
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  readonly padId: number | undefined;
  /** Highest token id + 1 (model vocab plus added tokens). */
  readonly vocabSize: number;
  /**
   * Whether encode(..., {addSpecialTokens: true}) starts with bosId. Some tokenizer.json files
   * (e.g. the first Llama 3 release) have no BOS template; callers that need BOS must then
   * prepend it themselves rather than assume it is there.
   */
  readonly addsBos: boolean;
}

type Json = Record<string, unknown>;

/** tokenizer_config.json special tokens are either a string or an AddedToken-like {content}. */
function specialToken(config: Json, key: string): string | undefined {
  const v = config[key];
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content as string;
  return undefined;
}

export function loadTokenizer(tokenizerJson: object, tokenizerConfig: object = {}, file = 'tokenizer.json'): Tokenizer {
  checkTokenizerJson(tokenizerJson, file);
  const cfg = tokenizerConfig as Json;
  let tok: HfTokenizer;
  try {
    tok = new HfTokenizer(tokenizerJson, tokenizerConfig);
  } catch (e) {
    return fail('unsupported', file, undefined, `${file}: cannot load tokenizer (${(e as Error).message})`);
  }
  const idOf = (token: string | undefined): number | undefined => (token === undefined ? undefined : tok.token_to_id(token));
  const vocab = tok.get_vocab(true);
  let maxId = -1;
  for (const id of vocab.values()) if (id > maxId) maxId = id;

  const bosId = idOf(specialToken(cfg, 'bos_token'));
  const probe = tok.encode('a', { add_special_tokens: true }).ids;
  return {
    encode: (text, options) => tok.encode(text, { add_special_tokens: options?.addSpecialTokens ?? true }).ids,
    decode: (ids, options) =>
      tok.decode([...ids], { skip_special_tokens: options?.skipSpecialTokens ?? false }),
    tokenToId: (token) => tok.token_to_id(token),
    idToToken: (id) => tok.id_to_token(id),
    bosId,
    eosId: idOf(specialToken(cfg, 'eos_token')),
    padId: idOf(specialToken(cfg, 'pad_token')),
    vocabSize: maxId + 1,
    addsBos: bosId !== undefined && probe[0] === bosId,
  };
}
