/**
 * The Compress page's choice of scorer (LLMLingua-2, CTS, perplexity) and its comparison of two
 * scorers on the same CoT. LLMLingua-2 runs through the page's `CompressSession` (its own worker);
 * CTS and perplexity run in the causal-scorer worker on a reference causal LM. Both workers keep
 * their models, so comparing costs one scoring per side and moving γ costs no model run at all.
 */
import { DEFAULT_REFERENCE_MODEL_ID } from './defaults.ts';
import { proxy } from 'comlink';
import { toTokenSkipError, TokenSkipError } from '../../core/errors.ts';
import { validateRate, validateText } from '../../core/compression/llmlingua2.ts';
import type { CompressionResult, ScoredText, ScorerName } from '../../core/compression/types.ts';
import type { CausalSelection } from '../../core/scoring/causal-select.ts';
import { keptUnits, projectToWords, unitsOf, type WordCell } from '../../core/scoring/compare.ts';
import type { CausalScoredText, Condition, SelectionMode } from '../../core/scoring/types.ts';
import type { FileProgress } from '../../runtime/web/model-cache.ts';
import type { CausalLoadInfo } from '../workers/causal-scorer-protocol.ts';
import { causalClient, resetCausalClient } from './causal-client.ts';
import type { CompressSession } from './CompressSession.svelte.ts';
import { resolveReference } from './reference-models.ts';
import { call } from './scorer-client.ts';

export interface MethodChoice {
  method: ScorerName;
  /** CTS only. */
  condition: Condition;
}

export interface CausalSide {
  choice: MethodChoice;
  scored: CausalScoredText;
  selection: CausalSelection;
  scoreMs: number;
}

export interface ComparisonSide {
  label: string;
  cells: WordCell[];
}

export const methodLabels: Record<ScorerName, string> = {
  llmlingua2: 'LLMLingua-2',
  cts: 'CTS',
  ppl: 'Perplexity',
};

export function choiceLabel(choice: MethodChoice): string {
  return choice.method === 'cts' ? `CTS | ${choice.condition}` : methodLabels[choice.method];
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
  load = $state.raw<CausalLoadInfo | undefined>();
  #sides = $state.raw<CausalSide[]>([]);
  #loadedKey = '';
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
    const cells = (r: { scored: ScoredText; result: CompressionResult }) =>
      projectToWords(cot, unitsOf(r.scored), keptUnits(r.scored, r.result));
    return [
      { label: choiceLabel(this.primary), cells: cells(a) },
      { label: choiceLabel(second), cells: cells(b) },
    ];
  });

  #sideResult(choice: MethodChoice): { scored: ScoredText; result: CompressionResult } | undefined {
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
      this.error = new TokenSkipError(
        'INVALID_ARGUMENT',
        'Pick two different scorers (or CTS with two different conditions) to compare.',
      );
      return;
    }
    // The text as it is now: edits made while the model loads belong to the next run.
    const input = { cot: session.cot, question: session.question, answer: this.answer };
    try {
      validateText(input.cot, 'The chain of thought');
      validateRate(session.rate, 'γ');
      this.status = 'scoring';
      if (choices.some((c) => c.method === 'llmlingua2')) {
        await session.compress();
        if (session.error) {
          // The page shows the session's own error; do not show it twice.
          this.status = this.#sides.length > 0 ? 'ready' : 'idle';
          return;
        }
      }
      const causal = choices.filter((c) => c.method !== 'llmlingua2');
      const sides: CausalSide[] = [];
      if (causal.length > 0) await this.#ensureLoaded();
      for (const choice of causal) {
        this.status = 'scoring';
        const reply = await call(
          causalClient().score({
            scorer: choice.method as 'cts' | 'ppl',
            input,
            options: {
              condition: choice.condition,
              windowSize: this.windowSize,
              maxTokens: this.maxTokens,
            },
          }),
        );
        const selection = await call(
          causalClient().select(reply.scored, session.rate, this.selection),
        );
        sides.push({ choice, scored: reply.scored, selection, scoreMs: reply.scoreMs });
      }
      this.#sides = sides;
      this.status = 'ready';
    } catch (error) {
      this.#fail(error);
    }
  }

  /** The γ slider: re-threshold every scored side, no model run. */
  async setRate(rate: number): Promise<void> {
    await this.#session.setRate(rate);
    if (this.#sides.length === 0) return;
    try {
      this.#sides = await Promise.all(
        this.#sides.map(async (side) => ({
          ...side,
          selection: await call(causalClient().select(side.scored, rate, this.selection)),
        })),
      );
    } catch (error) {
      this.#fail(error);
    }
  }

  async #ensureLoaded(): Promise<void> {
    const key = `${this.refModel}|${this.#session.backend}`;
    if (this.load && this.#loadedKey === key) return;
    this.status = 'loading';
    this.progress = undefined;
    const reference = await resolveReference(this.refModel);
    this.load = await call(
      causalClient().load(
        {
          model: reference.url,
          graphs: reference.graphs,
          backend: this.#session.backend,
        },
        proxy((p: FileProgress) => (this.progress = p)),
      ),
    );
    this.#loadedKey = key;
  }

  #fail(error: unknown): void {
    const e = toTokenSkipError(error);
    this.error = e;
    this.status = this.#sides.length > 0 ? 'ready' : 'idle';
    if (e.code === 'INTERNAL') resetCausalClient();
    if (e.code.startsWith('MODEL_') || e.code === 'DOWNLOAD_FAILED') this.load = undefined;
  }
}

function same(a: MethodChoice, b: MethodChoice): boolean {
  return a.method === b.method && (a.method !== 'cts' || a.condition === b.condition);
}
