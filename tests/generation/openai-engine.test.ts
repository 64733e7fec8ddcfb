/**
 * OpenAI-compatible endpoints as a GenerationEngine (src/runtime/engines/openai/openai-engine.ts):
 * the contract's events and results against a real HTTP server on loopback (collect and eval use
 * it through the same interface as the ONNX engine; tests/trainer/collect.test.ts covers retries
 * over several endpoints end to end).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenSkipError } from '../../src/core/errors.ts';
import type { GenerationEvent } from '../../src/core/generation/engine.ts';
import { createOpenAiEngine } from '../../src/runtime/engines/openai/openai-engine.ts';

let server: Server;
let url = '';
const bodies: Record<string, unknown>[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(raw) as { prompt: string; max_tokens: number };
      bodies.push(body);
      if (body.prompt === 'garbage') return void res.writeHead(200).end('<html>');
      if (body.prompt === 'slow') return void setTimeout(() => res.end('{}'), 5000);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          choices: [
            {
              text: ` answer to ${body.prompt}`,
              finish_reason: body.max_tokens < 4 ? 'length' : 'stop',
            },
          ],
          usage: { prompt_tokens: 7, completion_tokens: body.max_tokens < 4 ? body.max_tokens : 3 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('OpenAI-compatible engine: the GenerationEngine contract', () => {
  it('loads at once, answers greedily with usage then done, and reports its slots', async () => {
    const engine = createOpenAiEngine({ endpoints: [url, url], model: 'm', concurrency: 3 });
    expect(engine.kind).toBe('openai');
    expect(engine.slots).toBe(6);
    const info = await engine.load();
    expect(info).toMatchObject({ kind: 'openai', modelId: 'm', device: 'remote' });
    const events: GenerationEvent[] = [];
    const result = await engine.generate('Q?', { maxNewTokens: 16 }, (e) => events.push(e));
    expect(result.text).toBe(' answer to Q?');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ promptTokens: 7, completionTokens: 3 });
    expect(events.map((e) => e.type)).toEqual(['usage', 'done']);
    expect(bodies.at(-1)).toMatchObject({
      model: 'm',
      prompt: 'Q?',
      max_tokens: 16,
      temperature: 0,
    });
  });

  it('a length-limited answer ends with finishReason "length"', async () => {
    const engine = createOpenAiEngine({ endpoints: [url], model: 'm' });
    expect((await engine.generate('Q?', { maxNewTokens: 2 })).finishReason).toBe('length');
  });

  it('garbage after every retry: an error event and a typed rejection', async () => {
    const engine = createOpenAiEngine({ endpoints: [url], model: 'm', retries: 1, backoffMs: 1 });
    const events: GenerationEvent[] = [];
    const error = await engine
      .generate('garbage', { maxNewTokens: 8 }, (e) => events.push(e))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(TokenSkipError);
    expect((error as TokenSkipError).message).toMatch(
      /completion failed after 2 attempts: .*not JSON/,
    );
    expect(events.map((e) => e.type)).toEqual(['error']);
  });

  it('cancelling resolves "cancelled", not an error, without retrying', async () => {
    const engine = createOpenAiEngine({ endpoints: [url], model: 'm', retries: 3 });
    const controller = new AbortController();
    const before = bodies.length;
    setTimeout(() => controller.abort(), 200);
    const result = await engine.generate('slow', { maxNewTokens: 8, signal: controller.signal });
    expect(result.finishReason).toBe('cancelled');
    expect(bodies.length - before).toBe(1);
  });
});
