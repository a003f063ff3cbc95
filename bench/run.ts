/**
 * `npm run bench`: measures the provider against the emulator through Pulumi's real dynamic-provider host and writes
 * bench/RESULTS.md (a table with the machine, the date and each figure's median) and bench/results.json.
 * Targets: DESIGN.md "Performance targets". Never part of `npm test`.
 */
import { cpus, totalmem, release, platform } from "node:os";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  callsPerOperation,
  coldStartMs,
  hostMemoryAfter,
  median,
  MINIMUM_CALLS,
  overheadFigures,
  providerTextFigures,
  sourceBatchCalls,
  type Operation,
} from "./measurements";
import { startBenchStack } from "./stack";
import { inProcessFigures } from "./inProcess";

const PACKAGE_ROOT = resolve(__dirname, "..", "..");
const RUNS = 3;
const ROUNDS = 5;
const LATENCY_MS = 20;
const IN_PROCESS_ROUNDS = 25;

async function main(): Promise<void> {
  const started = Date.now();
  const log = (what: string) =>
    process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(1)} s] ${what}\n`);
  const stack = await startBenchStack({ packageRoot: PACKAGE_ROOT });
  try {
    log("HTTP calls per operation");
    const kinds = ["source", "delivery", "apiCredential"] as const;
    const ops: Operation[] = ["create", "read", "update", "delete"];
    const calls = {} as Record<
      (typeof kinds)[number],
      Record<Operation, { median: number; runs: number[]; routes: Record<string, number> }>
    >;
    for (const kind of kinds) {
      const runs: Awaited<ReturnType<typeof callsPerOperation>>[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await callsPerOperation(stack, kind));
      calls[kind] = Object.fromEntries(
        ops.map((op) => [
          op,
          {
            median: median(runs.map((r) => r[op].calls)),
            runs: runs.map((r) => r[op].calls),
            routes: runs[0]?.[op].routes ?? {},
          },
        ]),
      ) as (typeof calls)[typeof kind];
    }
    log("200 storefront source credentials");
    const batch = await sourceBatchCalls(stack);
    log("__provider sizes (second build)");
    const providerText = await providerTextFigures(stack, PACKAGE_ROOT);
    log("overhead, no injected latency");
    const overheadNoLatency = await overheadFigures(stack, 0, ROUNDS);
    log(`overhead, ${LATENCY_MS} ms injected latency`);
    const overheadLatency = await overheadFigures(stack, LATENCY_MS, ROUNDS);
    log("in-process provider, no host");
    const inProcess = await inProcessFigures(stack.emulator, IN_PROCESS_ROUNDS);
    log("cold start");
    const coldSource = await coldStartMs(stack, "source", 5);
    const coldApi = await coldStartMs(stack, "apiCredential", 5);
    log("memory after 1,000 operations");
    const memoryRuns = [];
    for (let i = 0; i < RUNS; i++) memoryRuns.push(await hostMemoryAfter(stack, 1000));

    const results = {
      date: new Date().toISOString(),
      machine: {
        cpu: cpus()[0]?.model ?? "unknown",
        cores: cpus().length,
        memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
        os: `${platform()} ${release()}`,
        node: process.version,
      },
      emulator: `separate process on loopback; rate limits off; no delay except where "latencyMs" says; probe delay ${200} ms (default)`,
      callsPerOperation: calls,
      minimumCalls: MINIMUM_CALLS,
      sourceBatch: batch,
      providerText,
      overhead: [overheadNoLatency, overheadLatency],
      inProcess,
      coldStartMs: {
        source: { median: median(coldSource), runs: coldSource },
        apiCredential: { median: median(coldApi), runs: coldApi },
      },
      hostMemoryMb: {
        rssAfter1000Ops: median(memoryRuns.map((m) => m.rss)),
        peak: median(memoryRuns.map((m) => m.peak)),
        baseline: median(memoryRuns.map((m) => m.baseline)),
        runs: memoryRuns,
      },
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
    writeFileSync(join(PACKAGE_ROOT, "bench", "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    writeFileSync(join(PACKAGE_ROOT, "bench", "RESULTS.md"), renderResults(results));
    log("wrote bench/RESULTS.md and bench/results.json");
  } finally {
    await stack.project.cleanup();
    await stack.emulator.close();
  }
}

function mark(ok: boolean): string {
  return ok ? "met" : "**missed**";
}

/** The Markdown report. */
function renderResults(r: {
  date: string;
  machine: { cpu: string; cores: number; memoryGb: number; os: string; node: string };
  emulator: string;
  callsPerOperation: Record<string, Record<string, { median: number; runs: number[]; routes: Record<string, number> }>>;
  minimumCalls: typeof MINIMUM_CALLS;
  sourceBatch: Awaited<ReturnType<typeof sourceBatchCalls>>;
  providerText: Awaited<ReturnType<typeof providerTextFigures>>;
  overhead: Awaited<ReturnType<typeof overheadFigures>>[];
  inProcess: Awaited<ReturnType<typeof inProcessFigures>>;
  coldStartMs: Record<string, { median: number; runs: number[] }>;
  hostMemoryMb: { rssAfter1000Ops: number; peak: number; baseline: number };
  durationSeconds: number;
}): string {
  const lines: string[] = [];
  const f1 = (n: number) => n.toFixed(1);
  const f2 = (n: number) => n.toFixed(2);
  lines.push("# Benchmark results", "");
  lines.push(
    "Written by `npm run bench` (bench/run.ts); explained in [docs/benchmarks.md](../docs/benchmarks.md). Targets from",
    "DESIGN.md. Every figure that varies is the median of several runs (counts in parentheses).",
    "",
  );
  lines.push("| | |", "|---|---|");
  lines.push(`| Date | ${r.date} |`);
  lines.push(
    `| Machine | ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGb} GB, ${r.machine.os}, Node ${r.machine.node} |`,
  );
  lines.push(`| Emulator | ${r.emulator} |`);
  lines.push(`| Bench duration | ${r.durationSeconds} s |`, "");

  lines.push("## Summary against the targets", "");
  lines.push("| Figure | Measured | Target | |", "|---|---|---|---|");
  const sizes = Object.values(r.providerText.bytes);
  const maxSize = Math.max(...sizes);
  lines.push(
    `| \`__provider\` bytes per resource (max) | ${maxSize} | ≤ 4096 and identical across versions | ${mark(maxSize <= 4096 && r.providerText.identicalAcrossVersions)} |`,
  );
  for (const o of r.overhead) {
    lines.push(
      `| Overhead: provider / direct undici, ${o.latencyMs ? `${o.latencyMs} ms injected latency` : "no injected latency"} (${o.rounds} rounds) | ${f2(o.providerOverDirect)}× | ≤ 1.25× | ${mark(o.providerOverDirect <= 1.25)} |`,
      `| of which Pulumi's host alone (no-op provider / direct), ${o.latencyMs} ms | ${f2(o.floorOverDirect)}× | (floor, not ours) | |`,
    );
  }
  lines.push(
    `| in-process provider / direct undici, 0 ms (${r.inProcess.rounds} rounds; no host, see below) | ${f2(r.inProcess.providerOverDirect)}× | (this package's code alone) | |`,
  );
  const cold = Math.max(...Object.values(r.coldStartMs).map((c) => c.median));
  lines.push(
    `| Host cold start to first completed Create (slowest resource) | ${Math.round(cold)} ms | ≤ 1500 ms | ${mark(cold <= 1500)} |`,
  );
  lines.push(
    `| Host RSS after 1,000 operations | ${f1(r.hostMemoryMb.rssAfter1000Ops)} MB | ≤ 150 MB | ${mark(r.hostMemoryMb.rssAfter1000Ops <= 150)} |`,
  );
  const createLists = r.sourceBatch.create200.routes["GET /api/v2/buyer/storefronts/credentials"] ?? 0;
  lines.push(
    `| List calls to create 200 storefront source credentials (16 in flight) | ${createLists} | O(batches), not 200 | ${mark(createLists <= 50)} |`,
  );
  const refresh = r.sourceBatch.refresh200AllAtOnce.calls;
  lines.push(
    `| Refresh of 200 storefront source credentials at once | ${refresh} calls | O(1), not 200 | ${mark(refresh <= 4)} |`,
  );
  let atMinimum = true;
  for (const [kind, ops] of Object.entries(r.callsPerOperation)) {
    for (const [op, c] of Object.entries(ops)) {
      const min = r.minimumCalls[kind as keyof typeof r.minimumCalls][op as Operation].calls;
      if (c.median > min) atMinimum = false;
    }
  }
  lines.push(`| HTTP calls per operation | see below | at the minimum the API allows | ${mark(atMinimum)} |`, "");

  lines.push("## HTTP calls per operation", "");
  lines.push(
    "Each operation in a fresh host process (as each `pulumi` command starts one). Commerce Layer's OAuth token call",
    "(one per process) is not counted. Runs in parentheses.",
    "",
  );
  lines.push(
    "| Resource | Operation | Calls (median) | Minimum | Runs | Routes (first run) | Why the minimum |",
    "|---|---|---|---|---|---|---|",
  );
  for (const [kind, ops] of Object.entries(r.callsPerOperation)) {
    for (const [op, c] of Object.entries(ops)) {
      const min = r.minimumCalls[kind as keyof typeof r.minimumCalls][op as Operation];
      const routes =
        Object.entries(c.routes)
          .map(([route, n]) => `${route} ×${n}`)
          .join("<br>") || "none";
      lines.push(`| ${kind} | ${op} | ${c.median} | ${min.calls} | ${c.runs.join(", ")} | ${routes} | ${min.why} |`);
    }
  }
  lines.push("");
  lines.push("### 200 storefront source credentials", "");
  lines.push("| Work | Calls | Routes |", "|---|---|---|");
  const row = (name: string, c: { calls: number; routes: Record<string, number> }) =>
    lines.push(
      `| ${name} | ${c.calls} | ${Object.entries(c.routes)
        .map(([k, v]) => `${k} ×${v}`)
        .join("<br>")} |`,
    );
  row("create 200 (16 in flight, one host)", r.sourceBatch.create200);
  row("refresh 200 at once (fresh host)", r.sourceBatch.refresh200AllAtOnce);
  row("refresh 200, 16 in flight (fresh host)", r.sourceBatch.refresh200Parallel16);
  lines.push("");

  lines.push("## `__provider` text", "");
  lines.push("| Resource | Bytes |", "|---|---|");
  for (const [kind, bytes] of Object.entries(r.providerText.bytes)) lines.push(`| ${kind} | ${bytes} |`);
  lines.push(`| naive peer (serialized by value) | ${r.providerText.naiveBytes} |`, "");
  lines.push(
    `Second build with version \`${r.providerText.otherVersion}\`: texts ${r.providerText.identicalAcrossVersions ? "byte-identical" : "**differ**"}; ` +
      `version or build path inside a text: ${r.providerText.containsVersionOrPath ? "**yes**" : "no"}.`,
    "",
  );

  lines.push("## Overhead over direct undici calls", "");
  lines.push(
    "Create + read + delete of 200 Commerce Layer API credentials, 16 in flight. Provider: Check + Create, Read, Delete",
    "through one warm dynamic-provider host. Direct: the same HTTP calls on an undici Agent. Naive: the docs-style",
    "dynamic provider (bench/naive/) through the same host: global fetch, a token request per call. Floor: a no-op",
    "dynamic provider (bench/floor/: no HTTP, no work) through the same host with the same inputs and calls, i.e. what",
    "Pulumi's host (gRPC, Struct conversions, `__provider` lookup) and the bench's JS driver (engine/host.ts, which a",
    "real Go engine replaces) cost by themselves. Rounds interleave the four in rotating order in one process run;",
    "ratios are per round, then the median. Absolute times are shown for context only.",
    "",
  );
  lines.push(
    "| Injected latency | Provider / direct | Floor / direct | (Provider − floor) / direct | Naive / direct | Provider / naive | Median ms (direct, provider, naive, floor) | Calls per round (direct, provider, naive, floor) |",
    "|---|---|---|---|---|---|---|---|",
  );
  for (const o of r.overhead) {
    lines.push(
      `| ${o.latencyMs} ms | ${f2(o.providerOverDirect)}× | ${f2(o.floorOverDirect)}× | ${f2(o.providerBeyondFloorOverDirect)}× | ${f2(o.naiveOverDirect)}× | ${f2(o.providerOverNaive)}× | ${Math.round(o.medianMs.direct)}, ${Math.round(o.medianMs.provider)}, ${Math.round(o.medianMs.naive)}, ${Math.round(o.medianMs.floor)} | ${o.callsPerRound.direct}, ${o.callsPerRound.provider}, ${o.callsPerRound.naive}, ${o.callsPerRound.floor} |`,
    );
  }
  lines.push(
    "",
    "(Provider − floor) / direct is the provider's time once the host's own per-call cost is taken out: the part of the",
    "ratio that is this package's code and its HTTP calls.",
    "",
  );
  const ip = r.inProcess;
  lines.push(
    "In-process (bench/inProcess.ts, `node dist/bench/inProcess.js`): the same 200 × create + read + delete, 16 in",
    "flight, with the ApiCredential driven in the bench process through the dynamic-provider adapter's functions",
    "(check, create, read, remove: what the shims call inside the host), against direct undici; no host, no gRPC.",
    "",
    "| Provider / direct (wall) | Provider / direct (CPU of the bench process) | CPU per operation (direct, provider) | Median ms (direct, provider) | Calls per round (direct, provider) |",
    "|---|---|---|---|---|",
    `| ${f2(ip.providerOverDirect)}× | ${f2(ip.cpuOverDirect)}× | ${f1(ip.cpuUsPerOperation.direct)} µs, ${f1(ip.cpuUsPerOperation.provider)} µs | ${f1(ip.medianMs.direct)}, ${f1(ip.medianMs.provider)} | ${ip.callsPerRound.direct}, ${ip.callsPerRound.provider} |`,
    "",
  );
  lines.push("## Host start and memory", "");
  lines.push("| Figure | Median | Runs |", "|---|---|---|");
  for (const [kind, c] of Object.entries(r.coldStartMs)) {
    lines.push(
      `| Cold start to first completed Create, ${kind} | ${Math.round(c.median)} ms | ${c.runs.map(Math.round).join(", ")} |`,
    );
  }
  lines.push(`| Host RSS at start (configured) | ${f1(r.hostMemoryMb.baseline)} MB | |`);
  lines.push(`| Host RSS after 1,000 operations | ${f1(r.hostMemoryMb.rssAfter1000Ops)} MB | |`);
  lines.push(`| Host peak RSS during them | ${f1(r.hostMemoryMb.peak)} MB | |`, "");
  return `${lines.join("\n")}\n`;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
