// Svelte's compiler options, read by @sveltejs/vite-plugin-svelte, svelte-check and
// eslint-plugin-svelte. Nothing is preprocessed: components use TypeScript in <script lang="ts">,
// which Svelte 5 strips natively.
/** @type {import('@sveltejs/vite-plugin-svelte').SvelteConfig} */
export default {};
