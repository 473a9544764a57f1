// Resolve hook: tfjs-core's dist/register_all_gradients.js (ESM) imports files without the `.js`
// extension, which Node's ESM loader rejects. Retry such relative imports with `.js` (or
// `/index.js`) added.
const RETRY = new Set(['ERR_MODULE_NOT_FOUND', 'ERR_UNSUPPORTED_DIR_IMPORT']);

export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    if (!RETRY.has(error?.code) || !specifier.startsWith('.') || specifier.endsWith('.js')) throw error;
    try {
      return await nextResolve(`${specifier}.js`, context);
    } catch {
      return nextResolve(`${specifier}/index.js`, context);
    }
  }
}
