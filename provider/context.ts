/**
 * What a resource definition's lifecycle methods receive: the resolved settings of one account and the platform
 * clients built from them, created once per provider process and account and shared by every resource of that
 * account (so connection pools, token caches and list coalescing are per account, while per-advertiser locks are
 * shared by every account of the process, see {@link ProviderContext.sharedMemo}).
 */
import {
  ConfigurationError,
  accountProblem,
  declaredAccounts,
  resolveAccountSettings,
  resolveSettings,
  type AccountPlatform,
  type ConfigSource,
  type DeclaredAccounts,
  type ProviderSettings,
} from "./config";

/** Options of a {@link ProviderContext}. */
export interface ProviderContextOptions {
  /** The named account the settings are of; undefined for the default account. */
  readonly account?: string | undefined;
  /** The memo shared by every account's context of a process ({@link ProviderContext.sharedMemo}). */
  readonly shared?: Map<string, unknown>;
  /** {@link ProviderContext.siblingTokenWaitMs}; default {@link DEFAULT_SIBLING_TOKEN_WAIT_MS}. */
  readonly siblingTokenWaitMs?: number | undefined;
}

/**
 * How long a write of an advertiser's credential list waits, by default, for an Azure sibling's SAS token to be shown
 * by its own resource, in milliseconds: the engine runs independent resources in parallel, so the sibling's diff may
 * come a moment after the write that needs its token.
 */
export const DEFAULT_SIBLING_TOKEN_WAIT_MS = 3_000;

/** Settings plus a memo of platform clients. Platform modules add their clients with {@link ProviderContext.memo}. */
export class ProviderContext {
  private readonly memos = new Map<string, unknown>();
  private readonly shared: Map<string, unknown>;
  /** The named account these settings are of (for messages); undefined for the default account. */
  readonly account: string | undefined;
  /**
   * How long a write of an advertiser's credential list waits for an Azure sibling's SAS token that no resource of
   * this process has shown yet, in milliseconds (0: refuse at once).
   */
  readonly siblingTokenWaitMs: number;

  constructor(
    /** The resolved provider settings. */
    readonly settings: ProviderSettings,
    options: ProviderContextOptions = {},
  ) {
    this.account = options.account;
    this.shared = options.shared ?? this.memos;
    this.siblingTokenWaitMs = options.siblingTokenWaitMs ?? DEFAULT_SIBLING_TOKEN_WAIT_MS;
  }

  /** The value built by `make` the first time `key` is asked for (platform API clients). */
  memo<T>(key: string, make: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, make());
    return this.memos.get(key) as T;
  }

  /**
   * Like {@link memo}, but shared by the contexts of every account of the process: for what must hold whichever key
   * makes the call (two accounts may be two keys of one customer), such as the lock that serializes the writes of
   * one advertiser's list. Include the base URL in `key` when the value is about a platform's objects.
   */
  sharedMemo<T>(key: string, make: () => T): T {
    if (!this.shared.has(key)) this.shared.set(key, make());
    return this.shared.get(key) as T;
  }
}

interface Configured {
  readonly source: ConfigSource;
  defaults?: ProviderSettings;
  accounts?: DeclaredAccounts;
  readonly contexts: Map<string | undefined, ProviderContext>;
  readonly shared: Map<string, unknown>;
}

const fresh = (source: ConfigSource): Configured => ({ source, contexts: new Map(), shared: new Map() });
let configured: Configured = fresh(() => undefined);

/**
 * Record the stack config the engine handed to the provider (adapters call this from `configure`). Every context
 * is rebuilt on next use.
 */
export function configureProvider(source: ConfigSource): void {
  configured = fresh(source);
}

function defaults(): ProviderSettings {
  return (configured.defaults ??= resolveSettings(configured.source));
}

function accounts(): DeclaredAccounts {
  return (configured.accounts ??= declaredAccounts(configured.source));
}

/**
 * The context of an account (`account` undefined: the default account), built from the configured stack config and
 * the environment on first use. Throws a ConfigurationError naming the commands that declare an account the stack
 * config does not have (those of `platform`'s credentials).
 */
export function providerContext(account?: string, platform?: AccountPlatform): ProviderContext {
  let ctx = configured.contexts.get(account);
  if (!ctx) {
    const settings =
      account === undefined ? defaults() : resolveAccountSettings(account, accounts(), defaults(), platform);
    ctx = new ProviderContext(settings, { account, shared: configured.shared });
    configured.contexts.set(account, ctx);
  }
  return ctx;
}

/**
 * Why the named account cannot serve a resource of `platform` (not declared, a credential missing, a malformed
 * setting), or undefined when it can. Makes no request.
 */
export function accountConfigurationProblem(account: string, platform: AccountPlatform): string | undefined {
  try {
    return accountProblem(account, platform, accounts(), defaults());
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Why the default account's settings do not resolve (a malformed Scope3 API key or URL), or undefined when they do.
 * Makes no request; for `check`, so the mistake shows at preview rather than at the first call.
 */
export function defaultConfigurationProblem(): string | undefined {
  try {
    defaults();
    return undefined;
  } catch (err) {
    if (err instanceof ConfigurationError) return err.message;
    throw err;
  }
}

/** Every credential configured for the default account and the named accounts, for redaction. */
export function configuredCredentials(): string[] {
  const found: string[] = [];
  const add = (settings: ProviderSettings) => {
    for (const v of [settings.interchange.apiKey, settings.commerceLayer.clientSecret]) if (v) found.push(v);
  };
  try {
    add(defaults());
  } catch {
    // Settings that do not resolve hold no credential to hide; the lifecycle call reports them.
  }
  try {
    for (const account of accounts().values()) {
      for (const v of [account.interchangeApiKey, account.commerceLayerClientSecret]) if (v) found.push(v);
    }
  } catch {
    // Malformed accounts config: the call that names an account reports it.
  }
  return found;
}
