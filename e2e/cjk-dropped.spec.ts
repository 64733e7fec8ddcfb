/**
 * Dropped Chinese words are not struck through: a line-through lands on the characters' own
 * horizontal strokes (a struck 了 reads as 子). They get a dotted underline below the glyphs;
 * dropped English words keep the line-through. Checked on the Learn heat map in both languages.
 */
import { expect, test, type Page } from '@playwright/test';

async function droppedStyles(page: Page) {
  const words = page.locator('[data-testid=learn-kept] .word[data-state=dropped]');
  await expect(words.first()).toBeVisible();
  return words.evaluateAll((els) =>
    els.map((el) => ({
      text: el.textContent ?? '',
      line: getComputedStyle(el).textDecorationLine,
    })),
  );
}

test('dropped 中文 words are underlined, not struck; English ones are struck', async ({
  page,
}, info) => {
  const cot = encodeURIComponent(
    '小明先吃了2个苹果，然后又买了3个苹果，所以现在他一共有6个苹果了。',
  );
  await page.goto(`/#/learn?rate=0.4&cot=${cot}`);
  await page.getByTestId('locale').selectOption('zh');
  await expect(page.getByTestId('learn-page')).toHaveAttribute('data-status', 'ready');
  const hanDropped = async () =>
    (await droppedStyles(page)).filter((w) => /\p{Script=Han}/u.test(w.text));
  // The worked example is re-scored in 中文 after the switch.
  await expect.poll(async () => (await hanDropped()).length).toBeGreaterThan(0);
  const han = await hanDropped();
  for (const w of han) expect(w.line, w.text).toBe('underline');
  // Full-width punctuation too: a struck ， reads as 一.
  const comma = (await droppedStyles(page)).filter((w) => w.text.includes('，'));
  for (const w of comma) expect(w.line, w.text).toBe('underline');
  await page
    .getByTestId('learn-kept')
    .screenshot({ path: info.outputPath('learn-zh-dropped.png') });

  await page.goto('/#/learn?rate=0.4');
  await page.reload();
  await page.getByTestId('locale').selectOption('en');
  await expect(page.getByTestId('learn-page')).toHaveAttribute('data-status', 'ready');
  const latinDropped = async () =>
    (await droppedStyles(page)).filter((w) => /\p{Script=Latin}/u.test(w.text));
  await expect.poll(async () => (await latinDropped()).length).toBeGreaterThan(0);
  const latin = await latinDropped();
  for (const w of latin) expect(w.line, w.text).toBe('line-through');
});
