/**
 * The worked examples in front of a class: on the Learn page, in English and in 中文, the shipped
 * TokenSkip-mini answers the canonical question right at γ = 1 and at γ = 0.6, and the γ = 0.6
 * CoT is the shorter one. Greedy decoding, so the answer is the same every time. No speedup is
 * claimed from the one question.
 */
import { expect, test } from '@playwright/test';

test.describe('Learn: the worked examples are answered right', () => {
  for (const locale of ['en', 'zh']) {
    test(`in ${locale}, at γ = 1 and γ = 0.6`, async ({ page }) => {
      test.slow();
      await page.goto('/#/learn?rate=0.6');
      await page.getByTestId('locale').selectOption(locale);
      await expect(page.getByTestId('learn-page')).toHaveAttribute('data-status', 'ready');
      await page.getByTestId('learn-ask').click();
      const full = page.getByTestId('learn-run-full');
      const compressed = page.getByTestId('learn-run-compressed');
      await expect(full).toHaveAttribute('data-answer', '6', { timeout: 120_000 });
      await expect(compressed).toHaveAttribute('data-answer', '6', { timeout: 120_000 });
      const fullText = await full.locator('pre').textContent();
      const shortText = await compressed.locator('pre').textContent();
      expect(shortText!.length).toBeLessThan(fullText!.length);

      // The answer box is typeset by KaTeX, not shown as `$\boxed{6}$`; the raw text is one
      // keyboard press away, and back.
      expect(fullText).toContain('\\boxed{6}');
      const rendered = full.getByTestId('math-rendered');
      await expect(rendered.locator('.katex .boxpad', { hasText: '6' })).toBeVisible();
      const plain = (await rendered.locator(':scope > span:not(.tex)').allTextContents()).join('');
      expect(plain).not.toMatch(/\\boxed|\$/);
      await expect(rendered.locator('.katex-html').first()).not.toContainText('\\boxed');
      await expect(full.locator('pre')).toBeHidden();
      const toggle = full.getByTestId('math-toggle');
      await expect(toggle).toHaveText(locale === 'zh' ? '原始文本' : 'Raw text');
      await toggle.focus();
      await page.keyboard.press('Enter');
      await expect(toggle).toHaveAttribute('aria-pressed', 'true');
      await expect(full.locator('pre')).toBeVisible();
      await expect(full.locator('pre')).toContainText('\\boxed{6}');
      await expect(rendered).toBeHidden();
      await page.keyboard.press('Space');
      await expect(toggle).toHaveAttribute('aria-pressed', 'false');
      await expect(full.getByTestId('math-rendered').locator('.katex').first()).toBeVisible();
      // One question per γ: no measured speedup, and the page says why and where it is measured.
      await expect(page.getByTestId('learn-no-speedup')).toBeVisible();
      await expect(page.getByTestId('learn-no-speedup').getByRole('link')).toHaveAttribute(
        'href',
        '#/benchmark',
      );
    });
  }
});
