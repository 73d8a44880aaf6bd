/**
 * Log-likelihood multiple-choice scoring, as lm-evaluation-harness does it
 * (lm_eval/api/task.py, ConfigurableTask.process_results, output_type multiple_choice):
 *   pred      = argmax(lls)
 *   pred_norm = argmax(lls / completion_len),  completion_len = [float(len(c)) for c in choices]
 * where `choices` are doc_to_choice's strings WITHOUT the target delimiter, and Python's len()
 * counts Unicode code points. So the harness's acc_norm is normalised by CHARACTERS, although
 * it is often described as byte-length normalisation (the EleutherAI note "Multiple choice
 * normalization in LM evaluation" discusses bytes). We default to the code's behaviour
 * ('chars') and offer 'bytes' (ll / len(c.encode('utf-8'))) for the other reading; the two
 * agree on ASCII choices and differ for non-Latin scripts.
 * Ties go to the first maximum, like numpy.argmax.
 */

export type LengthUnit = 'chars' | 'bytes';

/** Python len(): Unicode code points (JS .length counts UTF-16 units). */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}

export function choiceLength(s: string, unit: LengthUnit): number {
  return unit === 'bytes' ? utf8Length(s) : codePointLength(s);
}

/** Index of the first maximum (numpy.argmax); NaN is rejected rather than silently ranked. */
export function argmax(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('argmax of an empty list');
  let best = 0;
  for (let i = 0; i < xs.length; i++) {
    if (Number.isNaN(xs[i])) throw new Error(`log-likelihood ${i} is NaN`);
    if (xs[i] > xs[best]) best = i;
  }
  return best;
}

/** The acc prediction: the choice with the highest summed log-likelihood. */
export function predictChoice(lls: readonly number[]): number {
  return argmax(lls);
}

/** The acc_norm prediction: highest log-likelihood per character (or per UTF-8 byte). */
export function predictChoiceNorm(lls: readonly number[], choiceTexts: readonly string[], unit: LengthUnit = 'chars'): number {
  if (lls.length !== choiceTexts.length) throw new Error(`${lls.length} log-likelihoods for ${choiceTexts.length} choices`);
  return argmax(
    lls.map((ll, i) => {
      const len = choiceLength(choiceTexts[i], unit);
      if (len === 0) throw new Error(`choice ${i} is empty: acc_norm is undefined`);
      return ll / len;
    }),
  );
}

/** Fraction of predictions equal to the gold labels. */
export function accuracy(predictions: readonly number[], golds: readonly number[]): number {
  if (predictions.length !== golds.length) throw new Error(`${predictions.length} predictions for ${golds.length} golds`);
  if (predictions.length === 0) return 0;
  let hits = 0;
  predictions.forEach((p, i) => {
    if (p === golds[i]) hits++;
  });
  return hits / predictions.length;
}
