/**
 * Reference causal LMs the Compress page offers for CTS and perplexity. Any causal LM in the
 * transformers.js layout works: pick "Other" and give its folder URL (for example a hub
 * `.../resolve/main` URL of an ONNX export).
 */
export interface ReferenceModelOption {
  /** Folder URL, relative to the app or absolute. */
  url: string;
  label: string;
}

export const referenceModels: ReferenceModelOption[] = [
  {
    url: 'models/fixtures/tiny-qwen2',
    label: 'Tiny Qwen2-style fixture (offline demo, not a real reference model)',
  },
];
