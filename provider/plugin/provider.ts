/**
 * The provider plugin (PulumiPlugin.yaml): the same resource definitions served as a real Pulumi provider, for
 * Python, Go, .NET and YAML programs. It reuses the dynamic adapter's translation (unknowns, partial failures,
 * gone-on-read) and adds what a real provider must do itself: it receives secrets wrapped, unwraps them for the
 * core, and returns every secret output wrapped so it stays secret.
 */
import type * as provider from "@pulumi/pulumi/provider";
import { configureProvider } from "../context";
import { definitionFor } from "../definitions";
import type { ResourceDefinition } from "../resource";
import { packageVersion } from "../version";
import * as adapter from "../pulumi/adapter";
import { buildPackageSchema, PACKAGE_NAME } from "./schema";

/** The signature key and value Pulumi uses to mark a secret in a `Struct` (`{[SIG]: SECRET, value}`). */
export const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
/** @see SECRET_SIGNATURE_KEY */
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

function isWrappedSecret(v: unknown): v is { value: unknown } {
  return !!v && typeof v === "object" && (v as Record<string, unknown>)[SECRET_SIGNATURE_KEY] === SECRET_SIGNATURE;
}

/** Deeply unwrap secrets; returns the plain value and the dotted paths that were secret. */
export function unwrapSecrets(value: unknown, path = "", found: Set<string> = new Set()): { value: unknown; secretPaths: Set<string> } {
  if (isWrappedSecret(value)) {
    found.add(path);
    return { value: unwrapSecrets(value.value, path, found).value, secretPaths: found };
  }
  if (Array.isArray(value)) {
    return { value: value.map((v, i) => unwrapSecrets(v, `${path}[${i}]`, found).value), secretPaths: found };
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = unwrapSecrets(v, path ? `${path}.${k}` : k, found).value;
    return { value: out, secretPaths: found };
  }
  return { value, secretPaths: found };
}

function wrap(value: unknown): unknown {
  return value === undefined ? undefined : { [SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE, value };
}

/** Wrap the value at each dotted path of `state` (missing paths are skipped). */
export function wrapSecretPaths(state: Record<string, unknown>, paths: Iterable<string>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(state);
  for (const path of paths) {
    const parts = path.split(".");
    let cur: Record<string, unknown> | undefined = out;
    for (const part of parts.slice(0, -1)) {
      const next: unknown = cur?.[part];
      cur = next && typeof next === "object" && !isWrappedSecret(next) ? (next as Record<string, unknown>) : undefined;
    }
    const last = parts[parts.length - 1]!;
    if (cur && last in cur && cur[last] !== undefined && !isWrappedSecret(cur[last])) cur[last] = wrap(cur[last]);
  }
  return out;
}

/** The definition behind a URN (`urn:pulumi:stack::project::platform-credentials:interchange:Type::name`). */
export function definitionOfUrn(urn: string): { kind: string; def: ResourceDefinition } {
  const qualifiedType = urn.split("::")[2] ?? "";
  const type = qualifiedType.split("$").pop() ?? "";
  const [pkg, module, name] = type.split(":");
  if (pkg !== PACKAGE_NAME || !module || !name) throw new Error(`${type} is not a resource of ${PACKAGE_NAME}`);
  const kind = `${module}:${name}`;
  return { kind, def: definitionFor(kind) };
}

function secretPathsFor(def: ResourceDefinition, inputSecrets: Set<string>): Set<string> {
  return new Set([...def.secretInputs, ...def.secretOutputs, ...inputSecrets]);
}

function plain(v: unknown): Record<string, unknown> {
  return (unwrapSecrets(v ?? {}).value ?? {}) as Record<string, unknown>;
}

/**
 * Stack config for the plugin: the engine gives a plugin no `configure` config, so credentials come from
 * `PULUMI_CONFIG` (JSON of the stack config) and then the environment.
 */
function configureFromEnvironment(): void {
  let config: Record<string, unknown> = {};
  try {
    config = JSON.parse(process.env.PULUMI_CONFIG ?? "{}") as Record<string, unknown>;
  } catch {
    // A malformed PULUMI_CONFIG is ignored: the environment variables still apply.
  }
  configureProvider((key) => (typeof config[key] === "string" ? (config[key] as string) : undefined));
}

/** The provider object served by `@pulumi/pulumi/provider`'s `main`. */
export function createPluginProvider(): provider.Provider {
  configureFromEnvironment();
  return {
    version: packageVersion(),
    getSchema: async () => JSON.stringify(buildPackageSchema()),

    async check(urn, olds, news) {
      const { kind } = definitionOfUrn(urn);
      const { value, secretPaths } = unwrapSecrets(news ?? {});
      const result = await adapter.check(kind, plain(olds), value as Record<string, unknown>);
      const def = definitionFor(kind);
      const inputs = wrapSecretPaths(result.inputs as Record<string, unknown>, [...def.secretInputs, ...secretPaths]);
      return { inputs, failures: result.failures ?? [] };
    },

    async diff(id, urn, olds, news) {
      const { kind } = definitionOfUrn(urn);
      return adapter.diff(kind, id, plain(olds), plain(news));
    },

    async create(urn, inputs) {
      const { kind, def } = definitionOfUrn(urn);
      const { value, secretPaths } = unwrapSecrets(inputs ?? {});
      try {
        const result = await adapter.create(kind, value as Record<string, unknown>);
        return { id: result.id, outs: wrapSecretPaths(result.outs ?? {}, secretPathsFor(def, secretPaths)) };
      } catch (err) {
        throw wrapPartialFailure(err, def, secretPaths);
      }
    },

    async read(id, urn, props) {
      const { kind, def } = definitionOfUrn(urn);
      const { value, secretPaths } = unwrapSecrets(props ?? {});
      const result = await adapter.read(kind, id, value as Record<string, unknown>);
      if (!result.id) return { id: "", props: {} };
      const paths = secretPathsFor(def, secretPaths);
      return {
        id: result.id,
        props: wrapSecretPaths(result.props ?? {}, paths),
        inputs: wrapSecretPaths((result as { inputs?: Record<string, unknown> }).inputs ?? {}, paths),
      };
    },

    async update(id, urn, olds, news) {
      const { kind, def } = definitionOfUrn(urn);
      const { value, secretPaths } = unwrapSecrets(news ?? {});
      try {
        const result = await adapter.update(kind, id, plain(olds), value as Record<string, unknown>);
        return { outs: wrapSecretPaths(result.outs ?? {}, secretPathsFor(def, secretPaths)) };
      } catch (err) {
        throw wrapPartialFailure(err, def, secretPaths);
      }
    },

    async delete(id, urn, props) {
      const { kind } = definitionOfUrn(urn);
      await adapter.remove(kind, id, plain(props));
    },
  };
}

// A partial failure's properties are stored as the resource's state: wrap its secrets too.
function wrapPartialFailure(err: unknown, def: ResourceDefinition, inputSecrets: Set<string>): unknown {
  const e = err as { id?: string; properties?: Record<string, unknown> };
  if (e && typeof e === "object" && e.id && e.properties) {
    e.properties = wrapSecretPaths(e.properties, secretPathsFor(def, inputSecrets));
  }
  return err;
}
