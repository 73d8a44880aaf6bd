// lab_tables.json of an exported training project: the facts its Python reads instead of
// repeating them, taken from the lab's own tables at export time (prompt words and limits of the
// templates, the default wording, MGSM's answer phrases and number styles, benchmark specs,
// training mixes, language groups with the paper's Table 4a/4b groups), so a change to any of them in
// src/data reaches the next exported project without touching the Python.
import {
  allLanguages, DEFAULT_WORDING, evalBenchmarks, getBenchmark, groupOf, MGSM_ANSWER_PHRASES, MGSM_DEFAULT_SHOTS, MGSM_EXTRA_STOPS, MGSM_LMEVAL_PREFIXES,
  MGSM_MAX_NEW_TOKENS, MGSM_PREFIXES, MGSM_STOP, NUMBER_STYLES, QA_MAX_NEW_TOKENS, QA_PAPER_SAMPLING, QA_STOP, TEMPLATE_WORDINGS, TEMPLATES, TRAINING_MIXES,
  XNLI_LMEVAL_WORDS, XQUAD_LMEVAL_WORDS, type GroupLookup, type LanguageInfo,
} from '../data/index.ts';

/** Row filters of training-mix parts the Python project implements (python-project/prefix_lab/data.py ROW_FILTERS). */
const MIX_FILTERS: Record<string, string> = { 'squad/dev/en': 'drop_in_xquad' };

export interface LanguageGroups {
  name: string;
  family: string;
  script: string;
  paper_family: string;
  paper_script: string;
}

function mixTables() {
  const out: Record<string, unknown> = {};
  for (const mix of TRAINING_MIXES) {
    out[mix.target] = {
      task: mix.task,
      note: mix.note,
      parts: mix.parts.map((p) => {
        const key = `${p.benchmark}/${p.split}/${p.lang}`;
        if (p.keep && !MIX_FILTERS[key]) {
          throw new Error(`training mix part ${key} has a row filter the Python project does not know: add it to MIX_FILTERS (src/runner/project_tables.ts) and ROW_FILTERS (python-project/prefix_lab/data.py)`);
        }
        return { benchmark: p.benchmark, split: p.split, lang: p.lang, filter: p.keep ? MIX_FILTERS[key] : null, why: p.why };
      }),
    };
  }
  return out;
}

function benchmarkTables() {
  const ids = new Set<string>(evalBenchmarks().map((b) => b.id));
  for (const mix of TRAINING_MIXES) for (const p of mix.parts) ids.add(p.benchmark);
  const out: Record<string, unknown> = {};
  for (const id of ids) {
    const b = getBenchmark(id);
    out[id] = {
      title: b.title, task: b.task, role: b.role, folder: b.folder, evalSplit: b.evalSplit ?? null, paperLanguages: [...b.paperLanguages],
      parallel: b.parallel, defaultTemplate: b.defaultTemplate, primaryMetric: b.primaryMetric, chance: b.chance ?? 0,
    };
  }
  return out;
}

/** Family / script / paper family of every language any evaluation benchmark names. */
export function languageGroups(lookup: GroupLookup, codes: readonly string[]): Record<string, LanguageGroups> {
  const out: Record<string, LanguageGroups> = {};
  for (const code of codes) {
    if (typeof lookup === 'function') {
      const g = lookup(code);
      out[code] = { name: code, family: g, script: g, paper_family: g, paper_script: g };
      continue;
    }
    const info: LanguageInfo | undefined = lookup.find(code);
    if (!info) continue;
    out[code] = {
      name: info.name, family: groupOf(info, 'family'), script: groupOf(info, 'script'), paper_family: groupOf(info, 'paper_family'), paper_script: groupOf(info, 'paper_script'),
    };
  }
  return out;
}

/** Every code of the evaluation benchmarks (paper languages and local files). */
export function evalLanguageCodes(benchmark?: string): string[] {
  const specs = benchmark ? [getBenchmark(benchmark)] : evalBenchmarks();
  return [...new Set(specs.flatMap((b) => allLanguages(b)))];
}

/** Templates whose words follow the evaluation's wording (XNLI, XQuAD), with the wordings they offer. */
function templateWordings(): Record<string, readonly string[]> {
  return Object.fromEntries(TEMPLATES.filter((t) => t.wordings).map((t) => [t.id, t.wordings as readonly string[]]));
}

export function labTables(languages: Record<string, LanguageGroups>) {
  return {
    format_version: 2,
    wording: { default: DEFAULT_WORDING, choices: TEMPLATE_WORDINGS, templates: templateWordings() },
    xnli_words: XNLI_LMEVAL_WORDS,
    xquad_words: XQUAD_LMEVAL_WORDS,
    qa: { stop: QA_STOP, maxNewTokens: QA_MAX_NEW_TOKENS, sampling: QA_PAPER_SAMPLING },
    mgsm: {
      prefixes: MGSM_PREFIXES, lmevalPrefixes: MGSM_LMEVAL_PREFIXES, stop: MGSM_STOP, extraStops: MGSM_EXTRA_STOPS, maxNewTokens: MGSM_MAX_NEW_TOKENS,
      defaultShots: MGSM_DEFAULT_SHOTS, numberStyles: NUMBER_STYLES, answerPhrases: MGSM_ANSWER_PHRASES,
    },
    benchmarks: benchmarkTables(),
    mixes: mixTables(),
    languages,
  };
}
