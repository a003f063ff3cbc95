/**
 * Provider settings: stack config first (handed to the provider by the engine, secrets decrypted), then the
 * environment, then defaults. Nothing here is ever captured in serialized provider code, returned as an output
 * or written into an error message.
 */

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
  return {
    interchange: {
      apiKey: get(settingKeys.interchangeApiKey),
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
