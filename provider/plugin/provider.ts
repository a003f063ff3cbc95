/**
 * The provider plugin (PulumiPlugin.yaml, bin/pulumi-resource-platform-credentials): the same resource definitions
 * served as a real Pulumi provider, for Python, Go, .NET and YAML programs and for explicit provider instances. It
 * reuses the dynamic adapter's translation (unknowns, partial failures, gone-on-read, parsing each state once into
 * its definition's typed view and showing it to `observe` before diff/read/update/delete) and adds what a real
 * provider must do itself:
 * - It accepts secrets (Configure answers `acceptSecrets: true`, server.ts), so the engine sends secret inputs
 *   wrapped (`{[SIG]: SECRET, value}`) and, unlike for the dynamic host, does not mark outputs secret itself: every
 *   secret output must come back wrapped or it lands in state in plain text.
 * - Its settings come from Configure (config.ts): a default provider's stack config in the `platform-credentials`
 *   namespace, or an explicit provider's arguments, over the environment variables. Each provider instance is its
 *   own plugin process, so the process-wide context (provider/context.ts) is that instance's.
 * - It does not set `supportsPreview`, so the engine does not call Create/Update during previews.
 * - Provider functions (Invoke) are the lookups of provider/lookup.ts, read with this provider's settings; they
 *   return nothing secret.
 * - Read with the id alone (`pulumi import`, the `import` resource option) returns the inputs the definitions read
 *   back, so a program declaring the same resource previews without changes (docs/plugin.md, "Import").
 */
import { configureProvider, configuredCredentials, providerContext } from "../context";
import { definitionFor } from "../definitions";
import { LookupArgumentsError, lookupFor, runLookup } from "../lookup";
import type { ResourceDefinition } from "../resource";
import { packageVersion } from "../version";
import * as adapter from "../pulumi/adapter";
import { checkPluginConfig, configSourceOf, pluginMessage, pluginSettings, validatePluginConfig } from "./config";
import { buildPackageSchema } from "./schema";
import type { ConfigurableProvider } from "./server";
import { kindOfPluginToken, PACKAGE_NAME } from "./tokens";

/** The key that marks a special value in Pulumi's RPC property encoding (`@pulumi/pulumi/runtime/rpc`). */
export const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
/** The signature value of a secret: `{[SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE, value}`. */
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
/** The signature value of an output value (`{[KEY]: OUTPUT_SIGNATURE, value?, secret?, dependencies?}`). */
export const OUTPUT_VALUE_SIGNATURE = "d0e6a833031e9bbcd3f4e8bde6ca49a4";

/** One step into a property value: an object key (any text, `.` and `[0]` included) or an array index. */
export type PathSegment = string | number;
/**
 * Where a value sits in a property map, as segments: `["destination", "sasToken"]`, `["tags", 0]`,
 * `["metadata", "team.lead"]`. Never a dotted string: an object key may itself contain `.` or `[0]`.
 */
export type SecretPath = readonly PathSegment[];

function signatureOf(v: unknown): unknown {
  return v && typeof v === "object" && !Array.isArray(v)
    ? (v as Record<string, unknown>)[SECRET_SIGNATURE_KEY]
    : undefined;
}

/** Secret paths, each once. */
class SecretPaths {
  private readonly byKey = new Map<string, SecretPath>();
  add(path: SecretPath): void {
    this.byKey.set(JSON.stringify(path), path);
  }
  list(): SecretPath[] {
    return [...this.byKey.values()];
  }
}

function unwrapAt(value: unknown, path: SecretPath, found: SecretPaths): unknown {
  const signature = signatureOf(value);
  if (signature === SECRET_SIGNATURE) {
    found.add(path);
    return unwrapAt((value as { value?: unknown }).value, path, found);
  }
  if (signature === OUTPUT_VALUE_SIGNATURE) {
    // Output values only reach providers that accept outputs; an output without a value is unknown (preview).
    const output = value as { value?: unknown; secret?: boolean };
    if (output.secret) found.add(path);
    return "value" in output ? unwrapAt(output.value, path, found) : adapter.UNKNOWN_SENTINEL;
  }
  if (Array.isArray(value)) return value.map((v, i) => unwrapAt(v, [...path, i], found));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // A key named `__proto__` stays an own property (assignment would set the prototype instead).
      Object.defineProperty(out, k, {
        value: unwrapAt(v, [...path, k], found),
        writable: true,
        enumerable: true,
        configurable: true,
      });
    }
    return out;
  }
  return value;
}

/**
 * Deeply unwrap secrets (and output values) as the engine sends them; returns the plain value and the paths that
 * were secret (`["auth"]`, `["destination", "sasToken"]`, `["tags", 0]`).
 */
export function unwrapSecrets(value: unknown): { value: unknown; secretPaths: SecretPath[] } {
  const found = new SecretPaths();
  return { value: unwrapAt(value, [], found), secretPaths: found.list() };
}

/** The value at `path`, or undefined: a string segment reads an object key only, a number an array index only. */
function valueAt(root: unknown, path: SecretPath): unknown {
  let value = root;
  for (const segment of path) {
    if (
      typeof segment === "number" ? !Array.isArray(value) : !value || typeof value !== "object" || Array.isArray(value)
    ) {
      return undefined;
    }
    if (!Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  return value;
}

/**
 * Every string inside the values at `paths` of `root` (what the engine marked secret), for redaction. Inside a secret
 * object, a `type` discriminator (`apiKey`, `basic`) is a schema literal that tells nothing and is left out, as the
 * adapter leaves it out of a definition's secrets: redacting it would garble every message that names the type.
 */
export function secretStrings(root: unknown, paths: Iterable<SecretPath>): string[] {
  const found: string[] = [];
  const visit = (value: unknown, key?: string): void => {
    if (typeof value === "string") {
      if (key !== "type") found.push(value);
    } else if (Array.isArray(value)) {
      for (const v of value) visit(v);
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) visit(v, k);
    }
  };
  for (const path of paths) visit(valueAt(root, path));
  return found;
}

function wrap(value: unknown): unknown {
  return { [SECRET_SIGNATURE_KEY]: SECRET_SIGNATURE, value };
}

/**
 * A copy of `state` with the value at each path wrapped as a secret. Paths that are missing or hold undefined are
 * skipped; a value inside an already wrapped secret is left alone (it is secret already).
 */
export function wrapSecretPaths(state: Record<string, unknown>, paths: Iterable<SecretPath>): Record<string, unknown> {
  const out = structuredClone(state);
  for (const path of paths) {
    const last = path[path.length - 1];
    if (last === undefined) continue;
    const holder = valueAt(out, path.slice(0, -1));
    if (!holder || typeof holder !== "object" || signatureOf(holder) === SECRET_SIGNATURE) continue;
    if (typeof last === "number" ? !Array.isArray(holder) : Array.isArray(holder)) continue;
    if (!Object.prototype.hasOwnProperty.call(holder, last)) continue;
    const current = (holder as Record<PathSegment, unknown>)[last];
    if (current !== undefined && signatureOf(current) !== SECRET_SIGNATURE) {
      (holder as Record<PathSegment, unknown>)[last] = wrap(current);
    }
  }
  return out;
}

/** A definition's secret inputs and outputs as paths (definitions name schema properties, which hold no `.`). */
function definitionSecretPaths(def: ResourceDefinition): SecretPath[] {
  return [...def.secretInputs, ...def.secretOutputs].map((path) => path.split("."));
}

/** The definition behind a URN (`urn:pulumi:stack::project::platform-credentials:interchange:Type::name`). */
export function definitionOfUrn(urn: string): { kind: string; def: ResourceDefinition } {
  const qualifiedType = urn.split("::")[2] ?? "";
  const type = qualifiedType.split("$").pop() ?? "";
  const kind = kindOfPluginToken(type);
  if (kind === undefined) throw new Error(`${type || urn} is not a resource type of the ${PACKAGE_NAME} provider`);
  return { kind, def: definitionFor(kind) };
}

function secretPathsFor(def: ResourceDefinition, inputSecrets: readonly SecretPath[]): SecretPath[] {
  return [...definitionSecretPaths(def), ...inputSecrets];
}

function plain(v: unknown): Record<string, unknown> {
  return (unwrapSecrets(v ?? {}).value ?? {}) as Record<string, unknown>;
}

/** The strings the engine marked secret inside `v`. */
function markedStrings(v: unknown): string[] {
  const { value, secretPaths } = unwrapSecrets(v ?? {});
  return secretStrings(value, secretPaths);
}

/**
 * A failure as the plugin's user must read it: a configuration error names the plugin's own keys and arguments
 * (config.ts `pluginMessage`), never the dynamic resources' `interchange:apiKey`. Other errors pass unchanged.
 */
function forPlugin(err: unknown): unknown {
  if (err instanceof Error && err.name === "ConfigurationError") {
    const message = pluginMessage(err.message);
    if (err.stack) err.stack = err.stack.split(err.message).join(message);
    err.message = message;
  }
  return err;
}

/** Secret settings wrapped as secrets, so a key set without `--secret` is still encrypted in the provider's state. */
function withSecretSettings(news: Record<string, unknown>): Record<string, unknown> {
  const secretNames = pluginSettings.filter((s) => s.setting.secret).map((s) => [s.name]);
  return wrapSecretPaths(news, secretNames);
}

/** The provider object served by server.ts (`main` of @pulumi/pulumi/provider plus Configure and CheckConfig). */
export function createPluginProvider(): ConfigurableProvider {
  // Until Configure (GetSchema needs no settings), the environment alone.
  configureProvider(() => undefined);
  return {
    version: packageVersion(),
    getSchema: async () => JSON.stringify(buildPackageSchema()),

    checkConfig(news) {
      const { value, secretPaths } = unwrapSecrets(news);
      const plainNews = value as Record<string, unknown>;
      return {
        inputs: withSecretSettings(wrapSecretPaths(plainNews, secretPaths)),
        failures: checkPluginConfig(plainNews),
      };
    },

    configure(config) {
      try {
        validatePluginConfig(config);
      } catch (err) {
        throw forPlugin(err);
      }
      configureProvider(configSourceOf(config));
    },

    async check(urn, olds, news) {
      const { kind, def } = definitionOfUrn(urn);
      const { value, secretPaths } = unwrapSecrets(news ?? {});
      const given = value as Record<string, unknown>;
      if (given["account"] !== undefined) {
        return {
          inputs: news,
          failures: [
            {
              property: "account",
              reason:
                "the provider plugin selects an account with an explicit provider, not an account input: remove " +
                "account and give the resource a provider configured with that account's credentials " +
                "(docs/plugin.md, Several accounts: explicit providers)",
            },
          ],
        };
      }
      const result = await adapter.check(kind, plain(olds), given);
      const inputs = wrapSecretPaths(result.inputs as Record<string, unknown>, secretPathsFor(def, secretPaths));
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
        const result = await adapter.create(kind, value as Record<string, unknown>, secretStrings(value, secretPaths));
        return { id: result.id, outs: wrapSecretPaths(result.outs ?? {}, secretPathsFor(def, secretPaths)) };
      } catch (err) {
        throw forPlugin(wrapPartialFailure(err, def, secretPaths));
      }
    },

    async read(id, urn, props) {
      const { kind, def } = definitionOfUrn(urn);
      const { value, secretPaths } = unwrapSecrets(props ?? {});
      let result;
      try {
        result = await adapter.read(kind, id, value as Record<string, unknown>, secretStrings(value, secretPaths));
      } catch (err) {
        throw forPlugin(err);
      }
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
        const marked = [...secretStrings(value, secretPaths), ...markedStrings(olds)];
        const result = await adapter.update(kind, id, plain(olds), value as Record<string, unknown>, marked);
        return { outs: wrapSecretPaths(result.outs ?? {}, secretPathsFor(def, secretPaths)) };
      } catch (err) {
        throw forPlugin(wrapPartialFailure(err, def, secretPaths));
      }
    },

    // A provider function (`platform-credentials:<module>:get<Name>`): a lookup, with this provider's settings.
    async invoke(token, inputs) {
      const kind = kindOfPluginToken(token);
      const def = kind === undefined ? undefined : lookupFor(kind);
      if (!def) throw new Error(`${token} is not a function of the ${PACKAGE_NAME} provider`);
      const { value, secretPaths } = unwrapSecrets(inputs ?? {});
      const args = value as Record<string, unknown>;
      if (args["account"] !== undefined) {
        return {
          failures: [
            {
              property: "account",
              reason:
                "the provider plugin selects an account with an explicit provider, not an account argument: remove " +
                "account and invoke the function with a provider configured with that account's credentials " +
                "(docs/plugin.md, Several accounts: explicit providers)",
            },
          ],
        };
      }
      try {
        const outputs = await runLookup(
          def,
          args,
          (_account, platform) => providerContext(undefined, platform),
          () => [...configuredCredentials(), ...secretStrings(value, secretPaths)],
        );
        return { outputs };
      } catch (err) {
        // Bad arguments are the engine's check failures, shown with the argument's name.
        if (err instanceof LookupArgumentsError) return { failures: [...err.failures] };
        throw forPlugin(err);
      }
    },

    async delete(id, urn, props) {
      const { kind } = definitionOfUrn(urn);
      const { value, secretPaths } = unwrapSecrets(props ?? {});
      try {
        await adapter.remove(kind, id, value as Record<string, unknown>, secretStrings(value, secretPaths));
      } catch (err) {
        throw forPlugin(err);
      }
    },
  };
}

// A partial failure's properties become the resource's state (ErrorResourceInitFailed): wrap its secrets too.
function wrapPartialFailure(err: unknown, def: ResourceDefinition, inputSecrets: readonly SecretPath[]): unknown {
  const e = err as { id?: string; properties?: Record<string, unknown> };
  if (e && typeof e === "object" && e.id && e.properties) {
    e.properties = wrapSecretPaths(e.properties, secretPathsFor(def, inputSecrets));
  }
  return err;
}
