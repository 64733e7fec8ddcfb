/**
 * The one way this project turns a model folder's `tokenizer.json` (+ optional
 * `tokenizer_config.json`) into a `@huggingface/tokenizers` Tokenizer: the CLI's record tokenizer,
 * the token counter, the causal scorers, the ONNX engine, the browser's generation tokenizer and
 * the LLMLingua-2 scorer tokenizer all come through here, so a broken file gives one clear error.
 *
 *   const tokenizer = await readTokenizer(files);            // any { location, readBytes } source
 *   const tokenizer = createTokenizer(json, config, 'models/x/tokenizer.json');
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { TokenSkipError, type ErrorDetail } from './errors.ts';

/** Where a model's files come from (disk, HTTP, the browser's cache): see runtime ModelFiles. */
export interface TokenizerFiles {
  readonly location: string;
  readBytes(path: string): Promise<Uint8Array>;
}

/**
 * A Tokenizer from parsed JSON; `where` names the file in the error when it cannot be built (a
 * path, or a detail such as `{ id: 'whereScorerTokenizer' }` where the name is words of a sentence).
 */
export function createTokenizer(
  json: object,
  config: object,
  where: string | ErrorDetail,
): Tokenizer {
  try {
    return new Tokenizer(json, config);
  } catch (error) {
    throw new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      {
        id: 'tokenizerLoadFailed',
        params: { where, raw: error instanceof Error ? error.message : String(error) },
      },
      { cause: error },
    );
  }
}

function parseJson(bytes: Uint8Array, where: string): object {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new Error('not a JSON object');
    }
    return value;
  } catch (error) {
    throw new TokenSkipError(
      'MODEL_FILE_CORRUPT',
      { id: 'jsonInvalid', params: { where, raw: (error as Error).message } },
      { cause: error },
    );
  }
}

/** Reads `tokenizer.json` (required) and `tokenizer_config.json` (optional) from a model folder. */
export async function readTokenizer(files: TokenizerFiles): Promise<Tokenizer> {
  const where = `${files.location}/tokenizer.json`;
  const [json, config] = await Promise.all([
    files.readBytes('tokenizer.json').then((b) => parseJson(b, where)),
    files.readBytes('tokenizer_config.json').then(
      (b) => parseJson(b, `${files.location}/tokenizer_config.json`),
      // Optional: special tokens then come from tokenizer.json's added_tokens.
      () => ({}),
    ),
  ]);
  return createTokenizer(json, config, where);
}
