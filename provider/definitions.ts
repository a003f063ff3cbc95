/**
 * Every resource definition by its kind (`<module>:<type>`), loaded on first use so a process serving one kind
 * never loads the others. Adapters (dynamic shims, plugin, Terraform) look definitions up here; the kinds and the
 * modules that declare them come from kinds.ts, which `npm run gen` derives from the definitions.
 */
import { definitionModules, type ResourceKind } from "./kinds";
import { BugError, type ResourceDefinition } from "./resource";

/** Keys of every resource kind, `<module>:<type>`. */
export const resourceKinds = Object.keys(definitionModules) as ResourceKind[];

const loaded = new Map<string, ResourceDefinition>();

/** The definition of a resource kind. */
export function definitionFor(kind: string): ResourceDefinition {
  let def = loaded.get(kind);
  if (!def) {
    const where = definitionModules[kind as ResourceKind] as (typeof definitionModules)[ResourceKind] | undefined;
    if (!where) throw new BugError(`unknown resource kind ${kind}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy loading by design
    def = (require(where.path) as Record<string, ResourceDefinition | undefined>)[where.exportName];
    if (!def) throw new BugError(`resource kind ${kind} has no definition export`);
    loaded.set(kind, def);
  }
  return def;
}
