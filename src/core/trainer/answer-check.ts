/**
 * A minimal GSM8K answer check for `tokenskip collect`, used until the project's grader
 * (src/core/grading, REFERENCE section 1 "Answer extraction") lands on main; then collect should
 * call that instead. It follows the reference's first steps: the text between `final answer is $`
 * and `$`, else the last brace-matched `\boxed{...}`, else the last number; commas removed;
 * numeric match within 1e-3, otherwise exact string match.
 */

function lastBoxed(text: string): string | undefined {
  const i = text.lastIndexOf('\\boxed{');
  if (i < 0) return undefined;
  let depth = 0;
  for (let j = i + 6; j < text.length; j++) {
    if (text[j] === '{') depth++;
    else if (text[j] === '}' && --depth === 0) return text.slice(i + 7, j);
  }
  return undefined;
}

export function extractAnswer(output: string): string | undefined {
  const m = /final answer is \$(.*?)\$/s.exec(output);
  let cand = m ? (m[1] as string) : undefined;
  if (cand !== undefined && cand.includes('\\boxed{')) cand = lastBoxed(cand);
  cand ??= lastBoxed(output);
  if (cand === undefined) {
    const nums = output.replace(/,/g, '').match(/-?\d*\.?\d+/g);
    cand = nums ? nums[nums.length - 1] : undefined;
  }
  if (cand === undefined) return undefined;
  return cand
    .split('\n')[0]!
    .replace(/^:/, '')
    .replace(/[./]$/, '')
    .replace(/,/g, '')
    .replace(/\\\$|\$/g, '')
    .replace(/\s+/g, '')
    .trim();
}

export function gsm8kCorrect(prediction: string | undefined, gold: string): boolean {
  if (prediction === undefined) return false;
  const g = gold.replace(/,/g, '').trim();
  const a = Number(prediction);
  const b = Number(g);
  if (prediction !== '' && g !== '' && Number.isFinite(a) && Number.isFinite(b))
    return Math.abs(a - b) < 1e-3;
  return prediction === g;
}
