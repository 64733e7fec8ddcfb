/**
 * The words of a CoT as people read them, the unit of the heat maps' comparisons and of TinyArith's
 * word roles: runs of characters between spaces, except that every CJK character and CJK
 * punctuation mark is a word of its own. Chinese has no spaces, and BERT-style scorers (mBERT's
 * `tokenize_chinese_chars`) split it into characters the same way. For text without CJK this is
 * exactly a split on whitespace.
 *
 *   textWords('他有5个') // 他 有 5 个
 */
const CJK = '\\u3000-\\u303f\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef';
const WORD = new RegExp(`[${CJK}]|[^\\s${CJK}]+`, 'gu');
const SPACE_BY_CJK = new RegExp(`(?<=[${CJK}]) +| +(?=[${CJK}])`, 'gu');

export interface TextWord {
  text: string;
  /** UTF-16 offsets in the text. */
  start: number;
  end: number;
}

export function textWords(text: string): TextWord[] {
  return Array.from(text.matchAll(WORD), (m) => ({
    text: m[0],
    start: m.index,
    end: m.index + m[0].length,
  }));
}

/** Removes the spaces that touch a CJK character: "小 明 有 5 个" -> "小明有5个". */
export function joinCjkText(text: string): string {
  return text.replace(SPACE_BY_CJK, '');
}
