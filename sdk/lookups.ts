/**
 * Running a lookup (a data source: a read that manages nothing) in the program's own process, the way the resources'
 * provider would: the settings come from the stack config the program sees (`interchange:*`, `commercelayer:*`,
 * `platform-credentials:accounts.<name>.*`, secrets decrypted by the engine for the program) over the environment,
 * resolved by the same code (provider/config.ts). Nothing is registered with the engine, so a lookup leaves no trace
 * in state; it runs in previews too, since it only reads.
 *
 * The core is loaded on the first call, so programs that never look anything up never load the HTTP client.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as LookupModule from "../provider/lookup";

/** Compile-time check that an SDK type and the lookup's declared schema type are the same. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

function core(): typeof LookupModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, see the module comment
  return require("../provider/lookup") as typeof LookupModule;
}

/** Reads one stack config value of the running program (secrets decrypted), as the provider's `configure` sees it. */
function stackConfig(key: string): string | undefined {
  return pulumi.runtime.getConfig(key);
}

function withoutUndefined(args: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, v]) => v !== undefined));
}

/** The type of `@pulumi/pulumi/runtime/mocks`' MockMonitor (its module is not part of the SDK's typed surface). */
type MockMonitorClass = new (...args: never[]) => unknown;

/**
 * Whether the program runs under `pulumi.runtime.setMocks` (a unit test). @pulumi/pulumi has no public predicate for
 * it; the monitor it installs is its own MockMonitor. If the modules ever move, this answers false and the lookups
 * read the platform as in a real run.
 */
function underMocks(): boolean {
  try {
    /* eslint-disable @typescript-eslint/no-require-imports -- internals of the @pulumi/pulumi this module uses */
    const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): unknown };
    const { MockMonitor } = require("@pulumi/pulumi/runtime/mocks") as { MockMonitor: MockMonitorClass };
    /* eslint-enable @typescript-eslint/no-require-imports */
    return settings.getMonitor() instanceof MockMonitor;
  } catch {
    return false;
  }
}

/**
 * Run the lookup of `kind` (`interchange:getStorefront`) with plain arguments. Under `pulumi.runtime.setMocks` the
 * lookup is an invoke of the function token `platform-credentials:<module>:<name>` (the provider plugin's token), so a
 * unit test's `mocks.call` answers it and nothing reaches a platform. Rejects with a LookupArgumentsError
 * naming each bad argument, a ConfigurationError naming the config key to set, a LookupError naming the argument
 * that matched nothing, or an ApiError; no message ever holds a configured credential.
 */
export function invokeLookup<R>(kind: string, args: object): Promise<R> {
  if (underMocks()) {
    return pulumi.runtime.invoke(`platform-credentials:${kind}`, withoutUndefined(args)) as Promise<R>;
  }
  const { lookupFor, programContext, runLookup } = core();
  const def = lookupFor(kind);
  if (!def) return Promise.reject(new Error(`${kind} is not a lookup of pulumi-platform-credentials`));
  return runLookup(def, withoutUndefined(args), (account, platform) =>
    programContext(stackConfig, account, platform),
  ) as Promise<R>;
}

/**
 * {@link invokeLookup} over arguments that may be outputs of other resources: the lookup runs once they are known
 * (in a preview, an argument computed from a resource being created leaves the result unknown), and the result is
 * secret when an argument was.
 */
export function invokeLookupOutput<R>(kind: string, args: object): pulumi.Output<R> {
  return pulumi.output(args).apply((plain) => invokeLookup<R>(kind, plain as object)) as pulumi.Output<R>;
}
