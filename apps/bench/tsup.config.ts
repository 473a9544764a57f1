import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/cli.ts'],
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
  banner: {
    // The bundled tfjs-core gradient modules are ESM; `require` is for the CommonJS they import.
    js: "#!/usr/bin/env node\nimport { createRequire as __geokdCreateRequire } from 'node:module';\nconst require = __geokdCreateRequire(import.meta.url);",
  },
  // tfjs-core's gradient registrations exist only as ESM modules: bundle them (see
  // src/register-gradients.ts); tfjs-core itself stays external (one engine).
  noExternal: [/^@tensorflow\/tfjs-core\/dist\/register_all_gradients/],
});
