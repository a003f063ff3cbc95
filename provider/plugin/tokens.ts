/**
 * The type tokens of this package's resources, in both forms the engine sees, written once: as TypeScript dynamic
 * resources (`pulumi-nodejs:dynamic/<module>:<Type>`, what `new dynamic.Resource(..., module, type)` registers) and as
 * resources of the provider plugin (`platform-credentials:<module>:<Type>`, what Python, Go, YAML and explicit-provider
 * programs register). The plugin's schema, its URN parsing and the policies (sdk/policies) all derive their tokens
 * from here, and the kinds from provider/kinds.ts (generated from the definitions). Free of other imports, so a
 * policy pack loads nothing else for it.
 */

/** The package name of the provider plugin (`pulumi package add`, `pulumi:providers:platform-credentials`). */
export const PACKAGE_NAME = "platform-credentials";

/** The package and module prefix of every TypeScript dynamic resource (fixed by `@pulumi/pulumi/dynamic`). */
const DYNAMIC_PREFIX = "pulumi-nodejs:dynamic/";

import type { ResourceKind } from "../kinds";

/** A resource kind: `<module>:<Type>` (provider/kinds.ts). */
export type { ResourceKind };

/** The dynamic-resource token of a kind: `pulumi-nodejs:dynamic/interchange:StorefrontSourceCredential`. */
export function dynamicTypeToken(kind: string): string {
  return `${DYNAMIC_PREFIX}${kind}`;
}

/** The provider-plugin token of a kind: `platform-credentials:interchange:StorefrontSourceCredential`. */
export function pluginTypeToken(kind: string): string {
  return `${PACKAGE_NAME}:${kind}`;
}

/** Both tokens of a kind, the dynamic one first: a policy for the kind must match either. */
export function typeTokensOf(kind: ResourceKind): readonly [dynamic: string, plugin: string] {
  return [dynamicTypeToken(kind), pluginTypeToken(kind)];
}

/**
 * The kind behind a plugin type token (`platform-credentials:<module>:<Type>`), or undefined for a token of another
 * package or of the wrong shape.
 */
export function kindOfPluginToken(token: string): string | undefined {
  const [pkg, module, type, ...rest] = token.split(":");
  return pkg === PACKAGE_NAME && module && type && rest.length === 0 ? `${module}:${type}` : undefined;
}
