/**
 * The Learn page (the home route) on WASM: a first visit shows the worked example scored without
 * typing; 中文 replaces every English word in the main region and survives a reload; and the
 * Compress flow works by keyboard alone.
 */
import { expect, test } from '@playwright/test';

//: the webgpu project skips these; one project is enough.
test.describe('Learn and keyboard', () => {
  test('the first visit to / shows the Learn page with a scored result, no typing', async ({
    page,
  }) => {
    const started = Date.now();
    await page.goto('/');
    await expect(page.getByTestId('learn-page')).toBeVisible();
    await expect(page.getByTestId('nav-learn')).toHaveAttribute('aria-current', 'page');
    const words = page.locator('[data-testid=learn-scores] .word');
    // A few seconds on an idle machine; the bound leaves room for a busy CI host.
    await expect(words.first()).toBeVisible({ timeout: 45_000 });
    const seconds = (Date.now() - started) / 1000;
    test.info().annotations.push({ type: 'first scored result', description: `${seconds} s` });
    expect(seconds).toBeLessThan(45);
    await expect(words.first()).toHaveAttribute('aria-label', /keep-probability 0\.\d\d/);
    await expect(page.getByTestId('learn-compressed')).not.toBeEmpty();

    // γ re-thresholds: more words kept at a larger γ, without a new scoring.
    const kept = page.locator('[data-testid=learn-kept] [data-kept="1"]');
    const before = await kept.count();
    await page.getByTestId('learn-gamma-slider').fill('1');
    await expect(page.getByTestId('learn-gamma')).toHaveText('1.00');
    await expect.poll(() => kept.count()).toBeGreaterThan(before);
  });

  test('the first paint shows the reference scores, labelled, and the live scores replace them: the same kept words', async ({
    page,
  }) => {
    const article = page.getByTestId('learn-page');
    const label = page.getByTestId('learn-scores-source');
    const words = page.locator('[data-testid=learn-scores] .word');
    for (const [locale, reference, live] of [
      ['en', /shipped reference run.*the scorer is loading in this browser/, /computed just now/],
      ['zh', /随应用提供的参考运行.*评分模型正在本浏览器中加载/, /刚刚算出/],
    ] as const) {
      await page.addInitScript((l) => localStorage.setItem('tokenskip.locale', l), locale);
      // A new document each time (a hash change alone would keep the loaded scorer).
      await page.goto('about:blank');
      await page.goto('/#/learn?rate=0.6');
      // Before the scorer has loaded: the reference, said to be one, never as live.
      await expect(article).toHaveAttribute('data-scores-source', 'reference');
      await expect(article).not.toHaveAttribute('data-status', 'ready');
      await expect(label).toHaveText(reference);
      await expect(label).toHaveAttribute('data-source', 'reference');
      await expect(words.first()).toBeVisible();
      const compressed = page.getByTestId('learn-compressed');
      await expect(compressed).not.toBeEmpty();
      const shown = {
        words: await words.allInnerTexts(),
        compressed: await compressed.innerText(),
        kept: await page
          .locator('[data-testid=learn-kept] .word')
          .evaluateAll((ws) => ws.map((w) => w.getAttribute('data-kept'))),
      };
      expect(await article.getAttribute('data-scores-source')).toBe('reference');
      // The live scores from the model in this browser replace them, and agree.
      await expect(article).toHaveAttribute('data-scores-source', 'live', { timeout: 60_000 });
      await expect(article).toHaveAttribute('data-status', 'ready');
      await expect(label).toHaveText(live);
      expect(await words.allInnerTexts()).toEqual(shown.words);
      await expect(compressed).toHaveText(shown.compressed);
      expect(
        await page
          .locator('[data-testid=learn-kept] .word')
          .evaluateAll((ws) => ws.map((w) => w.getAttribute('data-kept'))),
      ).toEqual(shown.kept);
    }
  });

  test('scores this browser computed are shown at once on the next visit, labelled, then the live ones', async ({
    page,
  }) => {
    const article = page.getByTestId('learn-page');
    const label = page.getByTestId('learn-scores-source');
    const own = new URLSearchParams({
      question: 'Lena has 4 pears and gets 7 more. How many pears does she have?',
      cot: 'Okay, so Lena starts with 4 pears. She gets 7 more, so 4 + 7 = 11. She has 11 pears.',
    });
    await page.goto(`/#/learn?rate=0.5&${own}`);
    // Not the worked example: nothing earlier to show, so the first scores are live.
    await expect(article).toHaveAttribute('data-scores-source', 'live', { timeout: 60_000 });
    await expect(article).toHaveAttribute('data-status', 'ready');
    const compressed = await page.getByTestId('learn-compressed').innerText();
    // Kept in Cache Storage once scored.
    await expect
      .poll(() =>
        page.evaluate(async () => (await (await caches.open('tokenskip-scores-v1')).keys()).length),
      )
      .toBeGreaterThan(0);
    await page.reload();
    await expect(article).toHaveAttribute('data-scores-source', 'cached');
    await expect(label).toHaveText(/this browser computed on an earlier visit.*is loading/);
    await expect(page.getByTestId('learn-compressed')).toHaveText(compressed);
    await expect(article).toHaveAttribute('data-scores-source', 'live', { timeout: 60_000 });
    await expect(label).toHaveText(/computed just now/);
    await expect(page.getByTestId('learn-compressed')).toHaveText(compressed);
    // Another text has no earlier scores: none are shown for it until it is scored.
    await page.getByTestId('learn-page').locator('details.own > summary').click();
    await page.getByTestId('learn-cot').fill('So she has 11 pears in all, 4 + 7 = 11.');
    await page.getByTestId('learn-score').click();
    await expect(article).toHaveAttribute('data-status', 'ready');
    await expect(article).toHaveAttribute('data-scores-source', 'live');
    await expect(page.locator('[data-testid=learn-scores] .word').first()).toHaveText('So');
  });

  test('the worked example compresses as the mini training data was: every number kept, in 中文 by whole words; Compress opens on the same result', async ({
    page,
  }) => {
    for (const locale of ['en', 'zh']) {
      await page.goto('/#/learn?rate=0.5');
      await page.getByTestId('locale').selectOption(locale);
      await expect(page.getByTestId('learn-page')).toHaveAttribute('data-status', 'ready');
      const compressed = page.getByTestId('learn-compressed');
      await expect(compressed).not.toBeEmpty();
      const text = await compressed.innerText();
      // 5, 3, 8, 2, 6 and the operators of "5 + 3 = 8" and "8 - 2 = 6" all stay.
      expect(text.match(/\d+/g)).toEqual(['5', '3', '5', '3', '8', '2', '8', '2', '6', '6']);
      expect(text).toContain('5 + 3 = 8');
      if (locale === 'zh') {
        expect(text).not.toMatch(/\p{Script=Han} +\p{Script=Han}/u);
        const words = await page.locator('[data-testid=learn-scores] .word').allInnerTexts();
        expect(words.some((w) => /^\p{Script=Han}{2,}$/u.test(w.trim()))).toBe(true);
      }
      await page.getByTestId('learn-page').locator('a[href*="digits=1"]').first().click();
      await expect(page.getByTestId('compressed')).toHaveText(text);
    }
  });

  test('中文 leaves no English in the main region and survives a reload', async ({ page }) => {
    await page.goto('/#/learn');
    await expect(page.locator('[data-testid=learn-scores] .word').first()).toBeVisible();
    await page.getByTestId('locale').selectOption('zh');
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-Hans');
    await expect(page.getByTestId('learn-page')).toHaveAttribute('data-status', 'ready');
    // Names of methods, models, datasets and formats stay as they are written in papers.
    const allowed = new Set(
      [
        'TokenSkip',
        'TinyArith',
        'LLMLingua',
        'CTS',
        'LoRA',
        'arXiv',
        'Xia',
        'Zhang',
        'eot',
        'log',
        'WebGPU',
        'cividis',
      ].map((w) => w.toLowerCase()),
    );
    const englishWords = async () =>
      ((await page.locator('main').innerText()).match(/[A-Za-z]{3,}/g) ?? []).filter(
        (w) => !allowed.has(w.toLowerCase()),
      );
    await expect.poll(englishWords).toEqual([]);
    await page.reload();
    await expect(page.getByTestId('locale')).toHaveValue('zh');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('TokenSkip 如何压缩思维链');
    await expect(page.getByTestId('learn-page')).toHaveAttribute('data-status', 'ready');
    await expect.poll(englishWords).toEqual([]);
  });

  test('the Compress flow works by keyboard alone', async ({ page }) => {
    await page.goto('/#/compress?model=tiny-lingua-xlmr&backend=wasm&rate=0.5');
    await expect(page.getByTestId('compressed')).toBeVisible();
    // From the top of the page, Tab to the CoT field and type a new one.
    await page.keyboard.press('Tab'); // skip link
    await page.keyboard.press('Enter'); // to the main region
    const cot = page.getByTestId('cot');
    for (let i = 0; i < 15 && !(await cot.evaluate((el) => el === document.activeElement)); i++)
      await page.keyboard.press('Tab');
    await expect(cot).toBeFocused();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('Tom has 3 pens. He buys 4 more, so he has 3 + 4 = 7 pens.');
    // On to the γ slider: arrow keys move it.
    const slider = page.getByTestId('gamma-slider');
    for (let i = 0; i < 15 && !(await slider.evaluate((el) => el === document.activeElement)); i++)
      await page.keyboard.press('Tab');
    await expect(slider).toBeFocused();
    await page.keyboard.press('ArrowRight');
    await expect(page.getByTestId('gamma')).toHaveText('0.55');
    // Compress is the next stop; Enter runs it.
    await page.keyboard.press('Tab');
    await expect(page.getByTestId('compress')).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('compressed')).toContainText('pens');
    // The heat map is one Tab stop; arrow keys walk its words, each announcing its probability.
    const words = page.locator('[data-testid=heatmap] .word');
    await words.first().focus();
    await page.keyboard.press('ArrowRight');
    await expect(words.nth(1)).toBeFocused();
    await expect(words.nth(1)).toHaveAttribute('aria-label', /keep-probability/);
    await expect(words.nth(1)).toHaveAttribute('tabindex', '0');
    await expect(words.nth(0)).toHaveAttribute('tabindex', '-1');
  });

  test('an unknown route or URL setting says so and the page works on', async ({ page }) => {
    await page.goto('/#/nowhere');
    await expect(page.getByTestId('route-notice')).toContainText('nowhere');
    await expect(page.getByTestId('learn-page')).toBeVisible();
    await page.goto('/#/compress?bogus=1&rate=0.5&model=tiny-lingua-xlmr');
    await expect(page.getByTestId('route-notice')).toContainText('bogus');
    await expect(page.getByTestId('compressed')).toBeVisible();
  });

  test('a 1 MB paste gets a clear message and keeps the other fields', async ({ page }) => {
    await page.goto('/#/compress?model=tiny-lingua-xlmr&backend=wasm');
    await expect(page.getByTestId('compressed')).toBeVisible();
    await page.getByTestId('question').fill('My question stays.');
    await page.getByTestId('cot').fill('word '.repeat(210_000));
    await page.getByTestId('compress').click();
    await expect(page.getByTestId('error')).toHaveAttribute('data-code', 'INPUT_TOO_LARGE');
    await expect(page.getByTestId('question')).toHaveValue('My question stays.');
    await page.getByTestId('cot').fill('Short again: 2 + 2 = 4.');
    await page.getByTestId('compress').click();
    await expect(page.getByTestId('compressed')).toContainText('4');
    await expect(page.getByTestId('error')).toHaveCount(0);
  });
});
