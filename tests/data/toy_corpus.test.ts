// The toy-world pretraining corpus: deterministic, every language and document kind present with
// its anchors, high-resource languages larger, and no leak of the evaluation (no reserved scene's
// facts, no test passage in any language, no question and none of the benchmark's layout).
import { describe, expect, it } from 'vitest';
import { COLORS, OBJECTS, SUBJECTS } from '../../src/data/toy/lexicon.ts';
import { questionWords, sentence } from '../../src/data/toy/grammar.ts';
import { CORPUS_MIX, isEvalScene, SHARED_NAMES, TOY_DEFAULTS, TOY_LANGUAGES, toyCorpus, toySplits } from '../../src/data/toy.ts';

const N = 6000;
const docs = toyCorpus(N, { seed: 1 });
const text = docs.map((d) => d.text).join('\n');

describe('toy pretraining corpus', () => {
  it('is deterministic from its seed, prefix-stable, and changes with the seed', () => {
    expect(toyCorpus(200, { seed: 1 })).toEqual(docs.slice(0, 200));
    expect(toyCorpus(50, { seed: 2 }).map((d) => d.text)).not.toEqual(docs.slice(0, 50).map((d) => d.text));
  });

  it('mix: the default shares give the shipped stream; others change what is restated, asked and repeated', () => {
    expect(toyCorpus(300, { seed: 1, mix: { ...CORPUS_MIX } })).toEqual(docs.slice(0, 300));
    const count = (ds: typeof docs, re: RegExp) => ds.reduce((n, d) => n + (d.langs[0] === 'en' && d.kind === 'monolingual' ? (d.text.match(re) ?? []).length : 0), 0);
    const more = toyCorpus(3000, { seed: 1, mix: { restate: 1, objectQuestion: 0.6, subjectQuestion: 0.1 } });
    console.log(`en copulas ${count(docs.slice(0, 3000), / is [a-z]+\./g)} -> ${count(more, / is [a-z]+\./g)}, what-questions ${count(docs.slice(0, 3000), /what\?/g)} -> ${count(more, /what\?/g)}`);
    expect(count(more, / is [a-z]+\./g)).toBeGreaterThan(1.2 * count(docs.slice(0, 3000), / is [a-z]+\./g));
    expect(count(more, /what\?/g)).toBeGreaterThan(2 * count(docs.slice(0, 3000), /what\?/g));
    // repeat: a monolingual paragraph written twice in a row, its scenes stated twice.
    const rep = toyCorpus(400, { seed: 1, mix: { repeat: 1 } }).filter((d) => d.kind === 'monolingual');
    for (const d of rep.slice(0, 50)) {
      const half = (d.text.length - (TOY_LANGUAGES.find((l) => l.code === d.langs[0])?.spaces ? 1 : 0)) / 2;
      expect(d.text.slice(0, half), d.text).toBe(d.text.slice(d.text.length - half));
    }
    // list: entries in one language written twice, no scene stated; every language gets lists.
    const lists = toyCorpus(2000, { seed: 1, mix: { list: 0.3 } }).filter((d) => d.kind === 'list');
    expect(lists.length).toBeGreaterThan(450);
    expect(lists.length).toBeLessThan(750);
    expect(new Set(lists.map((d) => d.langs[0])).size).toBe(TOY_LANGUAGES.length);
    for (const d of lists.slice(0, 80)) {
      const spaces = TOY_LANGUAGES.find((l) => l.code === d.langs[0])?.spaces;
      const half = (d.text.length - (spaces ? 1 : 0)) / 2;
      expect(d.text.slice(0, half), d.text).toBe(d.text.slice(d.text.length - half));
      expect(d.scenes).toEqual([]);
      expect(new TextEncoder().encode(d.text).length).toBeLessThanOrEqual(160);
    }
    // inventory: coloured things, then copulas that restate some of them (in the text, with the thing's own colour).
    const inv = toyCorpus(400, { seed: 1, mix: { inventory: 0.5 } }).filter((d) => d.kind === 'list' && d.langs[0] === 'en');
    expect(inv.length).toBeGreaterThan(20);
    for (const d of inv) {
      const [list, ...copulas] = d.text.split('. ');
      expect(copulas.length, d.text).toBeGreaterThanOrEqual(1);
      for (const c of copulas) {
        const m = /^The (\w+) is (\w+)\.?$/.exec(c);
        expect(m, c).not.toBeNull();
        expect(list.toLowerCase().split(', '), d.text).toContain(`${m![2]} ${m![1]}`);
      }
    }
    // inScene 1, subjectColor 0: every scene states its object's colour and it is the only colour.
    const clean = toyCorpus(300, { seed: 1, mix: { inScene: 1, subjectColor: 0, restate: 1, subjectQuestion: 0, objectQuestion: 0 } }).filter((d) => d.kind === 'monolingual' && d.langs[0] === 'en');
    expect(clean.length).toBeGreaterThan(20);
    for (const d of clean) for (const m of d.text.matchAll(/([^.]+)\. The (\w+) is (\w+)\./g)) expect(m[1].split(' ').filter((w) => COLORS.includes(w as never)), d.text).toEqual([m[3]]);
    expect(() => toyCorpus(1, { mix: { restate: 1.5 } })).toThrow(/corpus mix 'restate' must be a share in \[0, 1\], got 1.5/);
    expect(() => toyCorpus(1, { mix: { subjectQuestion: 0.6, objectQuestion: 0.6 } })).toThrow(/subjectQuestion \+ objectQuestion must be at most 1, got 1.2/);
  });

  it('language: one language only, every document monolingual; an unknown code is refused', () => {
    const en = toyCorpus(300, { seed: 1, language: 'qsa', mix: { list: 0.2 } });
    expect(new Set(en.map((d) => d.langs.join()))).toEqual(new Set(['qsa']));
    expect(new Set(en.map((d) => d.kind))).toEqual(new Set(['monolingual', 'list']));
    expect(toyCorpus(300, { seed: 1, language: 'qsa' }).some((d) => /[a-z]/.test(d.text.replace(new RegExp(SHARED_NAMES.join('|'), 'g'), '')))).toBe(false);
    expect(() => toyCorpus(1, { language: 'xx' })).toThrow(/corpus language 'xx' is not a toy language \(en, /);
  });

  it('writes every language, more for high-resource ones, with parallel and code-switched documents', () => {
    const per = new Map<string, number>();
    for (const d of docs) for (const l of d.langs) per.set(l, (per.get(l) ?? 0) + 1);
    for (const l of TOY_LANGUAGES) expect(per.get(l.code) ?? 0, l.code).toBeGreaterThan(N / 40);
    const high = TOY_LANGUAGES.filter((l) => l.resource === 'high').map((l) => per.get(l.code) ?? 0);
    const low = TOY_LANGUAGES.filter((l) => l.resource === 'low').map((l) => per.get(l.code) ?? 0);
    expect(Math.min(...high)).toBeGreaterThan(Math.max(...low));
    const kinds = new Set(docs.map((d) => d.kind));
    expect([...kinds].sort()).toEqual(['code_switched', 'monolingual', 'parallel']);
    const parallel = docs.filter((d) => d.kind === 'parallel');
    expect(parallel.every((d) => d.langs.length === 2 && d.langs[0] !== d.langs[1] && d.text.split('\n').length === 2)).toBe(true);
    // Shared anchors: names in Latin letters and digits occur inside non-Latin documents too.
    const nonLatin = docs.filter((d) => d.kind === 'monolingual' && !['en', 'qwl', 'qxl'].includes(d.langs[0])).map((d) => d.text).join(' ');
    expect(SHARED_NAMES.some((n) => nonLatin.includes(n))).toBe(true);
    expect(/[2-9]/.test(nonLatin)).toBe(true);
    // Code-switched documents carry English words in another language's text.
    const cs = docs.filter((d) => d.kind === 'code_switched' && d.langs[0] === 'qsg').map((d) => d.text).join(' ');
    expect(/\b(cat|dog|bird|child|man|woman|fox|horse|ball|box|cup|hat|book|car|kite|boat|red|blue|green|yellow|black|white|pink|brown)\b/.test(cs)).toBe(true);
  });

  it('keeps every document under its byte bound', () => {
    const enc = new TextEncoder();
    expect(Math.max(...docs.map((d) => enc.encode(d.text).length))).toBeLessThanOrEqual(160);
  });

  it('states no scene reserved for evaluation and contains no evaluation item or benchmark layout', () => {
    const stated = docs.flatMap((d) => d.scenes).filter((f) => f.objectColor !== undefined);
    expect(stated.length).toBeGreaterThan(N);
    // Scenes with a shared name as subject are never benchmark items (those have noun subjects).
    const items = stated.filter((f) => (SUBJECTS as readonly string[]).includes(f.subject));
    expect(items.length).toBeGreaterThan(N / 2);
    expect(items.filter((f) => isEvalScene(f as Required<typeof f>))).toEqual([]);
    const test = toySplits().test;
    let checked = 0;
    for (const [lang, rows] of test) {
      for (const r of rows) {
        // The object NP with its colour pins the item's facts; the whole passage must never occur.
        expect(text.includes(r.passage.slice(0, -1)), `${lang} ${r.id}: ${r.passage}`).toBe(false);
        checked++;
      }
    }
    expect(checked).toBe(TOY_DEFAULTS.testSize * TOY_LANGUAGES.length);
    // Neither the benchmark's layout nor its question (in any language, about any object) occurs;
    // the corpus asks only who/what questions.
    for (const marker of ['P: ', 'Q: ', 'Answer:']) expect(text.includes(marker), marker).toBe(false);
    for (const l of TOY_LANGUAGES) {
      for (const object of OBJECTS) {
        const q = sentence(l, questionWords(l, object), 'question');
        expect(text.includes(q), `${l.code}: ${q}`).toBe(false);
        expect(text.includes(q.slice(1, -1)), `${l.code}: ${q}`).toBe(false);
      }
    }
    expect(docs.filter((d) => /[?;؟？]/u.test(d.text)).length).toBeGreaterThan(N / 10);
  });
});
