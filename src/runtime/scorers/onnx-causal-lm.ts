/**
 * Log-probs of a causal LM over ONNX Runtime (onnxruntime-node in Node, onnxruntime-web in the
 * browser): the `CausalLogProbs` the CTS and perplexity scorers run on.
 *
 * Works with any causal LM in the transformers.js export layout: inputs `input_ids`,
 * `attention_mask`, optional `position_ids`, optional `past_key_values.{i}.key|value`
 * ([batch, kv_heads, past, head_dim]) -> `logits` [batch, seq, vocab] and `present.{i}.key|value`.
 * A sequence is run in pieces of at most `pieceTokens` tokens, each piece feeding the previous
 * piece's `present.*` back as `past_key_values.*` (the first with an empty past of length 0), so
 * the logits buffer stays bounded (a 150k vocabulary times 1,800 positions would be 1 GB) while the
 * log-probs are those of one full forward pass.
 *
 * The generation engine's `CausalLm` (engines/onnx/causal-lm.ts) returns only the last position's
 * logits, which is what decoding needs; scoring needs every position's log-prob, hence this runner
 * beside it. Both size the cache with the same `parseCausalLmConfig`.
 *
 *   const lm = createOnnxCausalLm(ort, session, config);
 *   const lp = await lm.logProbs(ids); // lp[t] = log p(ids[t + 1] | ids[..t])
 */
import type * as OrtCommon from 'onnxruntime-common';
import { TokenSkipError } from '../../core/errors.ts';
import { checkFiniteLogits } from '../../core/scoring/finite-logits.ts';
import { gatherNextTokenLogProbs } from '../../core/scoring/log-probs.ts';
import type { CausalLogProbs } from '../../core/scoring/types.ts';
import { parseCausalLmConfig } from '../engines/onnx/causal-lm.ts';
import { f16BitsToF32 } from '../../core/half-float.ts';

/** The part of an ORT module (node or web) this runner uses. */
export interface OrtModule {
  Tensor: typeof OrtCommon.Tensor;
}
type Session = OrtCommon.InferenceSession;
type Tensor = OrtCommon.Tensor;

/** The config.json fields the scorers read (raw Hugging Face names). */
export interface CausalLmConfigJson {
  num_hidden_layers?: number;
  num_attention_heads?: number;
  num_key_value_heads?: number;
  hidden_size?: number;
  head_dim?: number;
  max_position_embeddings?: number;
  vocab_size?: number;
  bos_token_id?: number | number[] | null;
  eos_token_id?: number | number[] | null;
}

export interface CausalLmOptions {
  /** Name used in error messages (model id or folder). */
  model: string;
  /** Upper bound on logits floats per run; sets the piece length (default 16M floats = 64 MB). */
  maxLogitsFloats?: number;
}

const pastPattern = /^past_key_values\.(\d+)\.(key|value)$/;

export function createOnnxCausalLm(
  ort: OrtModule,
  session: Session,
  config: CausalLmConfigJson,
  options: CausalLmOptions,
): CausalLogProbs {
  const { model } = options;
  if (!session.outputNames.includes('logits')) {
    throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
      id: 'referenceNoLogits',
      params: { model, outputs: session.outputNames.join(', ') || { id: 'listNone' } },
    });
  }
  for (const name of ['input_ids', 'attention_mask']) {
    if (!session.inputNames.includes(name)) {
      throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
        id: 'referenceNoInput',
        params: { model, input: name, inputs: session.inputNames.join(', ') },
      });
    }
  }
  const pastNames = session.inputNames.filter((n) => pastPattern.test(n));
  const unknown = session.inputNames.filter(
    (n) => !['input_ids', 'attention_mask', 'position_ids'].includes(n) && !pastPattern.test(n),
  );
  if (unknown.length > 0) {
    throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
      id: 'referenceUnknownInputs',
      params: { model, inputs: unknown.join(', ') },
    });
  }
  // The generation engine's config reader sizes the cache, so both read config.json the same way.
  const cache =
    pastNames.length > 0
      ? parseCausalLmConfig(config as Record<string, unknown>, model)
      : { numKvHeads: 0, headDim: 0, kvDtype: 'float32' as const };
  const pastType = (name: string): 'float32' | 'float16' => {
    const meta = session.inputMetadata?.find((m) => m.name === name);
    if (meta?.isTensor) return meta.type === 'float16' ? 'float16' : 'float32';
    return cache.kvDtype;
  };
  const maxLogitsFloats = options.maxLogitsFloats ?? 16 * 1024 * 1024;
  let vocab = config.vocab_size ?? 0;

  function emptyPast(): Record<string, Tensor> {
    const feeds: Record<string, Tensor> = {};
    for (const name of pastNames) {
      const type = pastType(name);
      const data = type === 'float16' ? new Uint16Array(0) : new Float32Array(0);
      feeds[name] = new ort.Tensor(type, data, [1, cache.numKvHeads, 0, cache.headDim]);
    }
    return feeds;
  }

  function int64(values: ArrayLike<number>, dims: number[]): Tensor {
    return new ort.Tensor('int64', BigInt64Array.from(Array.from(values, (v) => BigInt(v))), dims);
  }

  return {
    ...(config.max_position_embeddings ? { maxPositions: config.max_position_embeddings } : {}),
    async logProbs(ids, signal) {
      const out = new Float32Array(Math.max(0, ids.length - 1));
      if (ids.length < 2) return out;
      // Without a KV cache input the model can only run the whole sequence at once.
      const piece =
        pastNames.length === 0
          ? ids.length
          : Math.max(1, Math.floor(maxLogitsFloats / Math.max(vocab, 1)));
      let past = emptyPast();
      for (let from = 0; from < ids.length - 1; from += piece) {
        if (signal?.aborted) throw new TokenSkipError('CANCELLED', { id: 'scoringCancelled' });
        const to = Math.min(ids.length, from + piece);
        const length = to - from;
        const feeds: Record<string, Tensor> = {
          input_ids: int64(ids.slice(from, to), [1, length]),
          attention_mask: int64(new Array<number>(to).fill(1), [1, to]),
          ...past,
        };
        if (session.inputNames.includes('position_ids')) {
          feeds.position_ids = int64(
            Array.from({ length }, (_, i) => from + i),
            [1, length],
          );
        }
        const result = await session.run(feeds);
        const logits = result.logits;
        const dims = logits?.dims ?? [];
        if (!logits || dims.length !== 3 || dims[1] !== length) {
          throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
            id: 'referenceLogitsShape',
            params: { model, dims: dims.join(', '), length },
          });
        }
        vocab = dims[2] as number;
        let data: ArrayLike<number>;
        if (logits.type === 'float32') data = logits.data as Float32Array;
        // fp16 exports (e.g. q4f16 on WebGPU) return raw 16-bit words.
        else if (logits.type === 'float16')
          data = Float32Array.from(logits.data as Uint16Array, f16BitsToF32);
        else {
          throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
            id: 'referenceLogitsType',
            params: { model, type: logits.type },
          });
        }
        // Row t of this piece predicts ids[from + t + 1]; the last piece has one row fewer to gather.
        const rows = Math.min(length, ids.length - 1 - from);
        const next = ids.slice(from + 1, from + 1 + rows);
        const gathered = gatherNextTokenLogProbs(data, rows, vocab, next);
        // A NaN logit anywhere in a row makes its log-softmax NaN: checking the results is enough.
        checkFiniteLogits(gathered, model);
        out.set(gathered, from);
        const nextPast: Record<string, Tensor> = {};
        for (const name of pastNames) {
          const present = result[name.replace('past_key_values', 'present')];
          if (!present) {
            throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
              id: 'referenceNoPresent',
              params: { model, input: name },
            });
          }
          nextPast[name] = present;
        }
        for (const [name, value] of Object.entries(result)) {
          if (name === 'logits' || name.startsWith('present')) continue;
          value.dispose?.();
        }
        logits.dispose?.();
        for (const tensor of Object.values(past)) tensor.dispose?.();
        past = nextPast;
      }
      for (const tensor of Object.values(past)) tensor.dispose?.();
      return out;
    },
  };
}
