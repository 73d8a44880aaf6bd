/**
 * Prompt templates, registered by id. Each benchmark names its default in its spec
 * (benchmarks/*.ts); see templates/types.ts for the prompt/target conventions and each template
 * file for its source and the choices made.
 */
import type { TaskKind } from './types.ts';
import { mcBelebeleLmeval, mcCloze } from './templates/mc.ts';
import { mathMgsmCot } from './templates/mgsm.ts';
import { nliMnliLmeval, nliXnliLmeval } from './templates/nli.ts';
import { qaXquadLmeval } from './templates/qa.ts';
import type { AnyPromptTemplate, PromptTemplate } from './templates/types.ts';

export * from './templates/types.ts';
export { XNLI_LMEVAL_WORDS } from './templates/nli.ts';
export { choiceLetter } from './templates/mc.ts';
export { QA_MAX_NEW_TOKENS, QA_PAPER_SAMPLING, QA_STOP, XQUAD_LMEVAL_WORDS } from './templates/qa.ts';
export {
  gsm8kToCot,
  MGSM_DEFAULT_SHOTS,
  MGSM_MAX_NEW_TOKENS,
  MGSM_EXTRA_STOPS,
  MGSM_LMEVAL_PREFIXES,
  MGSM_PREFIXES,
  MGSM_STOP,
  mgsmQuestionBlock,
  mgsmShot,
  mgsmStops,
  prefixesFromExemplars,
  type MgsmPrefixes,
} from './templates/mgsm.ts';
export { mathMgsmCot, mcBelebeleLmeval, mcCloze, nliMnliLmeval, nliXnliLmeval, qaXquadLmeval };

export const TEMPLATES: readonly AnyPromptTemplate[] = [nliXnliLmeval, nliMnliLmeval, qaXquadLmeval, mcBelebeleLmeval, mcCloze, mathMgsmCot];

export function getTemplate(id: string): AnyPromptTemplate {
  const t = TEMPLATES.find((x) => x.id === id);
  if (!t) throw new Error(`unknown template '${id}' (known: ${TEMPLATES.map((x) => x.id).join(', ')})`);
  return t;
}

/** The template `id`, checked to be for task `task` (typed for that task's rows). */
export function getTemplateFor<K extends TaskKind>(task: K, id: string): PromptTemplate<K> {
  const t = getTemplate(id);
  if (t.task !== task) throw new Error(`template '${id}' is for ${t.task}, not ${task}`);
  return t as unknown as PromptTemplate<K>;
}

export function templatesForTask(task: TaskKind): AnyPromptTemplate[] {
  return TEMPLATES.filter((t) => t.task === task);
}
