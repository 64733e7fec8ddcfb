/**
 * The served app carries its Content-Security-Policy and nosniff, and works under them: the Compress
 * page loads its worker, ORT's WebAssembly and the fixture model and scores, with no violation.
 */
import { expect, test } from '@playwright/test';

test(
  'the app is served with a CSP and nosniff, and the Compress page works under it',
  { tag: '@webgpu' },
  async ({ page }) => {
    await page.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { __cspViolations: string[] }).__cspViolations = seen;
      document.addEventListener('securitypolicyviolation', (e) =>
        seen.push(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    const response = await page.goto(
      '/#/compress?model=tiny-lingua-xlmr&backend=wasm&example=gsm8k-test:3&rate=0.6&run=1',
    );
    const headers = response!.headers();
    expect(headers['content-security-policy']).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(headers['content-security-policy']).toContain("object-src 'none'");
    expect(headers['x-content-type-options']).toBe('nosniff');
    await expect(page.getByTestId('compressed')).toBeVisible();
    await expect(page.getByTestId('backend')).toHaveText('WASM');
    expect(
      await page.evaluate(
        () => (window as unknown as { __cspViolations: string[] }).__cspViolations,
      ),
    ).toEqual([]);
    // An inline script is refused: the policy is enforced, not just sent.
    const ran = await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.append(s);
      return (window as unknown as { __inline?: number }).__inline ?? 0;
    });
    expect(ran).toBe(0);
  },
);
