/**
 * Support of the fault-tolerance suite: the emulator, a project with the built package installed, configured
 * dynamic-provider hosts (a fresh process per case, as every `pulumi` command starts one; the next one is started in
 * the background while a case runs), the serialized provider text of each resource, in-process set-up through the
 * resource definitions (fast, and it leaves no cache in the host under test), request counts and fault injection.
 *
 * Needs `npx tsc -p tsconfig.json` first (`npm test` builds).
 */
import { afterAll, beforeAll } from "vitest";
import { resolve } from "node:path";
import { startEmulator, type FaultSpec, type RunningEmulator } from "../../emulator/server";
import { EMULATOR_INTERCHANGE_KEYS } from "../../emulator/seed";
import { startDynamicProviderHost, urn, type DynamicProviderHost, type PropertyMap } from "../../engine/host";
import { runProgram } from "../../engine/program";
import { prepareProject, type PulumiProject } from "../../engine/project";
import { reveal, Secret } from "../../engine/secrets";
import { resolveSettings } from "../../provider/config";
import { ProviderContext } from "../../provider/context";
import { closeHttpConnections } from "../../provider/http";

/** The default seed's Commerce Layer provisioning client. */
export const CL_CLIENT = { id: "cl-emulator-client", secret: "cl-emulator-secret" } as const;
/** The default seed's Interchange key of customer acme. */
export const ACME_KEY = EMULATOR_INTERCHANGE_KEYS.acme;

/** Type tokens of the three resources, keyed by definition kind. */
export const TYPES = {
  "interchange:StorefrontSourceCredential": "pulumi-nodejs:dynamic/interchange:StorefrontSourceCredential",
  "interchange:DataDeliveryCredential": "pulumi-nodejs:dynamic/interchange:DataDeliveryCredential",
  "commercelayer:ApiCredential": "pulumi-nodejs:dynamic/commercelayer:ApiCredential",
} as const;

/** A resource kind of the definitions registry. */
export type Kind = keyof typeof TYPES;

const PROGRAMS: Record<Kind, string> = {
  "interchange:StorefrontSourceCredential": "sourceCredential.js",
  "interchange:DataDeliveryCredential": "dataDelivery.js",
  "commercelayer:ApiCredential": "commercelayer.js",
};

/** What a suite works with; read inside tests and hooks. */
export interface FaultBench {
  readonly emulator: RunningEmulator;
  readonly project: PulumiProject;
  /** The serialized provider text of the resource (from a real program run under mocks). */
  readonly providerText: string;
  /** Stack config of the hosts (secrets marked). */
  readonly config: Record<string, string | Secret<string>>;
  /** The same config as plain values (for in-process set-up). */
  readonly plainConfig: Record<string, string>;
  /** A configured host in a fresh process (the next one is already starting). Closed by the suite. */
  freshHost(): Promise<DynamicProviderHost>;
  /** A host configured with the suite's config plus `overrides` (the host honours only its first Configure). */
  hostWith(overrides: Record<string, string | Secret<string>>): Promise<DynamicProviderHost>;
  /** The provider text of another resource kind (the shims differ only in the kind they name). */
  providerTextOf(kind: Kind): string;
  /** A provider context in this process with nothing cached (set-up and checks through the definitions). */
  context(): ProviderContext;
  /** Back to the default seed (faults and counts cleared), then apply `settings` to Interchange. */
  reset(interchangeSettings?: Record<string, unknown>): Promise<void>;
  /** Requests per route (`"METHOD /template"`) since the last clear. */
  counts(): Record<string, number>;
  /** Zero the request counts. */
  clearCounts(): void;
  /** Inject a fault. */
  fault(spec: FaultSpec): void;
  /** Every secret the suite handed out (keys, tokens, client secrets); none may appear in an error text. */
  readonly secrets: string[];
}

/** Extra settings of {@link useFaultBench}. */
export interface FaultBenchOptions {
  /** Extra stack config of the hosts, e.g. a wrong key. */
  config?: Record<string, string | Secret<string>>;
  /** Retries of the provider's HTTP client (default 2: one fault is always survivable, storms are visible). */
  maxRetries?: number;
}

/**
 * One emulator, one project and the serialized provider of `kind` for the suite, with hosts configured against the
 * emulator (retries short, per-attempt timeout 5 s).
 */
export function useFaultBench(kind: Kind, options: FaultBenchOptions = {}): { readonly current: FaultBench } {
  let bench: FaultBench | undefined;
  const hosts: DynamicProviderHost[] = [];
  let spare: Promise<DynamicProviderHost> | undefined;

  beforeAll(async () => {
    const emulator = await startEmulator({ host: "127.0.0.1", port: 0, interchangeRateLimitPerMinute: 0 });
    const project = await prepareProject();
    const config: Record<string, string | Secret<string>> = {
      "interchange:apiKey": new Secret(ACME_KEY),
      "interchange:baseUrl": emulator.interchangeUrl,
      "commercelayer:clientId": CL_CLIENT.id,
      "commercelayer:clientSecret": new Secret(CL_CLIENT.secret),
      "commercelayer:authUrl": emulator.commerceLayerAuthUrl,
      "commercelayer:baseUrl": emulator.commerceLayerApiUrl,
      "platform-credentials:httpMaxRetries": String(options.maxRetries ?? 2),
      "platform-credentials:httpTimeoutSeconds": "5",
      "platform-credentials:httpMaxRetryAfterSeconds": "5",
      ...options.config,
    };
    const plainConfig = reveal<Record<string, string>>(config);
    const run = await runProgram({
      project,
      program: resolve(__dirname, "..", "fixtures", "programs", PROGRAMS[kind]),
      config: { "fixture:token": new Secret("fault-suite-program-token"), "fixture:sasToken": new Secret("sv=x") },
    });
    const registration = run.registrations.find((r) => r.type === TYPES[kind]);
    if (!registration?.providerText) throw new Error(`the fixture program registered no ${TYPES[kind]}`);

    const startHost = async (): Promise<DynamicProviderHost> => {
      const host = await startDynamicProviderHost(project);
      hosts.push(host);
      await host.configure(config);
      // Load the adapter and the definition now (a check makes no API call), so the case measures the operation,
      // not module loading, and the next host warms up while a case waits on retries.
      await host.check(urn(TYPES[kind], "warm-up"), {}, { __provider: registration.providerText });
      return host;
    };
    bench = {
      emulator,
      project,
      providerText: registration.providerText,
      config,
      plainConfig,
      async freshHost() {
        const next = spare ?? startHost();
        spare = startHost();
        // A spare that failed to start must not surface as an unhandled rejection; the next call reports it.
        spare.catch(() => undefined);
        return next;
      },
      async hostWith(overrides) {
        const host = await startDynamicProviderHost(project);
        hosts.push(host);
        await host.configure({ ...config, ...overrides });
        return host;
      },
      providerTextOf: (other) => (registration.providerText ?? "").split(kind).join(other),
      context: () => new ProviderContext(resolveSettings((key) => plainConfig[key], {})),
      async reset(interchangeSettings) {
        emulator.reset();
        if (interchangeSettings) {
          const answer = await fetch(`${emulator.adminUrl}/interchange/settings`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(interchangeSettings),
          });
          if (answer.status !== 200) throw new Error(`settings answered ${answer.status}: ${await answer.text()}`);
        }
      },
      counts: () => emulator.requestCounts(),
      clearCounts: () => emulator.clearRequestCounts(),
      fault: (spec) => void emulator.addFault(spec),
      secrets: [ACME_KEY, CL_CLIENT.secret, "fault-suite-program-token"],
    };
  });

  afterAll(async () => {
    if (spare) await spare.catch(() => undefined);
    await Promise.all(hosts.map((h) => h.close()));
    await closeHttpConnections();
    await bench?.emulator.close();
    await bench?.project.cleanup();
  });

  return {
    get current(): FaultBench {
      if (!bench) throw new Error("the fault bench is not started yet (use .current inside tests)");
      return bench;
    },
  };
}

/** Host property maps for a resource's inputs: the serialized provider added, as the engine sends them. */
export function withProvider(bench: FaultBench, props: PropertyMap): PropertyMap {
  return { ...props, __provider: bench.providerText };
}

/** The URN of a resource of `kind` named `name`. */
export function urnOf(kind: Kind, name: string): string {
  return urn(TYPES[kind], name);
}

/** Sum of request counts whose route key starts with one of `prefixes` (e.g. `"GET /api/"`). */
export function totalRequests(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/**
 * Every API call an operation made, as `(route, occurrence)` pairs: a fault with `path` = the route's template,
 * `method` and `skip` = occurrence hits exactly that call.
 */
export function callsOf(counts: Record<string, number>): { method: string; path: string; occurrence: number }[] {
  return Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([route, n]) => {
      const space = route.indexOf(" ");
      const method = route.slice(0, space);
      const path = route.slice(space + 1);
      return Array.from({ length: n }, (_, occurrence) => ({ method, path, occurrence }));
    });
}

/** The four faults of the suite, as emulator fault specs for one call. Writes get the ambiguous form (`after`). */
export const FAULT_KINDS = ["429", "503", "reset", "malformed"] as const;
/** One of {@link FAULT_KINDS}. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The fault spec of `kind` for the `occurrence`-th call of `method path`. */
export function faultFor(kind: FaultKind, call: { method: string; path: string; occurrence: number }): FaultSpec {
  const target = { method: call.method, path: call.path, skip: call.occurrence, times: 1 };
  // A write that took effect and then lost its answer is the dangerous case (duplicates, orphans): faults other
  // than 429 (which by definition means "not processed") run the real handler first on writes.
  const after = call.method !== "GET";
  switch (kind) {
    case "429":
      return { ...target, status: 429, retryAfter: 0 };
    case "503":
      return { ...target, status: 503, after };
    case "reset":
      return { ...target, reset: true, after };
    case "malformed":
      return { ...target, malformed: true, after };
  }
}

/** The message of a rejected host call, or undefined when it succeeded. */
export async function outcomeOf<T>(work: Promise<T>): Promise<{ value?: T; error?: Error }> {
  try {
    return { value: await work };
  } catch (err) {
    return { error: err instanceof Error ? err : new Error(String(err)) };
  }
}
