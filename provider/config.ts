/**
 * Provider settings: stack config first (handed to the provider by the engine, secrets decrypted), then the
 * environment, then defaults. Nothing here is ever captured in serialized provider code, returned as an output
 * or written into an error message.
 *
 * Named accounts: besides the settings above (the default account), a stack may declare accounts in the one
 * object-valued key {@link ACCOUNTS_CONFIG_KEY}, keyed by account name, each holding the platform settings of
 * {@link accountFields} under their `settingKeys` names:
 *
 *     pulumi config set --secret --path 'platform-credentials:accounts.globex.interchangeApiKey' scope3_...
 *
 * A resource names its account in its (non-secret) `account` input, which is stored in state, so reads and deletes
 * use the account the resource was created with, with whatever credentials the config holds for it today: rotating
 * a key changes no resource. The real engine hands the dynamic provider's `configure` this key as one JSON text with
 * the secrets inside decrypted (docs/engine.md); an object is accepted too.
 */
import { z } from "zod";
import { closestKey } from "./check";

/** Reads one stack config value by its full key (`interchange:apiKey`). */
export type ConfigSource = (key: string) => string | undefined;

/** Settings of the Scope3 Interchange API. */
export interface InterchangeSettings {
  /** Buyer API key (`scope3_<clientId>_<secret>`); undefined when not configured. */
  readonly apiKey: string | undefined;
  /** Base URL of the buyer API, e.g. `https://api.interchange.io/api/v2/buyer`. */
  readonly baseUrl: string;
}

/** Settings of the Commerce Layer Provisioning API. */
export interface CommerceLayerSettings {
  /** Provisioning API client id; undefined when not configured. */
  readonly clientId: string | undefined;
  /** Provisioning API client secret; undefined when not configured. */
  readonly clientSecret: string | undefined;
  /** OAuth token endpoint. */
  readonly authUrl: string;
  /** Base URL of the provisioning API, e.g. `https://provisioning.commercelayer.io/api`. */
  readonly baseUrl: string;
}

/** HTTP behaviour shared by every platform client. */
export interface HttpSettings {
  /** Per-attempt timeout in milliseconds. */
  readonly timeoutMs: number;
  /** Retries after the first attempt for retryable failures. */
  readonly maxRetries: number;
  /** Longest Retry-After honoured, in milliseconds. */
  readonly maxRetryAfterMs: number;
}

/** Everything the provider is configured with. */
export interface ProviderSettings {
  /** Scope3 Interchange settings. */
  readonly interchange: InterchangeSettings;
  /** Commerce Layer settings. */
  readonly commerceLayer: CommerceLayerSettings;
  /** HTTP behaviour shared by both platforms. */
  readonly http: HttpSettings;
}

/** A configuration value is missing or malformed. The message says which key and the ways to set it. */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

/** One configuration setting: its stack-config key, its environment variable and its default. */
export interface SettingKey {
  /** Full stack-config key, e.g. `interchange:apiKey`. */
  readonly config: string;
  /** Environment variable used when the stack config has no value. */
  readonly env: string;
  /** Whether the value is a credential (set it with `pulumi config set --secret`). */
  readonly secret?: boolean;
  /** One sentence for docs and schemas, with the default. */
  readonly description: string;
}

/** Every setting, for docs, the plugin schema and error messages. */
export const settingKeys = {
  interchangeApiKey: {
    config: "interchange:apiKey",
    env: "SCOPE3_API_KEY",
    secret: true,
    description: "Scope3 Interchange buyer API key (scope3_<clientId>_<secret>).",
  },
  interchangeBaseUrl: {
    config: "interchange:baseUrl",
    env: "INTERCHANGE_BASE_URL",
    description: "Scope3 Interchange buyer API base URL. Default https://api.interchange.io/api/v2/buyer.",
  },
  commerceLayerClientId: {
    config: "commercelayer:clientId",
    env: "COMMERCELAYER_CLIENT_ID",
    description: "Commerce Layer provisioning API client id.",
  },
  commerceLayerClientSecret: {
    config: "commercelayer:clientSecret",
    env: "COMMERCELAYER_CLIENT_SECRET",
    secret: true,
    description: "Commerce Layer provisioning API client secret.",
  },
  commerceLayerAuthUrl: {
    config: "commercelayer:authUrl",
    env: "COMMERCELAYER_AUTH_URL",
    description: "Commerce Layer OAuth token endpoint. Default https://auth.commercelayer.io/oauth/token.",
  },
  commerceLayerBaseUrl: {
    config: "commercelayer:baseUrl",
    env: "COMMERCELAYER_BASE_URL",
    description: "Commerce Layer provisioning API base URL. Default https://provisioning.commercelayer.io/api.",
  },
  httpTimeoutSeconds: {
    config: "platform-credentials:httpTimeoutSeconds",
    env: "PLATFORM_CREDENTIALS_HTTP_TIMEOUT_SECONDS",
    description: "Timeout of one HTTP attempt, in seconds. Default 30.",
  },
  httpMaxRetries: {
    config: "platform-credentials:httpMaxRetries",
    env: "PLATFORM_CREDENTIALS_HTTP_MAX_RETRIES",
    description: "Retries of a failed idempotent request (429, 5xx, resets). Default 4.",
  },
  httpMaxRetryAfterSeconds: {
    config: "platform-credentials:httpMaxRetryAfterSeconds",
    env: "PLATFORM_CREDENTIALS_HTTP_MAX_RETRY_AFTER_SECONDS",
    description: "Longest Retry-After the provider waits, in seconds. Default 60.",
  },
} as const satisfies Record<string, SettingKey>;

/** Production endpoints (the emulator's URLs are set through the same keys). */
export const defaultEndpoints = {
  interchange: "https://api.interchange.io/api/v2/buyer",
  commerceLayerAuth: "https://auth.commercelayer.io/oauth/token",
  commerceLayerApi: "https://provisioning.commercelayer.io/api",
} as const;

/** How to set a key, for error messages. */
export function howToSet(key: SettingKey): string {
  const secret = key.secret ? "--secret " : "";
  return `set it with \`pulumi config set ${secret}${key.config} <value>\` or the ${key.env} environment variable`;
}

/**
 * The shape of a Scope3 Interchange API key: `scope3_<client_id>_<secret>`, the client id letters and digits, the
 * secret letters, digits, `_` or `-`.
 */
export const SCOPE3_API_KEY_PATTERN = /^scope3_[A-Za-z0-9]+_[A-Za-z0-9_-]+$/;

/**
 * A {@link ConfigurationError} when `key` is not shaped like a Scope3 API key, naming where it was set (`where`) and
 * how to set it (`fix`). The message says what is wrong with the shape and never quotes the key, nor any part of it.
 */
export function checkScope3ApiKey(key: string, where: string, fix: string): void {
  if (SCOPE3_API_KEY_PATTERN.test(key)) return;
  const what = !key.startsWith("scope3_")
    ? 'it does not start with "scope3_"'
    : /\s/.test(key)
      ? "it holds spaces or line breaks (a key is one word)"
      : !/^scope3_[A-Za-z0-9]+_[^_]/.test(key)
        ? "it lacks the <client_id>_<secret> parts after scope3_"
        : "it holds characters a key never has";
  throw new ConfigurationError(
    `${where} is not a Scope3 API key: ${what}. Keys have the shape scope3_<client_id>_<secret> (client id: ` +
      "letters and digits; secret: letters, digits, _ or -). Copy the whole key from the Interchange web app " +
      `and ${fix}. The value is not shown here because it is a secret.`,
  );
}

/** Resolve every setting from stack config, then environment, then defaults. */
export function resolveSettings(stack: ConfigSource, env: NodeJS.ProcessEnv = process.env): ProviderSettings {
  const get = (key: SettingKey): string | undefined => {
    const v = stack(key.config) ?? env[key.env];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  const url = (key: SettingKey, fallback: string): string => {
    const v = get(key) ?? fallback;
    try {
      const u = new URL(v);
      if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("protocol");
    } catch {
      throw new ConfigurationError(`${key.config} must be an http(s) URL; ${howToSet(key)}.`);
    }
    return v.replace(/\/+$/, "");
  };
  const number = (key: SettingKey, fallback: number, min: number, max: number): number => {
    const v = get(key);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      throw new ConfigurationError(`${key.config} must be a number from ${min} to ${max}; ${howToSet(key)}.`);
    }
    return n;
  };
  const apiKey = get(settingKeys.interchangeApiKey);
  if (apiKey !== undefined) {
    const key = settingKeys.interchangeApiKey;
    const fromStack = (stack(key.config) ?? "").trim() !== "";
    checkScope3ApiKey(
      apiKey,
      fromStack ? `The ${key.config} stack config` : `The ${key.env} environment variable`,
      howToSet(key),
    );
  }
  return {
    interchange: {
      apiKey,
      baseUrl: url(settingKeys.interchangeBaseUrl, defaultEndpoints.interchange),
    },
    commerceLayer: {
      clientId: get(settingKeys.commerceLayerClientId),
      clientSecret: get(settingKeys.commerceLayerClientSecret),
      authUrl: url(settingKeys.commerceLayerAuthUrl, defaultEndpoints.commerceLayerAuth),
      baseUrl: url(settingKeys.commerceLayerBaseUrl, defaultEndpoints.commerceLayerApi),
    },
    http: {
      timeoutMs: number(settingKeys.httpTimeoutSeconds, 30, 1, 600) * 1000,
      maxRetries: Math.round(number(settingKeys.httpMaxRetries, 4, 0, 10)),
      maxRetryAfterMs: number(settingKeys.httpMaxRetryAfterSeconds, 60, 0, 3600) * 1000,
    },
  };
}

/** The value of a required setting, or a {@link ConfigurationError} naming both ways to set it. */
export function requireSetting(value: string | undefined, key: SettingKey, what: string): string {
  if (value === undefined) throw new ConfigurationError(`${what} is not configured: ${howToSet(key)}.`);
  return value;
}

// ---------------------------------------------------------------------------------------------------------------
// Named accounts

/** The stack-config key holding the named accounts: an object keyed by account name. */
export const ACCOUNTS_CONFIG_KEY = "platform-credentials:accounts";

/**
 * What an account may set: the platform settings of {@link settingKeys}, under the same names. Base URLs left out
 * are the default account's; credentials never are (a typo must not fall back to another account's key). HTTP
 * timeouts and retries are the process's, for every account.
 */
export const accountFields = [
  "interchangeApiKey",
  "interchangeBaseUrl",
  "commerceLayerClientId",
  "commerceLayerClientSecret",
  "commerceLayerAuthUrl",
  "commerceLayerBaseUrl",
] as const satisfies readonly (keyof typeof settingKeys)[];

/** One setting of an account. */
export type AccountField = (typeof accountFields)[number];

/** The credential fields each platform needs in an account. */
export const accountCredentialFields = {
  interchange: ["interchangeApiKey"],
  commercelayer: ["commerceLayerClientId", "commerceLayerClientSecret"],
} as const satisfies Record<string, readonly AccountField[]>;

/** A platform whose settings an account holds (a definition's `token.module`). */
export type AccountPlatform = keyof typeof accountCredentialFields;

/**
 * Account names: a letter, then letters, digits, `_` or `-` (at most 64 characters), so that the name is one
 * segment of a `pulumi config set --path` path as typed.
 */
export const ACCOUNT_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** The command that sets one setting of an account. */
export function accountCommand(account: string, field: AccountField, value = "<value>"): string {
  const secret = (settingKeys[field] as SettingKey).secret ? "--secret " : "";
  return `pulumi config set ${secret}--path '${ACCOUNTS_CONFIG_KEY}.${account}.${field}' ${value}`;
}

/** How to set a setting of the default account (`account` undefined) or of a named account, for messages. */
export function howToSetFor(account: string | undefined, field: AccountField): string {
  return account === undefined ? howToSet(settingKeys[field]) : `set it with \`${accountCommand(account, field)}\``;
}

/** The value of a required setting of an account, or a {@link ConfigurationError} naming the command to set it. */
export function requireAccountSetting(
  value: string | undefined,
  account: string | undefined,
  field: AccountField,
  what: string,
): string {
  if (account === undefined) return requireSetting(value, settingKeys[field], what);
  if (value === undefined) {
    throw new ConfigurationError(`${what} of account "${account}" is not configured: ${howToSetFor(account, field)}.`);
  }
  return value;
}

/** The schema of an `account` name: what it may hold, and an error naming the fix when it does not. */
function accountNameSchema(platform: AccountPlatform) {
  const field = accountCredentialFields[platform][0];
  const fix = `use the name of an account declared with \`${accountCommand("<name>", field)}\`, or leave it out`;
  return z
    .string({ error: `account must be a string; ${fix}` })
    .regex(ACCOUNT_NAME_PATTERN, {
      error: `account must start with a letter and hold only letters, digits, "_" or "-" (at most 64); ${fix}`,
    })
    .optional();
}

/** How an `account` field's doc names the account: what its credentials are used for, then the rest. */
function accountDoc(platform: AccountPlatform, use: string, more = ""): string {
  const field = accountCredentialFields[platform][0];
  return (
    `Name of the account under \`${ACCOUNTS_CONFIG_KEY}\` in stack config whose credentials ${use} ` +
    `(\`${accountCommand("<name>", field)}\`); the default account's settings when omitted. Not a secret.${more}`
  );
}

/**
 * The `account` input every resource takes: the name of an account of {@link ACCOUNTS_CONFIG_KEY}, or absent for
 * the default account. Not a secret: it only names where the credentials are.
 */
export function accountInput(platform: AccountPlatform) {
  return accountNameSchema(platform).describe(
    accountDoc(platform, "manage this resource", " Changing it replaces the resource."),
  );
}

/**
 * The `account` argument of every lookup: a named account of the stack config, or absent for the default account,
 * exactly as the resources' `account` input (the same rules and errors). Not a secret.
 */
export function lookupAccountInput(platform: AccountPlatform) {
  return accountNameSchema(platform).describe(accountDoc(platform, "read the object"));
}

/** The settings of every named account, by name, as stack config declares them (nothing resolved yet). */
export type DeclaredAccounts = ReadonlyMap<string, Readonly<Partial<Record<AccountField, string>>>>;

function describeValue(value: unknown): string {
  return Array.isArray(value) ? "a list" : value === null ? "null" : `a ${typeof value}`;
}

/**
 * The accounts of {@link ACCOUNTS_CONFIG_KEY}, checked for shape: an object of objects of strings, with known
 * fields only (an unknown one names the field it probably meant). Values are never quoted: some are secrets.
 */
export function declaredAccounts(stack: ConfigSource): DeclaredAccounts {
  const raw = stack(ACCOUNTS_CONFIG_KEY);
  const accounts = new Map<string, Partial<Record<AccountField, string>>>();
  if (raw === undefined || raw.trim() === "") return accounts;
  const shapeFix =
    `declare each account with \`${accountCommand("<name>", "interchangeApiKey")}\` (and the other fields: ` +
    `${accountFields.join(", ")})`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(`${ACCOUNTS_CONFIG_KEY} must be an object keyed by account name; ${shapeFix}.`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ConfigurationError(
      `${ACCOUNTS_CONFIG_KEY} must be an object keyed by account name, not ${describeValue(parsed)}; ${shapeFix}.`,
    );
  }
  for (const [name, settings] of Object.entries(parsed as Record<string, unknown>)) {
    if (!ACCOUNT_NAME_PATTERN.test(name)) {
      throw new ConfigurationError(
        `${ACCOUNTS_CONFIG_KEY} has an account named ${JSON.stringify(name.slice(0, 64))}: account names start with ` +
          'a letter and hold only letters, digits, "_" or "-" (at most 64 characters); rename it.',
      );
    }
    if (!settings || typeof settings !== "object" || Array.isArray(settings)) {
      throw new ConfigurationError(
        `${ACCOUNTS_CONFIG_KEY}.${name} must be an object of settings, not ${describeValue(settings)}; ${shapeFix}.`,
      );
    }
    const account: Partial<Record<AccountField, string>> = {};
    for (const [field, value] of Object.entries(settings as Record<string, unknown>)) {
      if (!(accountFields as readonly string[]).includes(field)) {
        const meant = closestKey(field, accountFields);
        throw new ConfigurationError(
          `${ACCOUNTS_CONFIG_KEY}.${name} has no setting ${JSON.stringify(field.slice(0, 64))}` +
            `${meant ? `; did you mean ${meant}?` : ""} (settings: ${accountFields.join(", ")}).`,
        );
      }
      if (typeof value !== "string") {
        throw new ConfigurationError(
          `${ACCOUNTS_CONFIG_KEY}.${name}.${field} must be a string, not ${describeValue(value)}; ` +
            `${howToSetFor(name, field as AccountField)}.`,
        );
      }
      if (field === "interchangeApiKey" && value.trim() !== "") {
        checkScope3ApiKey(
          value.trim(),
          `The ${ACCOUNTS_CONFIG_KEY}.${name}.${field} stack config`,
          howToSetFor(name, field),
        );
      }
      if (value.trim() !== "") account[field as AccountField] = value.trim();
    }
    accounts.set(name, account);
  }
  return accounts;
}

/**
 * The settings of one named account: its credentials (undefined when it does not set them), its base URLs or the
 * default account's, and the process's HTTP settings. Throws a {@link ConfigurationError} naming the commands that
 * declare the account when it is not declared, or naming the field when a URL is malformed.
 */
export function resolveAccountSettings(
  name: string,
  accounts: DeclaredAccounts,
  defaults: ProviderSettings,
  platform?: AccountPlatform,
): ProviderSettings {
  const account = accounts.get(name);
  if (!account) {
    const fields = platform ? accountCredentialFields[platform] : (["interchangeApiKey"] as const);
    const commands = fields.map((f) => `\`${accountCommand(name, f)}\``).join(" and ");
    const known = [...accounts.keys()];
    throw new ConfigurationError(
      `Account "${name}" is not configured in stack config (${ACCOUNTS_CONFIG_KEY}.${name}): declare it with ` +
        `${commands}` +
        (known.length ? ` (configured accounts: ${known.join(", ")})` : " (no account is configured)") +
        ", or leave `account` out to use the default account.",
    );
  }
  const url = (field: AccountField, fallback: string): string => {
    const v = account[field];
    if (v === undefined) return fallback;
    try {
      const u = new URL(v);
      if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error("protocol");
    } catch {
      throw new ConfigurationError(
        `${ACCOUNTS_CONFIG_KEY}.${name}.${field} must be an http(s) URL; ${howToSetFor(name, field)}.`,
      );
    }
    return v.replace(/\/+$/, "");
  };
  return {
    interchange: {
      apiKey: account.interchangeApiKey,
      baseUrl: url("interchangeBaseUrl", defaults.interchange.baseUrl),
    },
    commerceLayer: {
      clientId: account.commerceLayerClientId,
      clientSecret: account.commerceLayerClientSecret,
      authUrl: url("commerceLayerAuthUrl", defaults.commerceLayer.authUrl),
      baseUrl: url("commerceLayerBaseUrl", defaults.commerceLayer.baseUrl),
    },
    http: defaults.http,
  };
}

/**
 * Why an account cannot serve a resource of `platform`, or undefined when it can: it is not declared, or it lacks
 * a credential that platform needs. For `check`, before any request.
 */
export function accountProblem(
  name: string,
  platform: AccountPlatform,
  accounts: DeclaredAccounts,
  defaults: ProviderSettings,
): string | undefined {
  try {
    resolveAccountSettings(name, accounts, defaults, platform);
  } catch (err) {
    if (err instanceof ConfigurationError) return err.message;
    throw err;
  }
  const account = accounts.get(name) ?? {};
  const missing = accountCredentialFields[platform].filter((f) => account[f] === undefined);
  if (missing.length === 0) return undefined;
  return (
    `Account "${name}" has no ${missing.join(" or ")} in stack config: set ` +
    `${missing.map((f) => `\`${accountCommand(name, f)}\``).join(" and ")}.`
  );
}
