/**
 * A recording stand-in for WebLLM's MLCEngine, the one seam the WebLLM adapter is tested through
 * (WebLLM cannot load a model without a real GPU). It is typed against WebLLM's own interface and
 * streams chunks shaped exactly as web-llm 0.2.86's `asyncGenerate` yields them for a raw
 * completion: delta chunks (`finish_reason: null`), a final chunk (`text: ""`, the finish reason,
 * "abort" after `interruptGenerate()`), then a usage chunk with `choices: []`.
 */
import type {
  Completion,
  CompletionCreateParamsStreaming,
  MLCEngineConfig,
  MLCEngineInterface,
} from '@mlc-ai/web-llm';

export interface FakeCalls {
  created: { modelId: string; config: MLCEngineConfig }[];
  requests: CompletionCreateParamsStreaming[];
  interrupts: number;
  unloads: number;
}

/** `script` maps a prompt to the pieces of text the "model" streams, one chunk each. */
export function createFakeMlcEngine(script: (prompt: string) => string[], delayMs = 2) {
  const calls: FakeCalls = { created: [], requests: [], interrupts: 0, unloads: 0 };
  let interrupted = false;

  async function* stream(request: CompletionCreateParamsStreaming): AsyncGenerator<Completion> {
    const received = performance.now();
    let firstAt = received;
    const pieces = script(request.prompt);
    const max = request.max_tokens ?? Infinity;
    let emitted = 0;
    let finish: 'stop' | 'length' | 'abort' = 'stop';
    const base = { id: 'cmpl-fake', model: 'fake', object: 'text_completion' as const, created: 0 };
    for (const text of pieces) {
      await new Promise((r) => setTimeout(r, delayMs));
      if (interrupted) {
        finish = 'abort';
        break;
      }
      if (emitted >= max) {
        finish = 'length';
        break;
      }
      if (emitted === 0) firstAt = performance.now();
      emitted++;
      yield { ...base, choices: [{ text, finish_reason: null, index: 0 }] };
    }
    yield { ...base, choices: [{ text: '', finish_reason: finish, index: 0 }] };
    if (request.stream_options?.include_usage) {
      const seconds = (performance.now() - received) / 1000;
      yield {
        ...base,
        choices: [],
        usage: {
          prompt_tokens: request.prompt.length,
          completion_tokens: emitted,
          total_tokens: request.prompt.length + emitted,
          extra: {
            e2e_latency_s: seconds,
            prefill_tokens_per_s: 1000,
            decode_tokens_per_s: 50,
            time_to_first_token_s: (firstAt - received) / 1000,
            time_per_output_token_s: 0.02,
          },
        },
      };
    }
  }

  const members = {
    completions: {
      create: async (
        request: CompletionCreateParamsStreaming,
      ): Promise<AsyncIterable<Completion>> => {
        calls.requests.push(request);
        interrupted = false;
        return stream(request);
      },
    },
    interruptGenerate: () => {
      calls.interrupts++;
      interrupted = true;
    },
    unload: async () => {
      calls.unloads++;
    },
  } satisfies Pick<MLCEngineInterface, 'interruptGenerate' | 'unload'> & {
    completions: {
      create: (r: CompletionCreateParamsStreaming) => Promise<AsyncIterable<Completion>>;
    };
  };

  async function createEngine(
    modelId: string,
    config: MLCEngineConfig,
  ): Promise<MLCEngineInterface> {
    calls.created.push({ modelId, config });
    config.initProgressCallback?.({
      progress: 0.5,
      timeElapsed: 0.1,
      text: 'Fetching param cache[1/2]',
    });
    config.initProgressCallback?.({
      progress: 1,
      timeElapsed: 0.2,
      text: 'Finish loading on WebGPU',
    });
    // The adapter only touches the members above; the rest of the interface is never called.
    return members as unknown as MLCEngineInterface;
  }

  return { calls, createEngine };
}
