/**
 * Every resource definition by its key (`<module>:<type>`), loaded on first use so a process serving one kind
 * never loads the others. Adapters (dynamic shims, plugin, Terraform) look definitions up here.
 */
import { BugError, type ResourceDefinition } from "./resource";

/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading by design */
const loaders: Record<string, () => ResourceDefinition> = {
  "interchange:StorefrontSourceCredential": () =>
    require("./interchange/storefrontSourceCredential").storefrontSourceCredential,
  "interchange:DataDeliveryCredential": () => require("./interchange/dataDeliveryCredential").dataDeliveryCredential,
  "commercelayer:ApiCredential": () => require("./commercelayer/apiCredential").apiCredential,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Keys of every resource kind, `<module>:<type>`. */
export const resourceKinds = Object.keys(loaders);

const loaded = new Map<string, ResourceDefinition>();

/** The definition of a resource kind. */
export function definitionFor(kind: string): ResourceDefinition {
  let def = loaded.get(kind);
  if (!def) {
    const load = loaders[kind];
    if (!load) throw new BugError(`unknown resource kind ${kind}`);
    def = load();
    if (!def) throw new BugError(`resource kind ${kind} has no definition export`);
    loaded.set(kind, def);
  }
  return def;
}
