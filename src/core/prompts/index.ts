/** TokenSkip prompt formats and γ handling (docs/method.md#tokenskip-pipeline). */
export * from './formats.ts';
export * from './gamma.ts';
export * from './build-prompt.ts';
