/**
 * `node dist/bench/inProcess.js [rounds]`: a micro-benchmark of this package's code alone, without the engine or
 * Pulumi's host (not part of `npm run bench`, whose figures come from the real CLI). The
 * Commerce Layer ApiCredential is driven in this process through the dynamic-provider adapter's functions, exactly
 * as the shims call them inside the host (check, create, read, remove with `kind = "commercelayer:ApiCredential"`
 * and the `__provider` property in every bag), against the emulator in a process of its own; the baseline is the
 * same HTTP calls straight on undici ({@link directContender}). Create + read + delete of 200
 * credentials, 16 in flight; A/B rounds interleaved (order alternating), the median of the per-round ratios.
 *
 * Run it with `node --cpu-prof` to profile the provider's code alone.
 */
import { Agent, request } from "undici";
import { configureProvider } from "../provider/context";
import { closeHttpConnections } from "../provider/http";
import * as adapter from "../provider/pulumi/adapter";
import { inFlight } from "./direct";
import { EmulatorProcess } from "./emulator";
import { median } from "./report";

/** Credentials per round. */
const RESOURCES = 200;
/** Operations in flight. */
const PARALLEL = 16;

async function timed(work: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * The same HTTP calls the provider makes (token once, then POST, GET, DELETE per credential), straight on undici.
 * Returns one round's milliseconds.
 */
function directContender(
  endpoints: { commerceLayerApiUrl: string; commerceLayerAuthUrl: string },
  round: () => number,
): () => Promise<number> {
  const dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 32 });
  const api = endpoints.commerceLayerApiUrl;
  const headers = (token: string) => ({
    authorization: `Bearer ${token}`,
    accept: "application/vnd.api+json",
    "content-type": "application/vnd.api+json",
    "user-agent": "bench-direct",
  });
  return () =>
    timed(async () => {
      const tokenAnswer = await request(endpoints.commerceLayerAuthUrl, {
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
        const created = await request(`${api}/api_credentials?include=organization,role`, {
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
        const read = await request(`${api}/api_credentials/${data.id}?include=organization,role`, {
          dispatcher,
          headers: headers(token),
        });
        await read.body.json();
        const removed = await request(`${api}/api_credentials/${data.id}`, {
          method: "DELETE",
          dispatcher,
          headers: headers(token),
        });
        await removed.body.dump();
        if (removed.statusCode !== 204) throw new Error(`direct DELETE answered ${removed.statusCode}`);
      });
    });
}

const KIND = "commercelayer:ApiCredential";
/** Stands for the serialized provider the engine keeps in every property bag (about this size, see RESULTS.md). */
const PROVIDER_TEXT = `exports.handler = ${"/* serialized shim */ ".repeat(14)};`;

/** The in-process figure of one run. */
export interface InProcessFigures {
  rounds: number;
  /** Median over rounds of in-process provider time / direct undici time in the same round. */
  providerOverDirect: number;
  /** Median over rounds of (provider − direct) / 600 operations, in microseconds: our CPU per HTTP operation. */
  overheadUsPerOperation: number;
  /** Median over rounds of this process's CPU time (user + system) for the provider / for direct undici. */
  cpuOverDirect: number;
  /** Median CPU time of this process per HTTP operation, microseconds (the emulator's CPU is in its own process). */
  cpuUsPerOperation: { direct: number; provider: number };
  /** Median wall time of each contender, ms (context only). */
  medianMs: { direct: number; provider: number };
  /** HTTP calls each contender made per round (median). */
  callsPerRound: { direct: number; provider: number };
}

const pad = (i: number): string => String(i).padStart(3, "0");
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Create (after check) + read + delete of 200 credentials through the adapter, 16 in flight; milliseconds. */
function providerContender(round: () => number): () => Promise<number> {
  return () => {
    const r = round();
    return timed(() =>
      inFlight(range(RESOURCES), PARALLEL, async (i) => {
        const news = {
          organizationId: "BlueBrnd01",
          name: `inprocess-${r}-${pad(i)}`,
          kind: "integration",
          roleId: "BlueRead01",
          __provider: PROVIDER_TEXT,
        };
        // What Pulumi's host does around each call: it strips nothing and adds `__provider` to what it stores.
        const checked = await adapter.check(KIND, {}, news);
        if (checked.failures?.length) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
        const inputs = { ...checked.inputs, __provider: PROVIDER_TEXT };
        const created = await adapter.create(KIND, inputs);
        const read = await adapter.read(KIND, created.id, { ...created.outs, __provider: PROVIDER_TEXT });
        if (read.id !== created.id) throw new Error(`read lost ${created.id}`);
        await adapter.remove(KIND, created.id, { ...read.props, __provider: PROVIDER_TEXT });
      }),
    );
  };
}

/**
 * Interleaved rounds of the in-process provider and direct undici against `emulator` (reset first: no faults; the
 * bench seed has no rate limit). The provider is configured with the emulator's Commerce Layer endpoints.
 */
export async function inProcessFigures(emulator: EmulatorProcess, rounds: number): Promise<InProcessFigures> {
  await emulator.prepare(0);
  const { commerceLayerApiUrl, commerceLayerAuthUrl } = emulator.endpoints;
  const config: Record<string, string> = {
    "commercelayer:clientId": "cl-emulator-client",
    "commercelayer:clientSecret": "cl-emulator-secret",
    "commercelayer:authUrl": commerceLayerAuthUrl,
    "commercelayer:baseUrl": commerceLayerApiUrl,
  };
  configureProvider((key) => config[key]);
  let counter = 0;
  const round = () => ++counter;
  const contenders = { direct: directContender(emulator.endpoints, round), provider: providerContender(round) };
  const names = ["direct", "provider"] as const;
  const times = { direct: [] as number[], provider: [] as number[] };
  const cpu = { direct: [] as number[], provider: [] as number[] };
  const calls = { direct: [] as number[], provider: [] as number[] };
  // Warm-up: JIT (the adapter's code reaches its optimized tier only after a few rounds), pools, the token.
  for (let w = 0; w < 5; w++) for (const name of names) await contenders[name]();
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? [...names].reverse() : names;
    for (const name of order) {
      await emulator.takeCounts();
      const before = process.cpuUsage();
      times[name].push(await contenders[name]());
      const used = process.cpuUsage(before);
      cpu[name].push((used.user + used.system) / 1000);
      calls[name].push(Object.values(await emulator.takeCounts()).reduce((a, b) => a + b, 0));
    }
  }
  const operations = RESOURCES * 3;
  return {
    rounds,
    providerOverDirect: median(times.provider.map((v, i) => v / (times.direct[i] ?? v))),
    overheadUsPerOperation:
      (median(times.provider.map((v, i) => v - (times.direct[i] ?? v))) * 1000) / Math.max(1, operations),
    cpuOverDirect: median(cpu.provider.map((v, i) => v / (cpu.direct[i] ?? v))),
    cpuUsPerOperation: {
      direct: (median(cpu.direct) * 1000) / operations,
      provider: (median(cpu.provider) * 1000) / operations,
    },
    medianMs: { direct: median(times.direct), provider: median(times.provider) },
    callsPerRound: { direct: median(calls.direct), provider: median(calls.provider) },
  };
}

async function main(): Promise<void> {
  const rounds = Number(process.argv[2] ?? process.env["BENCH_INPROCESS_ROUNDS"] ?? 25);
  const emulator = await EmulatorProcess.start();
  try {
    const figures = await inProcessFigures(emulator, rounds);
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
  } finally {
    await emulator.close();
    await closeHttpConnections();
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
