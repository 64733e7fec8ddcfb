/**
 * `npm run bench:peer -- --browser`: both sides in ONE Chromium page (one worker of the
 * crossOriginIsolated bench harness page, bench/browser/), WASM first, then WebGPU where this
 * Chromium has it (SwiftShader here: a CPU rasteriser, so fewer texts). The worker runs the same
 * comparison as the Node bench (bench/peer/sides.ts); Node prints it.
 */
import path from 'node:path';
import { repoRoot } from '../../src/runtime/hub/node/model-files.ts';
import type { PeerBrowserReport, PeerBrowserRequest } from '../browser/protocol.ts';
import { formatPeerReport, medianLengthText, type PeerRunRequest } from './sides.ts';

interface Setup {
  modelsDir: string;
  modelName: string;
  threads: number;
  /** WASM in a browser is slower than Node on this machine: a subset keeps the run in minutes. */
  browserTexts: number;
  header: (where: string) => void;
}

export async function browserMain(request: PeerRunRequest, setup: Setup): Promise<void> {
  const { startHarness } = await import('../browser/server.ts');
  const harness = await startHarness({
    mounts: {
      models: setup.modelsDir,
      // transformers.js 4.3.1 pins its own onnxruntime-web build; serve that one, not ours.
      'peer-ort': path.join(
        repoRoot,
        'node_modules/@huggingface/transformers/node_modules/onnxruntime-web/dist',
      ),
    },
    include: ['@huggingface/transformers', '@atjsh/llmlingua-2'],
  });
  const gpuTexts = Number(process.env.BENCH_GPU_TEXTS ?? 6);
  try {
    for (const backend of ['wasm', 'webgpu'] as const) {
      if (backend === 'webgpu' && process.env.BENCH_SKIP_WEBGPU === '1') continue;
      const page = await harness.open(backend);
      if (backend === 'webgpu') {
        const hasGpu = await page.evaluate(async () => {
          const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<unknown> } })
            .gpu;
          return Boolean(gpu && (await gpu.requestAdapter()));
        });
        if (!hasGpu) {
          console.log(
            '\nbench:peer --browser: no WebGPU adapter in this Chromium; WebGPU skipped.',
          );
          await page.close();
          continue;
        }
      }
      const texts = request.texts.slice(0, backend === 'webgpu' ? gpuTexts : setup.browserTexts);
      const req: PeerBrowserRequest = {
        ...request,
        texts,
        latencyText: medianLengthText(texts),
        ...(backend === 'webgpu' ? { rounds: 1, latencyRuns: 3 } : {}),
        backend,
        threads: setup.threads,
        modelsBase: '/bench-mount/models/',
        modelName: setup.modelName,
        peerOrtBase: '/bench-mount/peer-ort/',
      };
      const report = await page.evaluate(
        (r) =>
          (
            globalThis as unknown as {
              harness: { peer(r: PeerBrowserRequest): Promise<PeerBrowserReport> };
            }
          ).harness.peer(r),
        req,
      );
      await page.close();
      setup.header(
        `ONE Chromium page, ${backend === 'wasm' ? `WASM, ${setup.threads} thread(s)` : 'WebGPU (SwiftShader)'} on both sides ` +
          (report.ortVersions.peer === 'shared'
            ? `(one onnxruntime-web ${report.ortVersions.ours} instance serves both; the peer through transformers.js 4.3.1), `
            : `(ours onnxruntime-web ${report.ortVersions.ours}, the peer transformers.js 4.3.1's own onnxruntime-web), `) +
          `crossOriginIsolated=${report.crossOriginIsolated}`,
      );
      console.log(
        `  load: ours ${report.loadMs.ours.toFixed(0)} ms, peer ${report.loadMs.peer.toFixed(0)} ms`,
      );
      for (const line of formatPeerReport(report, req, report.latencyTokens)) console.log(line);
      if (report.identical !== report.compared) process.exitCode = 1;
    }
  } finally {
    await harness.close();
  }
}
