/**
 * What a resource definition's lifecycle methods receive: the resolved settings and the platform clients built
 * from them, created once per provider process and shared by every resource (so connection pools, token caches,
 * list coalescing and per-advertiser locks are shared too).
 */
import { resolveSettings, type ConfigSource, type ProviderSettings } from "./config";

/** Settings plus a memo of platform clients. Platform modules add their clients with {@link ProviderContext.memo}. */
export class ProviderContext {
  private readonly memos = new Map<string, unknown>();

  constructor(
    /** The resolved provider settings. */
    readonly settings: ProviderSettings,
  ) {}

  /** The value built by `make` the first time `key` is asked for (platform API clients). */
  memo<T>(key: string, make: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, make());
    return this.memos.get(key) as T;
  }
}

let current: ProviderContext | undefined;
let stackConfig: ConfigSource = () => undefined;

/**
 * Record the stack config the engine handed to the provider (adapters call this from `configure`). The context
 * is rebuilt on next use.
 */
export function configureProvider(source: ConfigSource): void {
  stackConfig = source;
  current = undefined;
}

/** The process's context, built from the configured stack config and the environment on first use. */
export function providerContext(): ProviderContext {
  current ??= new ProviderContext(resolveSettings(stackConfig));
  return current;
}
