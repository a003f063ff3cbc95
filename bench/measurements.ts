/**
 * The measurements of `npm run bench`. Each returns plain data for the report (bench/report.ts); every figure that
 * varies between runs is the median of several runs.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { Agent, request } from "undici";
import type { DynamicProviderHost, PropertyMap } from "../engine/host";
import { prepareProject } from "../engine/project";
import { Secret } from "../engine/secrets";
import { registrationsIn, type BenchResource, type BenchStack } from "./stack";

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Runs `work` for every item with at most `limit` in flight. */
export async function inFlight<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const pad = (i: number): string => String(i).padStart(3, "0");

// ---------------------------------------------------------------------------------------------------------------
// HTTP calls per operation

/** A lifecycle operation. */
export type Operation = "create" | "read" | "update" | "delete";

/** Calls of one operation: total and per route. */
export interface OperationCalls {
  calls: number;
  routes: Record<string, number>;
}

/** The resources of this package (not the naive peer nor the no-op floor). */
export type ProductResource = Exclude<BenchResource, "naive" | "floor">;

/**
 * The fewest calls the APIs allow for each operation with the outputs the design promises, and why (API.md,
 * DESIGN.md). The Commerce Layer token call is per process, not per operation, and is listed apart.
 */
export const MINIMUM_CALLS: Record<ProductResource, Record<Operation, { calls: number; why: string }>> = {
  source: {
    create: {
      calls: 4,
      why: "list (refuse a silent takeover unless adopt), register POST, list (sources/accountType/updatedAt are not in the POST answer), storefront (connected)",
    },
    read: { calls: 2, why: "list (no get-one endpoint), storefront (connected); both shared by every read of a batch" },
    update: { calls: 4, why: "list (baseline to reconcile an ambiguous POST), register POST, list, storefront" },
    delete: { calls: 0, why: "the API has no revoke" },
  },
  delivery: {
    create: {
      calls: 3,
      why: "GET advertiser (siblings to re-send), PUT the whole list, ≥1 GET until the probe leaves PENDING",
    },
    read: { calls: 3, why: "GET advertiser, POST validate (answers PENDING), ≥1 GET for the probe's outcome" },
    update: { calls: 3, why: "GET advertiser, PUT, ≥1 GET for the probe" },
    delete: { calls: 2, why: "GET advertiser, PUT without the entry" },
  },
  apiCredential: {
    create: { calls: 1, why: "POST (+1 token per process)" },
    read: { calls: 1, why: "GET (+1 token per process)" },
    update: { calls: 1, why: "PATCH (+1 token per process)" },
    delete: { calls: 1, why: "DELETE (+1 token per process)" },
  },
};

const UPDATES: Record<ProductResource, PropertyMap> = {
  source: { auth: new Secret({ type: "apiKey", token: "bench-source-token-rotated" }) },
  delivery: { destination: { type: "GCS", bucket: "acme-bench-lld-2" } },
  apiCredential: { name: "bench-integration-renamed" },
};

/**
 * Calls of create, read, update and delete of one resource, each in a fresh host process (as each `pulumi` command
 * starts one, so nothing is cached from the previous step). Token calls are reported in the routes but not counted.
 */
export async function callsPerOperation(
  stack: BenchStack,
  kind: ProductResource,
): Promise<Record<Operation, OperationCalls>> {
  await stack.emulator.reset();
  const name = `calls-${kind}`;
  const resourceUrn = stack.urn(kind, name);
  const inputs = stack.inputs(kind);
  const measure = async (work: (host: DynamicProviderHost) => Promise<void>): Promise<OperationCalls> => {
    const host = await stack.host();
    await stack.emulator.takeCounts();
    try {
      await work(host);
    } finally {
      await host.close();
    }
    const routes = await stack.emulator.takeCounts();
    const calls = Object.entries(routes)
      .filter(([route]) => !route.endsWith("/oauth/token"))
      .reduce((sum, [, n]) => sum + n, 0);
    return { calls, routes };
  };
  let created: { id: string; outputs: PropertyMap } | undefined;
  const create = await measure(async (host) => {
    const checked = await host.check(resourceUrn, {}, inputs);
    created = await host.create(resourceUrn, checked.inputs);
  });
  if (!created) throw new Error(`create of ${kind} returned nothing`);
  const { id } = created;
  let outputs = created.outputs;
  const read = await measure(async (host) => {
    outputs = (await host.read(id, resourceUrn, outputs, inputs)).outputs;
  });
  const update = await measure(async (host) => {
    const checked = await host.check(resourceUrn, inputs, stack.inputs(kind, UPDATES[kind]));
    outputs = (await host.update(id, resourceUrn, outputs, checked.inputs)).outputs;
  });
  const remove = await measure((host) => host.delete(id, resourceUrn, outputs));
  return { create, read, update, delete: remove };
}

/** Calls to create 200 storefront source credentials and to refresh them, through the host. */
export interface SourceBatchCalls {
  /** Calls to create all 200 with 16 in flight (one host). */
  create200: OperationCalls;
  /** Calls to refresh all 200 at once in a fresh host (the engine's default: unbounded parallelism). */
  refresh200AllAtOnce: OperationCalls;
  /** Calls to refresh all 200 with 16 in flight in a fresh host (`pulumi refresh --parallel 16`). */
  refresh200Parallel16: OperationCalls;
}

/** Creates 200 storefront source credentials, then refreshes them twice (all at once; 16 in flight). */
export async function sourceBatchCalls(stack: BenchStack): Promise<SourceBatchCalls> {
  await stack.emulator.reset();
  const count = async (): Promise<OperationCalls> => {
    const routes = await stack.emulator.takeCounts();
    return { calls: Object.values(routes).reduce((a, b) => a + b, 0), routes };
  };
  const created: { id: string; name: string; outputs: PropertyMap; inputs: PropertyMap }[] = [];
  const creator = await stack.host();
  await stack.emulator.takeCounts();
  await inFlight(range(200), 16, async (i) => {
    const name = `batch-${pad(i)}`;
    const inputs = stack.inputs("source", { accountIdentifier: `bench-account-${pad(i)}` });
    const checked = await creator.check(stack.urn("source", name), {}, inputs);
    const result = await creator.create(stack.urn("source", name), checked.inputs);
    created.push({ id: result.id, name, outputs: result.outputs, inputs: checked.inputs });
  });
  await creator.close();
  const create200 = await count();
  const refresh = async (limit: number): Promise<OperationCalls> => {
    const host = await stack.host();
    await stack.emulator.takeCounts();
    await inFlight(created, limit, async (c) => {
      const read = await host.read(c.id, stack.urn("source", c.name), c.outputs, c.inputs);
      if (read.id !== c.id) throw new Error(`refresh lost ${c.name}`);
    });
    await host.close();
    return count();
  };
  return { create200, refresh200AllAtOnce: await refresh(200), refresh200Parallel16: await refresh(16) };
}

// ---------------------------------------------------------------------------------------------------------------
// __provider size and stability across package versions

/** Size of each resource's serialized provider, and whether a second build with another version changes it. */
export interface ProviderTextFigures {
  bytes: Record<ProductResource, number>;
  naiveBytes: number;
  /** The version of the second build. */
  otherVersion: string;
  /** Whether every resource's text is byte-identical between the two builds. */
  identicalAcrossVersions: boolean;
  /** Whether any text names the package version or a path of the build machine. */
  containsVersionOrPath: boolean;
}

/**
 * Sizes from the program's registrations; then the package is built a second time (`tsc --outDir`) into a copy whose
 * package.json carries another version, installed into a second project, and the program is run there.
 */
export async function providerTextFigures(stack: BenchStack, packageRoot: string): Promise<ProviderTextFigures> {
  const kinds = ["source", "delivery", "apiCredential"] as const;
  const text = (kind: BenchResource, regs = stack.registrations): string => regs[kind].providerText ?? "";
  const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version: string };
  const otherVersion = `${manifest.version}-bench.2`;
  const copy = mkdtempSync(join(tmpdir(), "bench-second-build-"));
  try {
    writeFileSync(join(copy, "package.json"), JSON.stringify({ ...manifest, version: otherVersion }, null, 2));
    cpSync(join(packageRoot, "emulator", "contracts"), join(copy, "emulator", "contracts"), { recursive: true });
    symlinkSync(join(packageRoot, "node_modules"), join(copy, "node_modules"), "junction");
    const tsc = resolve(packageRoot, "node_modules", "typescript", "bin", "tsc");
    // Type errors elsewhere in the tree do not stop tsc from emitting; only the emitted program matters here.
    await promisify(execFile)(
      process.execPath,
      [tsc, "-p", join(packageRoot, "tsconfig.json"), "--outDir", join(copy, "dist")],
      {
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch(() => undefined);
    if (!existsSync(join(copy, "dist", "bench", "program.js"))) throw new Error("the second build emitted nothing");
    const project = await prepareProject({ packageRoot: copy });
    try {
      const second = await registrationsIn(project, join(copy, "dist", "bench"));
      const all = kinds.map((k) => text(k));
      return {
        bytes: Object.fromEntries(kinds.map((k) => [k, Buffer.byteLength(text(k))])) as ProviderTextFigures["bytes"],
        naiveBytes: Buffer.byteLength(text("naive")),
        otherVersion,
        identicalAcrossVersions: kinds.every((k) => text(k) === text(k, second)),
        containsVersionOrPath: all.some(
          (t) =>
            t.includes(manifest.version) || t.includes(otherVersion) || t.includes(packageRoot) || t.includes(copy),
        ),
      };
    } finally {
      await project.cleanup();
    }
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Overhead over direct undici calls, with the naive provider as a peer

/** Resources per overhead round. */
export const RESOURCES = 200;
/** Operations in flight in an overhead round. */
export const PARALLEL = 16;

/** One contender's create + read + delete of 200 API credentials, 16 in flight; returns milliseconds. */
type Contender = () => Promise<number>;

/** Milliseconds `work` takes. */
export async function timed(work: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * The same HTTP calls the provider makes (token once, then POST, GET, DELETE per credential), straight on undici.
 * Returns one round's milliseconds.
 */
export function directContender(
  endpoints: { commerceLayerApiUrl: string; commerceLayerAuthUrl: string },
  round: () => number,
): () => Promise<number> {
  const { commerceLayerApiUrl, commerceLayerAuthUrl } = endpoints;
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 32 });
  const api = new URL(commerceLayerApiUrl);
  const headers = (token: string) => ({
    authorization: `Bearer ${token}`,
    accept: "application/vnd.api+json",
    "content-type": "application/vnd.api+json",
    "user-agent": "bench-direct",
  });
  return () =>
    timed(async () => {
      const tokenAnswer = await request(commerceLayerAuthUrl, {
        method: "POST",
        dispatcher,
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({
          grant_type: "client_credentials",
          client_id: "cl-emulator-client",
          client_secret: "cl-emulator-secret",
        }),
      });
      const { access_token: token } = (await tokenAnswer.body.json()) as { access_token: string };
      const r = round();
      await inFlight(range(RESOURCES), PARALLEL, async (i) => {
        const created = await request(`${api.origin}${api.pathname}/api_credentials?include=organization,role`, {
          method: "POST",
          dispatcher,
          headers: headers(token),
          body: JSON.stringify({
            data: {
              type: "api_credentials",
              attributes: { name: `direct-${r}-${pad(i)}`, kind: "integration", mode: "test", custom: false },
              relationships: {
                organization: { data: { type: "organizations", id: "BlueBrnd01" } },
                role: { data: { type: "roles", id: "BlueRead01" } },
              },
            },
          }),
        });
        if (created.statusCode !== 201) throw new Error(`direct POST answered ${created.statusCode}`);
        const { data } = (await created.body.json()) as { data: { id: string } };
        const read = await request(
          `${api.origin}${api.pathname}/api_credentials/${data.id}?include=organization,role`,
          {
            dispatcher,
            headers: headers(token),
          },
        );
        await read.body.json();
        const removed = await request(`${api.origin}${api.pathname}/api_credentials/${data.id}`, {
          method: "DELETE",
          dispatcher,
          headers: headers(token),
        });
        await removed.body.dump();
        if (removed.statusCode !== 204) throw new Error(`direct DELETE answered ${removed.statusCode}`);
      });
    });
}

/** create (after check) + read + delete of 200 resources through one warm host, 16 in flight. */
function hostContender(
  stack: BenchStack,
  host: DynamicProviderHost,
  kind: "apiCredential" | "naive" | "floor",
  round: () => number,
): Contender {
  return () => {
    const r = round();
    return timed(() =>
      inFlight(range(RESOURCES), PARALLEL, async (i) => {
        const name = `${kind}-${r}-${pad(i)}`;
        const resourceUrn = stack.urn(kind, name);
        const inputs = stack.inputs(kind, { name });
        const checked = await host.check(resourceUrn, {}, inputs);
        const created = await host.create(resourceUrn, checked.inputs);
        const read = await host.read(created.id, resourceUrn, created.outputs, checked.inputs);
        await host.delete(created.id, resourceUrn, read.outputs);
      }),
    );
  };
}

/** Ratios of one latency setting. */
export interface OverheadFigures {
  /** Latency injected by the emulator on every Commerce Layer call, in ms (0: none, the emulator answers at once). */
  latencyMs: number;
  rounds: number;
  /** Median wall time of each contender, ms (for context only; compare the ratios). */
  medianMs: { direct: number; provider: number; naive: number; floor: number };
  /** Median over rounds of provider time / direct time in the same round. */
  providerOverDirect: number;
  /** Median over rounds of naive time / direct time in the same round. */
  naiveOverDirect: number;
  /** Median over rounds of provider time / naive time in the same round. */
  providerOverNaive: number;
  /** Median over rounds of floor time / direct time: what the host and driver alone cost, relative to the work. */
  floorOverDirect: number;
  /** Median over rounds of (provider − floor) / direct: the provider's time beyond the host's own cost. */
  providerBeyondFloorOverDirect: number;
  /** HTTP calls each contender made per round. */
  callsPerRound: { direct: number; provider: number; naive: number; floor: number };
}

const CL_ROUTES = ["/api/api_credentials", "/api/api_credentials/{apiCredentialId}", "/oauth/token"];

/** Options of {@link overheadFigures}. */
export interface OverheadOptions {
  /** Node options of the provider's host process (e.g. `--cpu-prof`). */
  providerHostExecArgv?: readonly string[];
}

/**
 * Interleaved rounds of the four contenders in one process run (the order rotates every round, so drift and
 * warm-up hit every contender alike). With `latencyMs` > 0 the emulator delays every Commerce Layer call by that
 * much. The floor is a no-op dynamic provider through the same host: Pulumi's host and the driver by themselves.
 */
export async function overheadFigures(
  stack: BenchStack,
  latencyMs: number,
  rounds: number,
  opts: OverheadOptions = {},
): Promise<OverheadFigures> {
  await stack.emulator.reset();
  for (const path of CL_ROUTES) {
    if (latencyMs > 0) await stack.emulator.admin("POST", "/faults", { path, delayMs: latencyMs, times: 10_000_000 });
  }
  let counter = 0;
  const round = () => ++counter;
  const providerHost = await stack.host(
    opts.providerHostExecArgv ? { execArgv: opts.providerHostExecArgv } : undefined,
  );
  const naiveHost = await stack.host();
  const floorHost = await stack.host();
  const contenders: Record<"direct" | "provider" | "naive" | "floor", Contender> = {
    direct: directContender(stack.emulator.endpoints, round),
    provider: hostContender(stack, providerHost, "apiCredential", round),
    naive: hostContender(stack, naiveHost, "naive", round),
    floor: hostContender(stack, floorHost, "floor", round),
  };
  const names = ["direct", "provider", "naive", "floor"] as const;
  const times: Record<(typeof names)[number], number[]> = { direct: [], provider: [], naive: [], floor: [] };
  const calls: Record<(typeof names)[number], number[]> = { direct: [], provider: [], naive: [], floor: [] };
  try {
    // One warm-up round each: JIT, connection pools, the hosts' module loading.
    for (const name of names) await contenders[name]();
    for (let r = 0; r < rounds; r++) {
      const order = names.map((_, i) => names[(i + r) % names.length] as (typeof names)[number]);
      for (const name of order) {
        await stack.emulator.takeCounts();
        times[name].push(await contenders[name]());
        calls[name].push(Object.values(await stack.emulator.takeCounts()).reduce((a, b) => a + b, 0));
      }
    }
  } finally {
    await providerHost.close();
    await naiveHost.close();
    await floorHost.close();
  }
  const ratio = (a: number[], b: number[]) => median(a.map((v, i) => v / (b[i] ?? v)));
  return {
    latencyMs,
    rounds,
    medianMs: {
      direct: median(times.direct),
      provider: median(times.provider),
      naive: median(times.naive),
      floor: median(times.floor),
    },
    providerOverDirect: ratio(times.provider, times.direct),
    naiveOverDirect: ratio(times.naive, times.direct),
    providerOverNaive: ratio(times.provider, times.naive),
    floorOverDirect: ratio(times.floor, times.direct),
    providerBeyondFloorOverDirect: ratio(
      times.provider.map((v, i) => v - (times.floor[i] ?? 0)),
      times.direct,
    ),
    callsPerRound: {
      direct: median(calls.direct),
      provider: median(calls.provider),
      naive: median(calls.naive),
      floor: median(calls.floor),
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Cold start and memory

/** Milliseconds from spawning a host to its first completed Create (configure and check included). */
export async function coldStartMs(
  stack: BenchStack,
  kind: "source" | "apiCredential",
  runs: number,
): Promise<number[]> {
  await stack.emulator.reset();
  const results: number[] = [];
  for (let i = 0; i < runs; i++) {
    const name = `cold-${pad(i)}`;
    const patch = kind === "source" ? { accountIdentifier: `bench-cold-${pad(i)}` } : { name };
    const inputs = stack.inputs(kind, patch);
    const start = process.hrtime.bigint();
    const host = await stack.host();
    const checked = await host.check(stack.urn(kind, name), {}, inputs);
    await host.create(stack.urn(kind, name), checked.inputs);
    results.push(Number(process.hrtime.bigint() - start) / 1e6);
    await host.close();
  }
  return results;
}

/** Resident memory of a process from /proc (Linux), in MB: current and peak. */
function residentMemoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** Host memory after `operations` Commerce Layer operations (create/read/delete cycles, 16 in flight). */
export async function hostMemoryAfter(
  stack: BenchStack,
  operations: number,
): Promise<{ rss: number; peak: number; baseline: number }> {
  await stack.emulator.reset();
  const host = await stack.host();
  try {
    const baseline = residentMemoryMb(host.pid).rss;
    const cycles = Math.ceil(operations / 3);
    await inFlight(range(cycles), PARALLEL, async (i) => {
      const name = `memory-${pad(i)}`;
      const resourceUrn = stack.urn("apiCredential", name);
      const inputs = stack.inputs("apiCredential", { name });
      const checked = await host.check(resourceUrn, {}, inputs);
      const created = await host.create(resourceUrn, checked.inputs);
      const read = await host.read(created.id, resourceUrn, created.outputs, checked.inputs);
      await host.delete(created.id, resourceUrn, read.outputs);
    });
    return { ...residentMemoryMb(host.pid), baseline };
  } finally {
    await host.close();
  }
}
