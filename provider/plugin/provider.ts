/**
 * The provider plugin (PulumiPlugin.yaml): the same resource definitions served as a real Pulumi provider, for
 * Python, Go, .NET and YAML programs. It reuses the dynamic adapter's translation (unknowns, partial failures,
 * gone-on-read) and adds what a real provider must do itself:
 * - `@pulumi/pulumi/provider`'s server answers Configure with `acceptSecrets: true` (and resources, outputs), so the
 *   engine sends secret inputs wrapped (`{[SIG]: SECRET, value}`) and, unlike for the dynamic host, does not mark
 *   outputs secret itself: every secret output must come back wrapped or it lands in state in plain text.
 * - The server never hands the Configure request to the provider object, so stack config reaches the plugin only
 *   through `PULUMI_CONFIG` (when the engine sets it) and the environment (SCOPE3_API_KEY, COMMERCELAYER_*, ...).
 * - It does not set `supportsPreview`, so the engine does not call Create/Update during previews.
 */
import type * as provider from "@pulumi/pulumi/provider";
import { configureProvider } from "../context";
import { definitionFor } from "../definitions";
import type { ResourceDefinition } from "../resource";
import { packageVersion } from "../version";
import * as adapter from "../pulumi/adapter";
import { buildPackageSchema, PACKAGE_NAME } from "./schema";

/** The key that marks a special value in Pulumi's RPC property encoding (`@pulumi/pulumi/runtime/rpc`). */
export const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
/** The signature value of a secret: `{[SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE, value}`. */
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
/** The signature value of an output value (`{[KEY]: OUTPUT_SIGNATURE, value?, secret?, dependencies?}`). */
export const OUTPUT_VALUE_SIGNATURE = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

type PathSegment = string | number;

function signatureOf(v: unknown): unknown {
  return v && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)[SECRET_SIGNATURE_KEY]
    : undefined;
}

function pathText(segments: readonly PathSegment[]): string {
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

/** `destination.sasToken` → ["destination", "sasToken"]; `sources[0].id` → ["sources", 0, "id"]. */
function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  for (const part of path.split(".")) {
    const match = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!match) {
      segments.push(part);
      continue;
    }
    if (match[1]) segments.push(match[1]);
    for (const index of (match[2] ?? "").matchAll(/\[(\d+)\]/g)) segments.push(Number(index[1]));
  }
  return segments;
}

function unwrapAt(value: unknown, path: PathSegment[], found: Set<string>): unknown {
  const signature = signatureOf(value);
  if (signature === SECRET_SIGNATURE) {
    found.add(pathText(path));
    return unwrapAt((value as { value?: unknown }).value, path, found);
  }
  if (signature === OUTPUT_VALUE_SIGNATURE) {
    // Output values only reach providers that accept outputs; an output without a value is unknown (preview).
    const output = value as { value?: unknown; secret?: boolean };
    if (output.secret) found.add(pathText(path));
    return "value" in output ? unwrapAt(output.value, path, found) : adapter.UNKNOWN_SENTINEL;
  }
  if (Array.isArray(value)) return value.map((v, i) => unwrapAt(v, [...path, i], found));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = unwrapAt(v, [...path, k], found);
    return out;
  }
  return value;
}

/**
 * Deeply unwrap secrets (and output values) as the engine sends them; returns the plain value and the paths that
 * were secret (`auth`, `destination.sasToken`, `tags[0]`).
 */
export function unwrapSecrets(value: unknown): { value: unknown; secretPaths: Set<string> } {
  const secretPaths = new Set<string>();
  return { value: unwrapAt(value, [], secretPaths), secretPaths };
}

function wrap(value: unknown): unknown {
  return { [SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE, value };
}

/**
 * A copy of `state` with the value at each path wrapped as a secret. Paths that are missing or hold undefined are
 * skipped; a value inside an already wrapped secret is left alone (it is secret already).
 */
export function wrapSecretPaths(state: Record<string, unknown>, paths: Iterable<string>): Record<string, unknown> {
  const out = structuredClone(state);
  for (const path of paths) {
    const segments = parsePath(path);
    const last = segments.pop();
    if (last === undefined) continue;
    let container: unknown = out;
    for (const segment of segments) {
      if (!container || typeof container !== "object" || signatureOf(container) === SECRET_SIGNATURE) {
        container = undefined;
        break;
      }
      container = (container as Record<PathSegment, unknown>)[segment];
    }
    if (!container || typeof container !== "object" || signatureOf(container) === SECRET_SIGNATURE) continue;
    const holder = container as Record<PathSegment, unknown>;
    const current = holder[last];
    if (current !== undefined && signatureOf(current) !== SECRET_SIGNATURE) holder[last] = wrap(current);
  }
  return out;
}

/** The definition behind a URN (`urn:pulumi:stack::project::platform-credentials:interchange:Type::name`). */
export function definitionOfUrn(urn: string): { kind: string; def: ResourceDefinition } {
  const qualifiedType = urn.split("::")[2] ?? "";
  const type = qualifiedType.split("$").pop() ?? "";
  const [pkg, module, name] = type.split(":");
  if (pkg !== PACKAGE_NAME || !module || !name) {
    throw new Error(`${type || urn} is not a resource type of the ${PACKAGE_NAME} provider`);
  }
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
 * The stack config the engine passes to language hosts in `PULUMI_CONFIG` (JSON object). Keys come as
 * `namespace:name` or, from older engines, `namespace:config:name`; both are accepted.
 */
export function stackConfigFromEnvironment(env: NodeJS.ProcessEnv = process.env): (key: string) => string | undefined {
  let config: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(env.PULUMI_CONFIG ?? "{}");
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) config = parsed as Record<string, unknown>;
  } catch {
    // A malformed PULUMI_CONFIG is ignored (its text may hold secrets: never echo it); the environment still applies.
  }
  return (key) => {
    const [namespace, ...rest] = key.split(":");
    const value = config[key] ?? config[`${namespace}:config:${rest.join(":")}`];
    return typeof value === "string" ? value : undefined;
  };
}

/** The provider object served by `@pulumi/pulumi/provider`'s `main`. */
export function createPluginProvider(env: NodeJS.ProcessEnv = process.env): provider.Provider {
  configureProvider(stackConfigFromEnvironment(env));
  return {
    version: packageVersion(),
    getSchema: async () => JSON.stringify(buildPackageSchema()),

    async check(urn, olds, news) {
      const { kind, def } = definitionOfUrn(urn);
      const { value, secretPaths } = unwrapSecrets(news ?? {});
      const result = await adapter.check(kind, plain(olds), value as Record<string, unknown>);
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
      // A blank id tells the engine the object is gone (refresh drops it from state).
      if (!result.id) return { id: "", props: {} };
      const paths = secretPathsFor(def, secretPaths);
      const inputs = (result as { inputs?: Record<string, unknown> }).inputs;
      return {
        id: result.id,
        props: wrapSecretPaths(result.props ?? {}, paths),
        ...(inputs ? { inputs: wrapSecretPaths(inputs, paths) } : {}),
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

// A partial failure's properties become the resource's state (ErrorResourceInitFailed): wrap its secrets too.
function wrapPartialFailure(err: unknown, def: ResourceDefinition, inputSecrets: Set<string>): unknown {
  const e = err as { id?: string; properties?: Record<string, unknown> };
  if (e && typeof e === "object" && e.id && e.properties) {
    e.properties = wrapSecretPaths(e.properties, secretPathsFor(def, inputSecrets));
  }
  return err;
}
