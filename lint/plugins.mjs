// The lint toolchain, imported by ../eslint.config.mjs. It lives in this workspace because
// typescript-eslint and eslint-plugin-import-x need the TypeScript compiler API (typescript 6.0,
// installed here), while the root's typescript is 7, which has none: importing them from here makes
// Node resolve `typescript` to this folder's copy.
export { default as js } from '@eslint/js';
export { default as tseslint } from 'typescript-eslint';
export { default as importX, createNodeResolver } from 'eslint-plugin-import-x';
export { default as eslintComments } from '@eslint-community/eslint-plugin-eslint-comments/configs';
export { default as reactHooks } from 'eslint-plugin-react-hooks';
export { default as nextPlugin } from '@next/eslint-plugin-next';
export { default as prettierConfig } from 'eslint-config-prettier/flat';
export { default as globals } from 'globals';
