/**
 * Whether a word is written in a CJK script (or holds CJK punctuation or full-width forms). A
 * line-through crosses Han characters at their own horizontal strokes (a struck 了 reads as 子, a
 * struck ， as 一), so the heat maps and the alignment mark dropped CJK words another way (see the `.cjk` rules in HeatMap.svelte and AlignedCot.svelte).
 */
const CJK =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u;

export function isCjk(text: string): boolean {
  return CJK.test(text);
}
