/**
 * The engine-neutral lookup contract: a read of a platform object that manages nothing (a data source), declared once
 * and served by every adapter, as {@link ResourceDefinition}s are for resources. The TypeScript SDK runs a lookup in
 * the program's own process (sdk/lookups.ts), with the stack config the program sees; the provider plugin serves it
 * as a provider function (an Invoke, provider/plugin/provider.ts) with the plugin's own settings.
 *
 * A lookup reads only, so it runs in previews too: a program can pick a source id or a role id from it and feed a
 * resource before anything exists. It returns no secret (the platforms' storefront, organization and role views hold
 * none), and every error it throws has the account's credentials redacted.
 */
import { z } from "zod";
import { checkWithSchema } from "./check";
import {
  accountProblem,
  ConfigurationError,
  declaredAccounts,
  resolveAccountSettings,
  resolveSettings,
  type AccountPlatform,
  type ConfigSource,
  type ProviderSettings,
} from "./config";
import { ProviderContext } from "./context";
import { redactedError } from "./http";
import { BugError, type CheckFailure } from "./resource";

/** Where a lookup sits: its platform module and its function name (`interchange`, `getStorefront`). */
export interface LookupToken {
  /** Module, e.g. `interchange`; also the platform whose credentials the lookup uses. */
  readonly module: AccountPlatform;
  /** Function name, camelCase with a `get` prefix, e.g. `getStorefront`. */
  readonly name: string;
}

/** One lookup: its arguments, its result and the read itself. */
export interface LookupDefinition<A extends object = Record<string, unknown>, R extends object = object> {
  /** Token parts: the plugin function `platform-credentials:<module>:<name>`. */
  readonly token: LookupToken;
  /** One paragraph for schemas and docs. */
  readonly description: string;
  /** The arguments: a `z.object` with `.describe()` on every field. */
  readonly args: z.ZodType<A>;
  /** The result: a `z.object` with `.describe()` on every field. */
  readonly result: z.ZodType<R>;
  /** Read the object. Throws a {@link LookupError} (or an ApiError) naming the argument at fault and the fix. */
  read(ctx: ProviderContext, args: A): Promise<R>;
}

/** Arguments a lookup refuses before any request: each argument at fault and the fix. */
export class LookupArgumentsError extends Error {
  override readonly name = "LookupArgumentsError";
  constructor(
    /** The lookup's function name, for the message. */
    readonly lookup: string,
    /** Every argument at fault. */
    readonly failures: readonly CheckFailure[],
  ) {
    super(`${lookup}: ${failures.map((f) => `${f.property}: ${f.reason}`).join("; ")}`);
  }
}

/**
 * The platform answered, and what the arguments name is not there (an unknown storefront, no role of that name):
 * the message names the argument and the values that would match.
 */
export class LookupError extends Error {
  override readonly name = "LookupError";
}

/** The arguments checked against the lookup's schema: the parsed arguments, or a {@link LookupArgumentsError}. */
export function checkLookupArgs<A extends object>(def: LookupDefinition<A>, args: Record<string, unknown>): A {
  const { value, failures } = checkWithSchema(def.args, args);
  if (failures.length > 0 || value === undefined) throw new LookupArgumentsError(def.token.name, failures);
  return value;
}

/**
 * `err` with every credential in `secrets` redacted from its message and capped (`redactedError`); an argument
 * error is this package's own text about the arguments, and is thrown as it is.
 */
export function redactedLookupError(err: unknown, secrets: readonly string[]): Error {
  if (err instanceof LookupArgumentsError) return err;
  return redactedError(err, secrets);
}

/** The credentials inside a context's settings, for redaction. */
export function settingsCredentials(settings: ProviderSettings): string[] {
  return [settings.interchange.apiKey, settings.commerceLayer.clientSecret].filter(
    (v): v is string => typeof v === "string" && v !== "",
  );
}

/**
 * Run a lookup: check the arguments, read with the context `contextFor` gives for the account they name (undefined:
 * the default account), check the result against the lookup's own schema, and redact the account's credentials (and
 * `moreSecrets`) from any error.
 */
export async function runLookup<A extends object, R extends object>(
  def: LookupDefinition<A, R>,
  args: Record<string, unknown>,
  contextFor: (account: string | undefined, platform: AccountPlatform) => ProviderContext,
  moreSecrets: () => readonly string[] = () => [],
): Promise<R> {
  const checked = checkLookupArgs(def, args);
  const account = (checked as { account?: unknown }).account;
  let ctx: ProviderContext | undefined;
  try {
    ctx = contextFor(typeof account === "string" ? account : undefined, def.token.module);
    const result = await def.read(ctx, checked);
    const parsed = def.result.safeParse(result);
    if (!parsed.success) {
      throw new BugError(`${def.token.name} built a result that does not match its own schema`);
    }
    return parsed.data;
  } catch (err) {
    throw redactedLookupError(err, [...(ctx ? settingsCredentials(ctx.settings) : []), ...moreSecrets()]);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Contexts of a program's process

/** Contexts built for programs, by the settings they hold (one HTTP client and token cache per distinct account). */
const programContexts = new Map<string, ProviderContext>();

/**
 * The context of an account for a lookup run in a program's process, from `source` (the program's stack config,
 * secrets decrypted) and the environment, resolved exactly as the resources' provider resolves them. Contexts are
 * shared by every lookup whose account resolves to the same settings, so one program's lookups share one token; a
 * changed config (another run of an inline program) gets new ones. Throws a ConfigurationError naming the commands
 * that declare an account the config lacks, or its missing credential, before any request.
 */
export function programContext(
  source: ConfigSource,
  account: string | undefined,
  platform: AccountPlatform,
  env: NodeJS.ProcessEnv = process.env,
): ProviderContext {
  const defaults = resolveSettings(source, env);
  let settings = defaults;
  if (account !== undefined) {
    const accounts = declaredAccounts(source);
    settings = resolveAccountSettings(account, accounts, defaults, platform);
    const problem = accountProblem(account, platform, accounts, defaults);
    if (problem !== undefined) throw new ConfigurationError(problem);
  }
  // The key holds the credentials, in this process's memory only: two accounts with the same URLs but other keys
  // must not share a token.
  const key = JSON.stringify([account ?? null, settings]);
  let ctx = programContexts.get(key);
  if (!ctx) {
    ctx = new ProviderContext(settings, { account });
    programContexts.set(key, ctx);
  }
  return ctx;
}

// ---------------------------------------------------------------------------------------------------------------
// Every lookup

/* eslint-disable @typescript-eslint/no-require-imports -- lazy loading by design, as provider/definitions.ts */
const loaders: Record<string, () => LookupDefinition> = {
  "interchange:getStorefront": () => require("./interchange/lookups").storefrontLookup,
  "commercelayer:getOrganization": () => require("./commercelayer/lookups").organizationLookup,
  "commercelayer:getRole": () => require("./commercelayer/lookups").roleLookup,
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** Keys of every lookup, `<module>:<name>`. */
export const lookupKinds = Object.keys(loaders);

/** The lookup of a kind (`interchange:getStorefront`), or undefined for a kind that is not a lookup. */
export function lookupFor(kind: string): LookupDefinition | undefined {
  const load = loaders[kind];
  if (!load) return undefined;
  const def = load();
  if (!def) throw new BugError(`lookup ${kind} has no definition export`);
  return def;
}
