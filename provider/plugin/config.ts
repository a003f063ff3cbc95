/**
 * The provider plugin's configuration: one plugin setting per entry of `settingKeys` (provider/config.ts), named by
 * that entry's key, so the plugin's config, its schema and its error messages derive from the same list as the
 * dynamic resources' stack config.
 *
 * - A default provider reads the stack config of the plugin's own namespace: `platform-credentials:interchangeApiKey`,
 *   `platform-credentials:commerceLayerClientSecret`, ... (the engine sends a plugin nothing of other namespaces, so
 *   the dynamic resources' `interchange:apiKey` never reaches it).
 * - An explicit provider (`new platform_credentials.Provider("acme", interchange_api_key=...)`, or
 *   `pulumi:providers:platform-credentials` from any language) reads its own arguments only.
 * - Either falls back to the environment variable of each setting (SCOPE3_API_KEY, ...), then to the defaults.
 *
 * How the engine sends it (pulumi/pulumi pkg/resource/plugin/provider_plugin.go `Configure`, v3.274): `args`, a
 * Struct keyed by the bare setting name with secrets wrapped (newer engines, pulumi/pulumi#17229), and the
 * deprecated `variables` map keyed `platform-credentials:config:<name>` with every value a string. Older engines
 * send `variables` only, some keyed `platform-credentials:<name>`. All three are read, `args` first.
 */
import { howToSet, resolveSettings, settingKeys, type ConfigSource, type SettingKey } from "../config";
import { UNKNOWN_SENTINEL } from "../unknown";
import { PACKAGE_NAME } from "./tokens";

/** One plugin setting: its name (a provider argument, a config key in the plugin's namespace) and its setting. */
export interface PluginSetting {
  /** The argument name, e.g. `interchangeApiKey` (Python `interchange_api_key`). */
  readonly name: string;
  /** The stack config key of a default provider, e.g. `platform-credentials:interchangeApiKey`. */
  readonly key: string;
  /** The setting it sets (its dynamic-resource config key, environment variable, secret flag, description). */
  readonly setting: SettingKey;
}

/** Every plugin setting, in `settingKeys` order. */
export const pluginSettings: readonly PluginSetting[] = Object.entries(settingKeys).map(([name, setting]) => ({
  name,
  key: `${PACKAGE_NAME}:${name}`,
  setting,
}));

const byName = new Map(pluginSettings.map((s) => [s.name, s]));

/**
 * Provider inputs the engine itself adds to a provider resource (pkg/resource/deploy/providers/registry.go): never
 * settings of this provider, never refused.
 */
const ENGINE_INPUTS = new Set(["version", "pluginDownloadURL", "pluginChecksums", "parameterization", "__internal"]);

/** The key that marks a special value in Pulumi's RPC property encoding, and the mark of a secret. */
const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/** A config value as text: secrets unwrapped, numbers and booleans as the engine would write them in `variables`. */
function settingText(value: unknown): string | undefined {
  if (value && typeof value === "object" && (value as Record<string, unknown>)[SIGNATURE_KEY] === SECRET_SIGNATURE) {
    return settingText((value as { value?: unknown }).value);
  }
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** The setting name behind a `variables` key (`platform-credentials:config:x` or `platform-credentials:x`). */
function nameOfVariable(key: string): string | undefined {
  for (const prefix of [`${PACKAGE_NAME}:config:`, `${PACKAGE_NAME}:`]) {
    if (key.startsWith(prefix)) return key.slice(prefix.length);
  }
  return undefined;
}

/** A provider's configuration by setting name, as text. */
export type PluginConfig = ReadonlyMap<string, string>;

/** The configuration in a Configure request: `args` (a plain object, secrets wrapped or not) over `variables`. */
export function pluginConfigFromRequest(
  variables: ReadonlyMap<string, string> | Record<string, string>,
  args: Record<string, unknown> | undefined,
): PluginConfig {
  const config = new Map<string, string>();
  const entries = variables instanceof Map ? [...variables.entries()] : Object.entries(variables);
  for (const [key, value] of entries) {
    const name = nameOfVariable(key);
    if (name !== undefined && byName.has(name)) config.set(name, value);
  }
  for (const [name, value] of Object.entries(args ?? {})) {
    const text = settingText(value);
    if (byName.has(name) && text !== undefined) config.set(name, text);
  }
  return config;
}

/** The {@link ConfigSource} the core reads (keyed by the dynamic resources' config keys) over a plugin config. */
export function configSourceOf(config: PluginConfig): ConfigSource {
  const byConfigKey = new Map(pluginSettings.map((s) => [s.setting.config, s.name]));
  return (key) => {
    const name = byConfigKey.get(key);
    return name === undefined ? undefined : config.get(name);
  };
}

/** How to set a plugin setting, for messages: the stack config key, the provider argument and the variable. */
export function howToSetForPlugin(s: PluginSetting): string {
  const secret = s.setting.secret ? "--secret " : "";
  return (
    `set it with \`pulumi config set ${secret}${s.key} <value>\` (default provider), the \`${s.name}\` argument ` +
    `of an explicit provider, or the ${s.setting.env} environment variable`
  );
}

/**
 * A core message as the plugin's user must read it. The core names the dynamic resources' config keys
 * (`pulumi config set --secret interchange:apiKey`), which a plugin never reads: each mention of how to set a
 * setting, and each `<key> must ...`, is rewritten to the plugin's key and argument. The texts come from
 * provider/config.ts's own `howToSet`, so the rewrite matches exactly what the core wrote.
 */
export function pluginMessage(message: string): string {
  let out = message;
  for (const s of pluginSettings) {
    out = out.split(howToSet(s.setting)).join(howToSetForPlugin(s));
    out = out.split(`${s.setting.config} must `).join(`${s.key} must `);
  }
  return out;
}

/** A CheckConfig failure: the provider argument at fault and what to do. */
export interface ConfigFailure {
  readonly property: string;
  readonly reason: string;
}

function closestName(name: string): string | undefined {
  const lower = name.toLowerCase();
  const score = (candidate: string): number => {
    const c = candidate.toLowerCase();
    if (c === lower) return 0;
    if (c.includes(lower) || lower.includes(c)) return 1;
    return 2 + Math.abs(c.length - lower.length);
  };
  const ranked = [...byName.keys()].sort((a, b) => score(a) - score(b));
  const best = ranked[0];
  return best !== undefined && score(best) <= 2 ? best : undefined;
}

/**
 * CheckConfig: every input that is not a setting is refused (a typo would otherwise fall back to the environment in
 * silence), and every malformed value is refused with the rule it breaks. Unknown values (a preview) pass. Values are
 * never quoted: some are secrets.
 */
export function checkPluginConfig(news: Record<string, unknown>): ConfigFailure[] {
  const failures: ConfigFailure[] = [];
  const config = new Map<string, string>();
  for (const [name, value] of Object.entries(news)) {
    if (ENGINE_INPUTS.has(name)) continue;
    const s = byName.get(name);
    if (!s) {
      const guess = closestName(name);
      failures.push({
        property: name,
        reason:
          `${PACKAGE_NAME} has no setting \`${name}\`${guess ? `; did you mean \`${guess}\`?` : "."} Settings: ` +
          `${[...byName.keys()].join(", ")}.`,
      });
      continue;
    }
    const text = settingText(value);
    if (text === UNKNOWN_SENTINEL || value === null || value === undefined) continue;
    if (text === undefined) {
      failures.push({ property: name, reason: `${s.key} must be a string; ${howToSetForPlugin(s)}.` });
      continue;
    }
    config.set(name, text);
  }
  // Each value alone through the core's own rules, so every malformed one is reported (not only the first), and
  // none is judged by the environment of the machine running the preview.
  for (const { name } of pluginSettings) {
    const text = config.get(name);
    if (text === undefined) continue;
    try {
      resolveSettings(configSourceOf(new Map([[name, text]])), {});
    } catch (err) {
      failures.push({ property: name, reason: pluginMessage(err instanceof Error ? err.message : String(err)) });
    }
  }
  return failures;
}

/** Resolve a plugin config (over the environment) the way the core will, so Configure reports bad values. */
export function validatePluginConfig(config: PluginConfig, env: NodeJS.ProcessEnv = process.env): void {
  resolveSettings(configSourceOf(config), env);
}
