import { GeokdError } from '@geokd/errors';

/**
 * Returns a Node built-in module, synchronously, without a static import (so browser bundles of
 * this package never evaluate Node built-ins). Throws a clear error outside Node.
 * @internal
 */
export function nodeBuiltin<T>(name: string, caller: string): T {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
    .process?.getBuiltinModule;
  if (typeof getBuiltin !== 'function') {
    throw new GeokdError(
      `${caller}: needs Node.js >= 20.16 (module ${name} is not available in this environment)`,
      {
        code: 'node-only',
      },
    );
  }
  return getBuiltin(name) as T;
}
