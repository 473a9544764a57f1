// @ts-check
// A tiny TypeDoc plugin: in "resolve" mode TypeDoc names each entry point after its path
// ("kd-losses/src", "trainer/src/node"); rename the modules after their npm package and subpath
// export ("@geokd/kd-losses", "@geokd/trainer/node").
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const reflection of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      const match = /^([^/]+)\/src(?:\/([^/]+))?$/.exec(reflection.name);
      if (match) reflection.name = `@geokd/${match[1]}${match[2] ? `/${match[2]}` : ''}`;
    }
  });
}
