/**
 * The Compress page's choice of scorer (LLMLingua-2, CTS, perplexity) and its comparison of two
 * scorers on the same CoT. LLMLingua-2 runs through the page's `CompressSession`; CTS and
 * perplexity on a reference causal LM. Both run in the one scorer worker, which keeps a model per
 * kind, so comparing costs one scoring per side; every selection is derived here from the cached
 * scores, so moving γ sends nothing to the worker.
 */
import { DEFAULT_REFERENCE_MODEL_ID } from './defaults.ts';
import { toTokenSkipError, TokenSkipError } from '../../core/errors.ts';
import { validateText } from '../../core/compression/llmlingua2.ts';
import { toGamma } from '../../core/prompts/gamma.ts';
import type { ScoredText, ScorerName } from '../../core/compression/types.ts';
import { keptUnits, projectToWords, unitsOf, type WordCell } from '../../core/scoring/compare.ts';
import { selectScored } from '../../core/scoring/select.ts';
import type {
  CausalScoredText,
  Condition,
  Selection,
  SelectionMode,
} from '../../core/scoring/types.ts';
import type { FileProgress } from '../../runtime/hub/web/model-cache.ts';
import type { LoadInfo } from '../workers/scorer-protocol.ts';
import type { CompressSession } from './CompressSession.svelte.ts';
import { resolveReference } from './reference-models.ts';
import { scorerClient } from './scorer-client.ts';
import { t } from './i18n.svelte.ts';

export interface MethodChoice {
  method: ScorerName;
  /** CTS only. */
  condition: Condition;
}

export interface ScoredSide {
  choice: MethodChoice;
  scored: CausalScoredText;
  scoreMs: number;
}

export interface CausalSide extends ScoredSide {
  selection: Selection;
}

export interface ComparisonSide {
  label: string;
  cells: WordCell[];
}

/** A method's name in the UI's language (LLMLingua-2 and CTS are names; perplexity is a word). */
export function methodLabel(method: ScorerName): string {
  return method === 'llmlingua2' ? 'LLMLingua-2' : method === 'cts' ? 'CTS' : t('compress.ppl');
}

export const methods: ScorerName[] = ['llmlingua2', 'cts', 'ppl'];

const conditionKeys = {
  question: 'compress.condQuestionShort',
  answer: 'compress.condAnswerShort',
  both: 'compress.condBothShort',
} as const;

export function choiceLabel(choice: MethodChoice): string {
  return choice.method === 'cts'
    ? `CTS | ${t(conditionKeys[choice.condition])}`
    : methodLabel(choice.method);
}

export class ScorerLab {
  method = $state<ScorerName>('llmlingua2');
  condition = $state<Condition>('question');
  compareWith = $state<ScorerName | 'none'>('none');
  compareCondition = $state<Condition>('answer');
  /** A reference model id (see reference-models.ts) or a folder URL. */
  refModel = $state(DEFAULT_REFERENCE_MODEL_ID);
  answer = $state('');
  windowSize = $state(1800);
  maxTokens = $state(5000);
  selection = $state<SelectionMode>('reference');

  status = $state<'idle' | 'loading' | 'scoring' | 'ready'>('idle');
  error = $state<TokenSkipError | undefined>();
  progress = $state<FileProgress | undefined>();
  load = $state.raw<LoadInfo | undefined>();
  #scoredSides = $state.raw<ScoredSide[]>([]);
  /** Every scored side selected at the current γ, from the cached scores. */
  #sides = $derived.by((): CausalSide[] =>
    this.#scoredSides.map((side) => ({
      ...side,
      selection: selectScored(side.scored, this.#session.gamma, this.selection),
    })),
  );
  #loadedKey = '';
  #loadedEpoch = -1;
  #session: CompressSession;

  constructor(session: CompressSession) {
    this.#session = session;
  }

  get primary(): MethodChoice {
    return { method: this.method, condition: this.condition };
  }
  get secondary(): MethodChoice | undefined {
    return this.compareWith === 'none'
      ? undefined
      : { method: this.compareWith, condition: this.compareCondition };
  }
  /** The causal result of the primary scorer (undefined for LLMLingua-2). */
  get causal(): CausalSide | undefined {
    return this.#sides.find((s) => same(s.choice, this.primary));
  }
  get busy(): boolean {
    return this.status === 'loading' || this.status === 'scoring';
  }

  /** Both scorers projected onto the CoT's words, once both have run. */
  comparison = $derived.by((): [ComparisonSide, ComparisonSide] | undefined => {
    const second = this.secondary;
    if (!second || this.status !== 'ready') return undefined;
    const a = this.#sideResult(this.primary);
    const b = this.#sideResult(second);
    if (!a || !b) return undefined;
    const cot = this.#session.cot;
    const cells = (r: { scored: ScoredText; result: Selection }) =>
      projectToWords(cot, unitsOf(r.scored), keptUnits(r.scored, r.result));
    return [
      { label: choiceLabel(this.primary), cells: cells(a) },
      { label: choiceLabel(second), cells: cells(b) },
    ];
  });

  #sideResult(choice: MethodChoice): { scored: ScoredText; result: Selection } | undefined {
    if (choice.method === 'llmlingua2') {
      const { scored, result } = this.#session;
      return scored && result ? { scored, result } : undefined;
    }
    const side = this.#sides.find((s) => same(s.choice, choice));
    return side ? { scored: side.scored, result: side.selection } : undefined;
  }

  async compress(): Promise<void> {
    this.error = undefined;
    const session = this.#session;
    const choices = [this.primary, ...(this.secondary ? [this.secondary] : [])];
    if (choices.length === 2 && same(choices[0]!, choices[1]!)) {
      this.error = new TokenSkipError('INVALID_ARGUMENT', { id: 'compareSameScorers' });
      return;
    }
    // The text as it is now: edits made while the model loads belong to the next run.
    const input = { cot: session.cot, question: session.question, answer: this.answer };
    try {
      validateText(input.cot, { id: 'whereCot' });
      toGamma(session.gamma, 'γ');
      this.status = 'scoring';
      if (choices.some((c) => c.method === 'llmlingua2')) {
        await session.compress();
        if (session.error) {
          // The page shows the session's own error; do not show it twice.
          this.status = this.#scoredSides.length > 0 ? 'ready' : 'idle';
          return;
        }
      }
      const causal = choices.filter((c) => c.method !== 'llmlingua2');
      const sides: ScoredSide[] = [];
      if (causal.length > 0) await this.#ensureLoaded();
      for (const choice of causal) {
        this.status = 'scoring';
        const reply = await scorerClient().score({
          scorer: choice.method as 'cts' | 'ppl',
          input,
          options: {
            condition: choice.condition,
            windowSize: this.windowSize,
            maxTokens: this.maxTokens,
          },
        });
        sides.push({ choice, scored: reply.scored as CausalScoredText, scoreMs: reply.scoreMs });
      }
      this.#scoredSides = sides;
      this.status = 'ready';
    } catch (error) {
      this.#fail(error);
    }
  }

  /** The γ slider: every side (and LLMLingua-2's) re-selects from its cached scores; no worker message. */
  setGamma(gamma: number): void {
    this.#session.setGamma(gamma);
  }

  async #ensureLoaded(): Promise<void> {
    const key = `${this.refModel}|${this.#session.backend}`;
    const client = scorerClient();
    // A worker that died and was replaced holds no model: load again.
    if (this.load && this.#loadedKey === key && this.#loadedEpoch === client.epoch) return;
    this.status = 'loading';
    this.progress = undefined;
    const reference = await resolveReference(this.refModel);
    this.load = await client.load(
      {
        kind: 'causal',
        model: reference.url,
        graphs: reference.graphs,
        backend: this.#session.backend,
      },
      (p: FileProgress) => (this.progress = p),
    );
    this.#loadedKey = key;
    this.#loadedEpoch = client.epoch;
  }

  #fail(error: unknown): void {
    const e = toTokenSkipError(error);
    this.error = e;
    this.status = this.#scoredSides.length > 0 ? 'ready' : 'idle';
    if (
      e.code.startsWith('MODEL_') ||
      e.code === 'DOWNLOAD_FAILED' ||
      e.code === 'BACKEND_UNAVAILABLE'
    )
      this.load = undefined;
  }
}

function same(a: MethodChoice, b: MethodChoice): boolean {
  return a.method === b.method && (a.method !== 'cts' || a.condition === b.condition);
}
