/**
 * Playwright e2e config: Debian's Chromium (Playwright cannot download browsers here), the built app
 * served by `vite preview` on loopback. Two projects: `wasm`, with WebGPU unavailable so the app must
 * fall back to WASM, runs every spec except those tagged `@webgpu-only`; `webgpu` (WebGPU on
 * SwiftShader, about ten times slower) runs only the specs whose behaviour depends on the engine
 * path: tagged `@webgpu` (both projects) or `@webgpu-only`. Page logic (forms, resume, downloads,
 * translations, layout) does not change with the backend, so it runs once, on `wasm`.
 */
import { defineConfig } from '@playwright/test';
import { chromiumArgs, chromiumPath } from './e2e/harness/chromium.ts';

const executablePath = chromiumPath;
const port = Number(process.env.E2E_PORT ?? 4317);

export default defineConfig({
  testDir: 'e2e',
  timeout: 180_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: process.env.CI ? 'list' : [['list']],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'off',
    // The built app registers a precaching service worker; only e2e/offline.spec.ts lets it run,
    // so the other specs see the network as the page does.
    serviceWorkers: 'block',
  },
  webServer: {
    // dist/ as the unit tests left it when the sources are unchanged (tests/helpers/app-build.ts
    // builds only when they changed): one `vite build` per `npm test`.
    command: `npx tsx tests/helpers/app-build.ts && npx vite preview --host 127.0.0.1 --port ${port} --strictPort`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 600_000,
  },
  projects: [
    {
      name: 'webgpu',
      grep: /@webgpu/,
      use: { launchOptions: { executablePath, args: chromiumArgs('webgpu') } },
    },
    {
      name: 'wasm',
      grepInvert: /@webgpu-only/,
      use: { launchOptions: { executablePath, args: chromiumArgs('wasm') } },
    },
  ],
});
