/** TokenSkip prompt formats and γ handling (see REFERENCE.md section 1). */
export * from './formats.ts';
export * from './gamma.ts';
export * from './build-prompt.ts';
