// @ts-check
// A tiny TypeDoc plugin: a TSDoc link to another geokd package's export
// (`{@link InvalidArgumentError}` in @geokd/datasets, which imports it from @geokd/errors)
// resolves through that package's built .d.ts, which is not part of the documented project, so
// TypeDoc warned "Failed to resolve link" and printed plain text. Resolve such links to the
// export's page in the API reference instead, when exactly one documented package exports it.
import { Converter, ReflectionKind } from 'typedoc';

/** The folder typedoc-plugin-markdown writes each kind of export to. */
const KIND_FOLDERS = new Map([
  [ReflectionKind.Class, 'classes'],
  [ReflectionKind.Interface, 'interfaces'],
  [ReflectionKind.Function, 'functions'],
  [ReflectionKind.TypeAlias, 'type-aliases'],
  [ReflectionKind.Variable, 'variables'],
  [ReflectionKind.Enum, 'enumerations'],
]);

/** @param {import('typedoc').Application} app */
export function load(app) {
  /** @type {Map<string, string[]>} export name → its API pages */
  const pages = new Map();
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    pages.clear();
    for (const module of context.project.getReflectionsByKind(ReflectionKind.Module)) {
      for (const child of /** @type {import('typedoc').ContainerReflection} */ (module).children ?? []) {
        const folder = KIND_FOLDERS.get(child.kind);
        if (folder === undefined) continue;
        const list = pages.get(child.name) ?? [];
        list.push(`/api/${module.name}/${folder}/${child.name}.md`);
        pages.set(child.name, list);
      }
    }
  });
  app.converter.addUnknownSymbolResolver((ref) => {
    const path = ref.symbolReference?.path;
    if (path === undefined || path.length !== 1) return undefined;
    const candidates = pages.get(path[0].path);
    return candidates !== undefined && candidates.length === 1 ? candidates[0] : undefined;
  });
}
