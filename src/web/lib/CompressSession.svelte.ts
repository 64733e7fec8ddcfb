/**
 * State and actions of the LLMLingua-2 scorer on the Compress and Learn pages: which model runs
 * where, the scored text (γ-independent) and the selection at the current γ. The selection is
 * derived here, in the page, from the cached scores: moving γ sends nothing to the worker.
 *
 * The selection code (select.ts with its tokenizer decoder and cl100k ranks, ~1 MB gzipped) is a
 * chunk of its own: `compress()` starts fetching it while the worker loads the model, so the first
 * page's bundle stays small and the first result waits for whichever comes last.
 */
import { savePreference } from './storage.ts';
import { TokenSkipError, toTokenSkipError } from '../../core/errors.ts';
import type { LinguaOptions, LinguaScored } from '../../core/compression/llmlingua2.ts';
import { validateText } from '../../core/compression/validate-text.ts';
import { toGamma } from '../../core/prompts/gamma.ts';
import type { selectScored } from '../../core/scoring/select.ts';
import { MINI_COMPRESSION } from '../../core/models/mini-compression.ts';
import type { SelectedWord, Selection } from '../../core/scoring/types.ts';
import type { BackendPreference } from '../../runtime/web/backend.ts';
import type { FileProgress } from '../../runtime/hub/web/model-cache.ts';
import type { LoadInfo } from '../workers/scorer-protocol.ts';
import { scorerClient } from './scorer-client.ts';
import {
  referenceScoresFor,
  type ScoresReference,
} from '../../core/compression/scores-reference.ts';
import { linguaWords } from '../../core/scoring/lingua-words.ts';
import { findScorer } from '../../core/models/registry.ts';
import { pickVariant } from '../../runtime/hub/model-manifest.ts';
import { readCachedScores, writeCachedScores } from './scores-cache.ts';

/**
 * Where the shown scores come from: the shipped reference run, this browser on an earlier visit,
 * or the scorer that just ran in this browser. Only `live` scores are this load's own.
 */
export type ScoresSource = 'reference' | 'cached' | 'live';

export interface AlgorithmSettings {
  forceTokens: string;
  forceReserveDigit: boolean;
  dropConsecutive: boolean;
  tokenToWord: 'mean' | 'first';
  realBoundaries: boolean;
  spaceBetweenChunks: boolean;
  joinCjk: boolean;
  chineseWords: boolean;
  keepUnknown: boolean;
}

type SelectScored = typeof selectScored;
let selectModule: Promise<SelectScored> | undefined;

/**
 * The selection code, loaded once per page, with the cl100k encoder's chunk fetched beside it
 * (gpt-tokenizer builds the encoder as it is imported, so the first selection does not pay for it
 * after scoring).
 */
export function loadSelection(): Promise<SelectScored> {
  selectModule ??= Promise.all([
    import('../../core/scoring/select.ts'),
    import('../../core/compression/token-count.ts'),
  ]).then(([select]) => select.selectScored);
  // A failed fetch (offline without the service worker) may be retried by the next compress().
  selectModule.catch(() => (selectModule = undefined));
  return selectModule;
}

export class CompressSession {
  modelId = $state('');
  backend = $state<BackendPreference>('auto');
  /** The model host (shared with the Models page): every model file from it; empty = the app and the hub. */
  mirror = $state(globalThis.localStorage?.getItem('tokenskip.mirror') ?? '');
  gamma = $state(0.5);
  question = $state('');
  cot = $state('');
  settings = $state<AlgorithmSettings>({
    forceTokens: '',
    forceReserveDigit: false,
    dropConsecutive: false,
    tokenToWord: 'mean',
    realBoundaries: false,
    spaceBetweenChunks: false,
    // On in the app: a Chinese CoT should read as written, not "小 明 有 5 个", and lose
    // whole words, not single characters.
    joinCjk: true,
    chineseWords: true,
    // A word the scorer's vocabulary cannot spell is shown with its own characters, not [UNK].
    keepUnknown: true,
  });

  status = $state<'idle' | 'loading' | 'scoring' | 'ready'>('idle');
  error = $state<TokenSkipError | undefined>();
  progress = $state<FileProgress | undefined>();
  load = $state.raw<LoadInfo | undefined>();
  scoreMs = $state<number | undefined>();
  /** Where the scores shown come from (undefined: none shown). */
  scoresSource = $state<ScoresSource | undefined>();
  #scored = $state.raw<LinguaScored | undefined>();
  /** Set by `showEarlierScores`: the reference to show, and this browser's kept scores, while loading. */
  #reference: ScoresReference | undefined;
  #select = $state.raw<SelectScored | undefined>();
  #loadedKey = '';
  #run = 0;
  #loadedEpoch = -1;

  get scored(): LinguaScored | undefined {
    return this.#scored;
  }

  /** The selection at the current γ, re-derived from the cached scores when γ moves. */
  #result = $derived.by((): Selection | undefined =>
    this.#scored && this.#select ? this.#select(this.#scored, this.gamma) : undefined,
  );
  get result(): Selection | undefined {
    return this.#result;
  }

  /**
   * The scored words, all shown kept, straight from the scores: no selection code needed, so the
   * heat map is painted as soon as there are scores.
   */
  get scoredWords(): SelectedWord[] {
    return this.#scored ? linguaWords(this.#scored) : [];
  }

  /**
   * Shows scores from earlier while the scorer loads (the Learn page): the reference's for its own
   * model, text and options, else those this browser computed on an earlier visit; live scores
   * are kept for the next visit. Each is labelled by `scoresSource`, never as live.
   */
  showEarlierScores(reference: ScoresReference): void {
    this.#reference = reference;
    // The reference's scores of the text already set are shown at once, before `compress()`:
    // they are in the first render, and in the build's prerendered Learn page.
    const scored = this.#referenceScores(this.cot, this.options());
    if (scored) {
      this.#scored = scored;
      this.scoresSource = 'reference';
    }
  }

  /** The reference's scores for exactly this text and options with the chosen model, if any. */
  #referenceScores(cot: string, options: Partial<LinguaOptions>): LinguaScored | undefined {
    const modelSha256 = this.#modelSha256();
    return this.#reference && modelSha256
      ? referenceScoresFor(this.#reference, { modelId: this.modelId, modelSha256, cot, options })
      : undefined;
  }

  /** The sha256 of the registry scorer's WASM graph; undefined for a scorer not in the registry. */
  #modelSha256(): string | undefined {
    try {
      const entry = findScorer(this.modelId);
      const file = pickVariant(entry, 'wasm').file;
      return entry.files.find((f) => f.path === file)?.sha256;
    } catch {
      return undefined; // not a registry scorer: nothing earlier to show
    }
  }

  /** Scored words with their kept flag at the current γ, in text order. */
  get words(): SelectedWord[] {
    return this.#result?.words ?? [];
  }

  options(): Partial<LinguaOptions> {
    const s = this.settings;
    const forceTokens =
      s.forceTokens.trim() === ''
        ? []
        : s.forceTokens.split(',').map((t) => t.replaceAll('\\n', '\n'));
    return {
      forceTokens,
      forceReserveDigit: s.forceReserveDigit,
      dropConsecutive: s.dropConsecutive,
      tokenToWord: s.tokenToWord,
      realBoundaries: s.realBoundaries,
      spaceBetweenChunks: s.spaceBetweenChunks,
      joinCjk: s.joinCjk,
      chineseWords: s.chineseWords,
      keepUnknown: s.keepUnknown,
    };
  }

  /**
   * The settings the mini recipe compressed its training data with (MINI_COMPRESSION: numbers and
   * operators always kept, Chinese by whole word, no spaces added): the default with the mini
   * scorer, so every page shows the compression the shipped model learned from.
   */
  useMiniCompression(): void {
    this.settings.forceTokens = MINI_COMPRESSION.forceTokens.join(',');
    this.settings.forceReserveDigit = MINI_COMPRESSION.forceReserveDigit;
    this.settings.joinCjk = MINI_COMPRESSION.joinCjk;
    this.settings.chineseWords = MINI_COMPRESSION.chineseWords;
    this.settings.keepUnknown = MINI_COMPRESSION.keepUnknown;
  }

  async ensureLoaded(): Promise<void> {
    const key = `${this.modelId}|${this.backend}|${this.mirror}`;
    savePreference('tokenskip.mirror', this.mirror);
    const client = scorerClient();
    // A worker that died and was replaced holds no model: load again.
    if (this.load && this.#loadedKey === key && this.#loadedEpoch === client.epoch) return;
    this.status = 'loading';
    this.progress = undefined;
    // Marks for bench:first-visit (the page's clock): where the live path's time goes.
    performance.mark('tokenskip:scorer-load');
    this.load = await client.load(
      {
        kind: 'llmlingua2',
        modelId: this.modelId,
        backend: this.backend,
        // The mirror the user typed: without it here the worker always went to the hub.
        ...(this.mirror.trim() ? { mirror: this.mirror.trim() } : {}),
      },
      (p) => (this.progress = p),
    );
    performance.mark('tokenskip:scorer-loaded');
    this.#loadedKey = key;
    this.#loadedEpoch = client.epoch;
  }

  async compress(): Promise<void> {
    this.error = undefined;
    // The text as it is now: edits made while the model loads belong to the next run.
    const cot = this.cot;
    // Only the newest call may publish: a language switch while the first text is still scoring
    // must not be overwritten by the older reply arriving last.
    const run = ++this.#run;
    try {
      validateText(cot, { id: 'whereCot' });
      toGamma(this.gamma, 'γ');
      const options = this.options();
      if (this.#reference) this.#earlierScores(run, cot, options);
      // Fetched while the model loads; awaited before the scores are published.
      const selection = loadSelection();
      // Earlier scores shown while the model loads get their selection (γ) as soon as it is in.
      selection.then((select) => (this.#select ??= select)).catch(() => undefined);
      await this.ensureLoaded();
      if (run !== this.#run) return;
      this.status = 'scoring';
      const reply = await scorerClient().score({
        scorer: 'llmlingua2',
        input: { cot },
        options,
      });
      performance.mark('tokenskip:scored');
      if (run !== this.#run) return;
      // The heat map needs only the scores: published now; the selection follows when its
      // chunk is in.
      this.scoreMs = reply.scoreMs;
      this.#scored = reply.scored as LinguaScored;
      this.scoresSource = 'live';
      const modelSha256 = this.load?.modelSha256;
      if (this.#reference && modelSha256)
        void writeCachedScores(modelSha256, cot, options, reply.scored as LinguaScored);
      this.#select ??= await selection;
      performance.mark('tokenskip:selection');
      if (run !== this.#run) return;
      this.status = 'ready';
    } catch (error) {
      if (run === this.#run) this.fail(error);
    }
  }

  /**
   * The reference's scores for this text at once, else this browser's kept ones when found; an
   * earlier text's scores that are not live are taken down, so nothing shown belongs to another text.
   */
  #earlierScores(run: number, cot: string, options: Partial<LinguaOptions>): void {
    const fromReference = this.#referenceScores(cot, options);
    if (fromReference) {
      this.#scored = fromReference;
      this.scoresSource = 'reference';
      return;
    }
    if (this.scoresSource !== 'live') {
      this.#scored = undefined;
      this.scoresSource = undefined;
    }
    const modelSha256 = this.#modelSha256();
    if (!modelSha256) return;
    void readCachedScores(modelSha256, cot, options).then((scored) => {
      // Only while this text is still the one being scored and its live scores are not in.
      if (scored && run === this.#run && this.status !== 'ready' && this.scoresSource !== 'live') {
        this.#scored = scored;
        this.scoresSource = 'cached';
      }
    });
  }

  /** The slider: the selection follows γ from the cached scores; no worker message, no model run. */
  setGamma(gamma: number): void {
    this.gamma = gamma;
  }

  async clearCache(): Promise<number> {
    const removed = await scorerClient().clearCache();
    this.load = undefined;
    return removed;
  }

  private fail(error: unknown): void {
    const e = toTokenSkipError(error);
    this.error = e;
    // Earlier scores (reference, cached) on screen are not a finished live run.
    this.status = this.#scored && this.scoresSource === 'live' ? 'ready' : 'idle';
    if (
      e.code.startsWith('MODEL_') ||
      e.code === 'DOWNLOAD_FAILED' ||
      e.code === 'BACKEND_UNAVAILABLE'
    )
      this.load = undefined;
  }
}
