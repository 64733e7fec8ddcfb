/**
 * The LLMLingua-2 token classifier on ONNX Runtime: the same code for onnxruntime-web (WebGPU or
 * WASM) and onnxruntime-node, which share the `onnxruntime-common` API; the caller passes its `ort`.
 *
 * Rows are padded to the longest row of the batch rather than to 512 as the reference does: padded
 * positions are masked out of attention, so the kept words are the same and short CoTs run 3-4x
 * faster. `padTo: 'max'` restores the reference's fixed 512 shape.
 */
import type { InferenceSession, Tensor, TypedTensor } from 'onnxruntime-common';
import { TokenSkipError } from '../../core/errors.ts';
import { checkFiniteLogits } from '../../core/scoring/finite-logits.ts';
import type { TokenClassifier } from '../../core/compression/llmlingua2.ts';
import type { ModelInput } from '../../core/compression/llmlingua2-words.ts';
import { MAX_SEQ_LEN } from '../../core/compression/llmlingua2-words.ts';
import { f16BitsToF32 } from '../../core/half-float.ts';

/** The part of `onnxruntime-web` / `onnxruntime-node` used here. */
export interface OrtLike {
  InferenceSession: {
    create(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession>;
  };
  Tensor: new (type: 'int64', data: BigInt64Array, dims: readonly number[]) => TypedTensor<'int64'>;
}

export interface ClassifierOptions {
  sessionOptions?: InferenceSession.SessionOptions;
  padTo?: 'longest' | 'max';
  /** Model id for error messages. */
  name?: string;
}

export interface OnnxTokenClassifier extends TokenClassifier {
  session: InferenceSession;
  release(): Promise<void>;
}

function logitsAsFloat(tensor: Tensor, where: string): ArrayLike<number> {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') return Array.from(tensor.data as Uint16Array, f16BitsToF32);
  throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
    id: 'classifierLogitsType',
    params: { where, type: tensor.type },
  });
}

export async function createOnnxTokenClassifier(
  ort: OrtLike,
  model: Uint8Array,
  options: ClassifierOptions = {},
): Promise<OnnxTokenClassifier> {
  const name = options.name ?? 'model';
  let session: InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, options.sessionOptions);
  } catch (error) {
    throw new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      {
        id: 'onnxGraphFailed',
        params: { model: name, raw: error instanceof Error ? error.message : String(error) },
      },
      { cause: error },
    );
  }
  for (const input of ['input_ids', 'attention_mask']) {
    if (!session.inputNames.includes(input)) {
      throw new TokenSkipError('MODEL_LOAD_FAILED', {
        id: 'classifierNoInput',
        params: { model: name, input, inputs: session.inputNames.join(', ') },
      });
    }
  }
  if (!session.outputNames.includes('logits')) {
    throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
      id: 'classifierNoLogits',
      params: { model: name, outputs: session.outputNames.join(', ') },
    });
  }
  const wantsTokenTypes = session.inputNames.includes('token_type_ids');
  const padTo = options.padTo ?? 'longest';

  async function classify(rows: ModelInput[]): Promise<Float32Array[]> {
    if (rows.length === 0) return [];
    const width =
      padTo === 'max' ? MAX_SEQ_LEN : rows.reduce((w, r) => Math.max(w, r.ids.length), 0);
    const ids = new BigInt64Array(rows.length * width);
    const mask = new BigInt64Array(rows.length * width);
    rows.forEach((row, b) => {
      for (let t = 0; t < row.ids.length; t++) {
        ids[b * width + t] = BigInt(row.ids[t]!);
        mask[b * width + t] = BigInt(row.mask[t]!);
      }
    });
    const dims = [rows.length, width] as const;
    const feeds: Record<string, Tensor> = {
      input_ids: new ort.Tensor('int64', ids, dims),
      attention_mask: new ort.Tensor('int64', mask, dims),
    };
    if (wantsTokenTypes)
      feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(rows.length * width), dims);
    const output = await session.run(feeds, ['logits']);
    const logits = output.logits;
    if (
      !logits ||
      logits.dims.length !== 3 ||
      logits.dims[0] !== rows.length ||
      logits.dims[1] !== width ||
      logits.dims[2] !== 2
    ) {
      throw new TokenSkipError('MODEL_OUTPUT_INVALID', {
        id: 'classifierLogitsShape',
        params: {
          model: name,
          dims: String(logits?.dims.join(', ')),
          rows: rows.length,
          width,
        },
      });
    }
    const data = logitsAsFloat(logits, name);
    rows.forEach((row, b) => {
      const start = b * width * 2;
      checkFiniteLogits(data, name, start, start + row.ids.length * 2);
    });
    return rows.map((row, b) => {
      const probs = new Float32Array(row.ids.length);
      for (let t = 0; t < row.ids.length; t++) {
        const o = (b * width + t) * 2;
        // softmax over 2 classes, class 1 = keep
        probs[t] = 1 / (1 + Math.exp(data[o]! - data[o + 1]!));
      }
      return probs;
    });
  }

  return { session, classify, release: () => session.release() };
}
