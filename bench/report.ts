/**
 * Turns one run's measurements (bench/results.json) into bench/RESULTS.md, the chart docs/benchmarks-scaling.svg
 * and the generated section of docs/benchmarks.md (between its `bench-results` markers). Every figure that varies is
 * the median over rounds with the min–max beside it; ratios are taken per round, then summarized.
 * `node dist/bench/report.js [results.json]` re-renders from a saved run without measuring again.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { ProcessClass, ProcessFigures } from "./processes";
import type { Provider } from "./projects";
import { workload } from "./workload";

/** Who ran a command: one of the three providers through the real CLI, or the direct undici calls. */
export type Contender = Provider | "direct";

/** One timed command. */
export interface CommandRecord {
  size: number;
  latencyMs: number;
  round: number;
  contender: Contender;
  command: "up" | "refresh" | "destroy";
  /** Wall time of the Automation API call (the CLI process and its `stack output`/history calls included), ms. */
  ms: number;
  /** API requests by route (`"METHOD /template"`). */
  routes: Record<string, number>;
  processes: ProcessFigures;
}

/** Everything one `npm run bench` measured. */
export interface BenchResults {
  date: string;
  /** The commit measured (`git rev-parse --short HEAD`), noting uncommitted changes to the packed code. */
  revision: string;
  machine: {
    cpu: string;
    cores: number;
    memoryGb: number;
    os: string;
    node: string;
    /** The machine's 1-minute load average, sampled every 30 s during the run (absent in older results). */
    load?: { min: number; median: number; max: number; samples: number };
  };
  pulumi: { cli: string; cliSource: string; sdk: string; parallel: number };
  emulator: string;
  plan: { size: number; latenciesMs: number[]; rounds: number }[];
  commands: CommandRecord[];
  coldStart: { provider: Provider; run: number; ms: number; processes: ProcessFigures }[];
  providerText: {
    /** Bytes of `__provider` by type token. */
    bytes: Record<string, number>;
    otherVersion: string;
    previewAfterUpgrade: Record<string, number>;
    identicalAcrossVersions: boolean;
    containsVersion: boolean;
  };
  durationSeconds: number;
}

const COMMANDS = ["up", "refresh", "destroy"] as const;
const PROVIDERS: readonly Provider[] = ["package", "naive", "floor"];
const CONTENDERS: readonly Contender[] = [...PROVIDERS, "direct"];
const LIST_ROUTE = "GET /api/v2/buyer/storefronts/credentials";
const TOKEN_ROUTE = "POST /oauth/token";

/** DESIGN.md's targets. */
export const TARGETS = {
  beyondFloorOverDirect: 1.15,
  overNaive: 0.5,
  perResourceGrowth: 1.2,
  hostRssMb: 150,
  providerBytes: 4096,
} as const;

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? NaN) : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
}

/** Median, min and max of a list. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

function spread(values: readonly number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length };
}

/**
 * The fewest calls per resource and operation the API allows for the outputs the design promises, without sharing
 * any call between resources (what bench/direct.ts makes), and why. Commerce Layer adds one token call per command.
 */
export const MINIMUM_CALLS = {
  source: {
    up: {
      calls: 4,
      why: "list (refuse a silent takeover), register POST, list (fields the POST answer lacks), storefront (connected)",
    },
    refresh: { calls: 2, why: "list (no get-one endpoint), storefront (connected)" },
    destroy: { calls: 0, why: "the API has no revoke" },
  },
  delivery: {
    up: { calls: 3, why: "GET advertiser (siblings to re-send), PUT the whole list, GET once the probe is done" },
    refresh: { calls: 3, why: "GET advertiser, POST validate (answers PENDING), GET once the probe is done" },
    destroy: { calls: 2, why: "GET advertiser, PUT without the entry" },
  },
  apiCredential: {
    up: { calls: 1, why: "POST" },
    refresh: { calls: 1, why: "GET" },
    destroy: { calls: 1, why: "DELETE" },
  },
} as const;

function minimumCalls(size: number, command: (typeof COMMANDS)[number]): number {
  const w = workload(size, "x");
  return (
    w.sources.length * MINIMUM_CALLS.source[command].calls +
    w.deliveries.length * MINIMUM_CALLS.delivery[command].calls +
    w.apiCredentials.length * MINIMUM_CALLS.apiCredential[command].calls +
    (w.apiCredentials.length > 0 ? 1 : 0)
  );
}

const total = (routes: Record<string, number>) => Object.values(routes).reduce((a, b) => a + b, 0);

/** Derived figures of a run: what the report shows. */
export interface Summary {
  /** Wall ms per size/latency/contender/command (and "total" = the three commands of a round). */
  times: Record<string, Spread>;
  /** Per-round ratios per size/latency/command (and "total"). */
  ratios: Record<string, { overFloor: Spread; overNaive: Spread; beyondFloorOverDirect: Spread }>;
  /** Calls per size/contender/command, median over every round and latency. */
  calls: Record<string, { total: number; lists: number; tokens: number; routes: Record<string, number> }>;
  /** Peak RSS (MB) per size/contender: engine and host, the highest of every command of every round. */
  memory: Record<string, { engine: number; host: number }>;
  /** Per-resource ms (up + refresh + destroy, median) per latency/contender/size, and package − floor. */
  perResource: Record<string, number>;
}

const key = (...parts: (string | number)[]) => parts.join("/");

/** Computes the {@link Summary} of a run. */
export function summarize(r: BenchResults): Summary {
  const times: Summary["times"] = {};
  const ratios: Summary["ratios"] = {};
  const calls: Summary["calls"] = {};
  const memory: Summary["memory"] = {};
  const perResource: Summary["perResource"] = {};
  const find = (size: number, latencyMs: number, round: number, contender: Contender, command: string) =>
    r.commands.find(
      (c) =>
        c.size === size &&
        c.latencyMs === latencyMs &&
        c.round === round &&
        c.contender === contender &&
        c.command === command,
    );
  for (const step of r.plan) {
    for (const latencyMs of step.latenciesMs) {
      const rounds = Array.from({ length: step.rounds }, (_, i) => i);
      for (const command of [...COMMANDS, "total"] as const) {
        const ms = (round: number, contender: Contender): number =>
          command === "total"
            ? COMMANDS.reduce((sum, c) => sum + (find(step.size, latencyMs, round, contender, c)?.ms ?? NaN), 0)
            : (find(step.size, latencyMs, round, contender, command)?.ms ?? NaN);
        for (const contender of CONTENDERS) {
          times[key(step.size, latencyMs, contender, command)] = spread(rounds.map((i) => ms(i, contender)));
        }
        ratios[key(step.size, latencyMs, command)] = {
          overFloor: spread(rounds.map((i) => ms(i, "package") / ms(i, "floor"))),
          overNaive: spread(rounds.map((i) => ms(i, "package") / ms(i, "naive"))),
          beyondFloorOverDirect: spread(rounds.map((i) => (ms(i, "package") - ms(i, "floor")) / ms(i, "direct"))),
        };
      }
      for (const contender of CONTENDERS) {
        perResource[key(latencyMs, contender, step.size)] =
          times[key(step.size, latencyMs, contender, "total")]!.median / step.size;
      }
      perResource[key(latencyMs, "beyondFloor", step.size)] =
        (times[key(step.size, latencyMs, "package", "total")]!.median -
          times[key(step.size, latencyMs, "floor", "total")]!.median) /
        step.size;
    }
    for (const contender of CONTENDERS) {
      for (const command of COMMANDS) {
        const records = r.commands.filter(
          (c) => c.size === step.size && c.contender === contender && c.command === command,
        );
        calls[key(step.size, contender, command)] = {
          total: median(records.map((c) => total(c.routes))),
          lists: median(records.map((c) => c.routes[LIST_ROUTE] ?? 0)),
          tokens: median(records.map((c) => c.routes[TOKEN_ROUTE] ?? 0)),
          routes: records[0]?.routes ?? {},
        };
      }
      const records = r.commands.filter((c) => c.size === step.size && c.contender === contender);
      memory[key(step.size, contender)] = {
        engine: Math.max(...records.map((c) => c.processes.peakRssMb.engine)),
        host: Math.max(...records.map((c) => c.processes.peakRssMb.host)),
      };
    }
  }
  return { times, ratios, calls, memory, perResource };
}

const seconds = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`);
const x2 = (n: number) => `${n.toFixed(2)}×`;
const range = (s: Spread, f: (n: number) => string) =>
  s.n > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median);
const mark = (ok: boolean) => (ok ? "met" : "**missed**");

/** The sizes and latency the scaling figures use: the latency every size was measured at (20 ms). */
function scalingLatency(r: BenchResults): number | undefined {
  const all = r.plan.map((s) => s.latenciesMs);
  return [20, 0].find((l) => all.every((ls) => ls.includes(l)));
}

/** bench/RESULTS.md. */
export function renderResults(r: BenchResults, s: Summary): string {
  const out: string[] = [];
  const sizes = r.plan.map((p) => p.size);
  const largest = Math.max(...sizes);
  const smallest = Math.min(...sizes);
  const l = scalingLatency(r);
  out.push("# Benchmark results", "");
  out.push(
    "Written by `npm run bench` (bench/run.ts, rendered by bench/report.ts); how and why in",
    '[docs/benchmarks.md](../docs/benchmarks.md). Targets from DESIGN.md "Performance targets". Times are the wall',
    "time of each `pulumi` command through the real CLI and engine (Automation API inline program, file backend);",
    "each figure is the median over rounds, min–max in parentheses; ratios are taken within a round, then summarized.",
    "",
  );
  out.push("| | |", "|---|---|");
  out.push(`| Date | ${r.date} |`, `| Code | ${r.revision} |`);
  out.push(
    `| Machine | ${r.machine.cpu}, ${r.machine.cores} cores (shared with other work while measured), ${r.machine.memoryGb} GB, ${r.machine.os}, Node ${r.machine.node} |`,
  );
  if (r.machine.load) {
    const l = r.machine.load;
    out.push(
      `| Machine load | 1-minute load average ${l.median} (${l.min}–${l.max}) on ${r.machine.cores} cores, sampled every 30 s (${l.samples} samples): other work ran beside the bench |`,
    );
  }
  out.push(
    `| Pulumi | CLI ${r.pulumi.cli} (${r.pulumi.cliSource}), @pulumi/pulumi ${r.pulumi.sdk}, default \`--parallel\` (${r.pulumi.parallel}) |`,
  );
  out.push(`| Emulator | ${r.emulator} |`);
  out.push(
    `| Rounds | ${r.plan.map((p) => `${p.size} resources: ${p.rounds} at ${p.latenciesMs.map((x) => `${x} ms`).join(" and ")}`).join("; ")}. Contenders rotate order every round; the emulator is reset before each contender's \`up\` |`,
  );
  out.push(`| Bench duration | ${Math.round(r.durationSeconds / 60)} min |`, "");

  out.push("## Against the targets", "");
  out.push("| Figure | Measured | Target | |", "|---|---|---|---|");
  const mid = sizes.includes(200) ? 200 : sizes[Math.floor(sizes.length / 2)]!;
  const at20 = r.plan.find((p) => p.size === mid)?.latenciesMs.includes(20) ? 20 : undefined;
  if (at20 !== undefined) {
    for (const command of [...COMMANDS, "total"] as const) {
      const ratio = s.ratios[key(mid, at20, command)]!;
      const label = command === "total" ? "up + refresh + destroy" : `\`pulumi ${command}\``;
      out.push(
        `| (package − floor) / direct, ${label}, ${mid} resources, 20 ms | ${range(ratio.beyondFloorOverDirect, x2)} | ≤ ${TARGETS.beyondFloorOverDirect}× | ${mark(ratio.beyondFloorOverDirect.median <= TARGETS.beyondFloorOverDirect)} |`,
      );
    }
    for (const command of [...COMMANDS, "total"] as const) {
      const ratio = s.ratios[key(mid, at20, command)]!;
      const label = command === "total" ? "up + refresh + destroy" : `\`pulumi ${command}\``;
      out.push(
        `| package / naive, ${label}, ${mid} resources, 20 ms | ${range(ratio.overNaive, x2)} | ≤ ${TARGETS.overNaive}× | ${mark(ratio.overNaive.median <= TARGETS.overNaive)} |`,
      );
    }
  }
  if (l !== undefined && smallest !== largest) {
    const growth = (who: string) => s.perResource[key(l, who, largest)]! / s.perResource[key(l, who, smallest)]!;
    out.push(
      `| Growth of (package − floor) per resource, ${smallest} → ${largest}, ${l} ms | ${x2(growth("beyondFloor"))} | ≤ ${TARGETS.perResourceGrowth}× | ${mark(growth("beyondFloor") <= TARGETS.perResourceGrowth)} |`,
      `| Growth of the package's whole time per resource, ${smallest} → ${largest}, ${l} ms (the floor's: ${x2(growth("floor"))}) | ${x2(growth("package"))} | ≤ ${TARGETS.perResourceGrowth}× | ${mark(growth("package") <= TARGETS.perResourceGrowth)} |`,
    );
  }
  const hostAtLargest = s.memory[key(largest, "package")]!.host;
  out.push(
    `| Provider host peak RSS, ${largest} resources | ${hostAtLargest.toFixed(0)} MB | ≤ ${TARGETS.hostRssMb} MB | ${mark(hostAtLargest <= TARGETS.hostRssMb)} |`,
  );
  for (const size of sizes) {
    const c = s.calls[key(size, "package", "refresh")]!;
    out.push(
      `| List calls of \`pulumi refresh\`, ${workload(size, "x").sources.length} source credentials (${size} resources) | ${c.lists} | O(1) | ${mark(c.lists <= 2)} |`,
    );
  }
  const maxBytes = Math.max(
    ...Object.entries(r.providerText.bytes)
      .filter(([type]) => !type.includes("/bench:"))
      .map(([, b]) => b),
  );
  out.push(
    `| \`__provider\` bytes per resource (largest of the three) | ${maxBytes} | ≤ ${TARGETS.providerBytes} | ${mark(maxBytes <= TARGETS.providerBytes)} |`,
    `| \`__provider\` identical after installing the same code as ${r.providerText.otherVersion}; preview after the upgrade | ${r.providerText.identicalAcrossVersions ? "identical" : "**differs**"}; ${JSON.stringify(r.providerText.previewAfterUpgrade)} | identical; no change | ${mark(r.providerText.identicalAcrossVersions && Object.keys(r.providerText.previewAfterUpgrade).every((k) => k === "same"))} |`,
  );
  let atMinimum = true;
  for (const size of sizes)
    for (const command of COMMANDS)
      if (s.calls[key(size, "package", command)]!.total > minimumCalls(size, command)) atMinimum = false;
  out.push(`| HTTP calls per command | see below | at most the per-resource minimum | ${mark(atMinimum)} |`, "");

  out.push("## Wall time per command", "");
  out.push(
    "`direct`: the same per-resource HTTP calls straight on undici from the bench process, as many in flight as the",
    "engine runs operations (bench/direct.ts). `floor`: the no-op dynamic provider (no HTTP).",
    "",
  );
  out.push(
    "| Resources | Latency | Contender | `up` | `refresh` | `destroy` | Per resource (all three) |",
    "|---|---|---|---|---|---|---|",
  );
  for (const step of r.plan) {
    for (const latencyMs of step.latenciesMs) {
      for (const contender of CONTENDERS) {
        const t = (c: string) => range(s.times[key(step.size, latencyMs, contender, c)]!, seconds);
        out.push(
          `| ${step.size} | ${latencyMs} ms | ${contender} | ${t("up")} | ${t("refresh")} | ${t("destroy")} | ${s.perResource[key(latencyMs, contender, step.size)]!.toFixed(0)} ms |`,
        );
      }
    }
  }
  out.push("");

  out.push("## Ratios per round", "");
  out.push(
    "| Resources | Latency | Command | package / floor | package / naive | (package − floor) / direct |",
    "|---|---|---|---|---|---|",
  );
  for (const step of r.plan) {
    for (const latencyMs of step.latenciesMs) {
      for (const command of [...COMMANDS, "total"] as const) {
        const ratio = s.ratios[key(step.size, latencyMs, command)]!;
        out.push(
          `| ${step.size} | ${latencyMs} ms | ${command === "total" ? "all three" : command} | ${range(ratio.overFloor, x2)} | ${range(ratio.overNaive, x2)} | ${range(ratio.beyondFloorOverDirect, x2)} |`,
        );
      }
    }
  }
  out.push("");

  out.push("## HTTP calls per command", "");
  out.push(
    'Counted by the emulator; median over rounds. In parentheses: storefront list calls. "Per-resource minimum" is the',
    "sum of the fewest calls each resource's operation needs without sharing any (what `direct` makes), plus one",
    "Commerce Layer token per command:",
    "",
  );
  for (const [kind, ops] of Object.entries(MINIMUM_CALLS)) {
    out.push(`- ${kind}: ${COMMANDS.map((c) => `${c} ${ops[c].calls} (${ops[c].why})`).join("; ")}.`);
  }
  out.push("");
  out.push("| Resources | Contender | `up` | `refresh` | `destroy` |", "|---|---|---|---|---|");
  for (const size of sizes) {
    out.push(`| ${size} | per-resource minimum | ${COMMANDS.map((c) => minimumCalls(size, c)).join(" | ")} |`);
    for (const contender of CONTENDERS) {
      const cell = (c: string) => {
        const x = s.calls[key(size, contender, c)]!;
        return `${x.total} (${x.lists})`;
      };
      out.push(`| ${size} | ${contender} | ${cell("up")} | ${cell("refresh")} | ${cell("destroy")} |`);
    }
  }
  out.push("", `Routes of this package's commands at ${mid} resources (first round):`, "");
  out.push("| Command | Routes |", "|---|---|");
  for (const command of COMMANDS) {
    const routes = s.calls[key(mid, "package", command)]!.routes;
    out.push(
      `| ${command} | ${Object.entries(routes)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([route, n]) => `${route} ×${n}`)
        .join("<br>")} |`,
    );
  }
  out.push("");

  out.push("## Where the time goes", "");
  out.push(
    "CPU time (user + system) of each process during the command, from /proc, median over rounds: the `pulumi`",
    "engine, the dynamic-provider host it starts, the Automation API runner that runs the program (it holds the",
    "language side), the emulator, and the bench process (the direct contender's HTTP client). Two cores are shared",
    "by all of them.",
    "",
  );
  out.push(
    "| Resources | Latency | Contender | Command | Wall | Engine CPU | Host CPU | Program CPU | Emulator CPU | Other |",
    "|---|---|---|---|---|---|---|---|---|---|",
  );
  const cpuSizes = sizes.filter((x) => x === mid || x === largest);
  for (const size of cpuSizes) {
    const step = r.plan.find((p) => p.size === size)!;
    const latencyMs = step.latenciesMs.includes(20) ? 20 : step.latenciesMs[0]!;
    for (const contender of CONTENDERS) {
      for (const command of COMMANDS) {
        const records = r.commands.filter(
          (c) => c.size === size && c.latencyMs === latencyMs && c.contender === contender && c.command === command,
        );
        const cpu = (cls: ProcessClass | "bench") => seconds(median(records.map((c) => c.processes.cpuMs[cls])));
        out.push(
          `| ${size} | ${latencyMs} ms | ${contender} | ${command} | ${seconds(median(records.map((c) => c.ms)))} | ${cpu("engine")} | ${cpu("host")} | ${cpu("program")} | ${cpu("emulator")} | ${seconds(median(records.map((c) => c.processes.cpuMs.helpers + c.processes.cpuMs.bench)))} |`,
        );
      }
    }
  }
  out.push("");

  out.push("## Memory", "");
  out.push(
    "Peak resident memory (VmHWM) of the `pulumi` engine process and of the dynamic-provider host, the highest of",
    "every command of every round.",
    "",
  );
  out.push("| Resources | Contender | Engine peak RSS | Host peak RSS |", "|---|---|---|---|");
  for (const size of sizes) {
    for (const provider of PROVIDERS) {
      const m = s.memory[key(size, provider)]!;
      out.push(`| ${size} | ${provider} | ${m.engine.toFixed(0)} MB | ${m.host.toFixed(0)} MB |`);
    }
  }
  out.push("");

  out.push("## Cold start", "");
  out.push(
    "`pulumi up` of a stack of one Commerce Layer credential, 0 ms latency: every process starts cold (engine,",
    "program, provider host). Median of the runs (min–max).",
    "",
  );
  out.push("| Contender | `pulumi up` | Host peak RSS | Host CPU |", "|---|---|---|---|");
  for (const provider of PROVIDERS) {
    const runs = r.coldStart.filter((c) => c.provider === provider);
    out.push(
      `| ${provider} | ${range(spread(runs.map((c) => c.ms)), seconds)} | ${median(runs.map((c) => c.processes.peakRssMb.host)).toFixed(0)} MB | ${seconds(median(runs.map((c) => c.processes.cpuMs.host)))} |`,
    );
  }
  out.push("");

  out.push("## `__provider` text", "");
  out.push("As stored in state (`pulumi stack export`), per resource type.", "", "| Type | Bytes |", "|---|---|");
  for (const [type, bytes] of Object.entries(r.providerText.bytes)) out.push(`| \`${type}\` | ${bytes} |`);
  out.push(
    "",
    `After installing the same code as version ${r.providerText.otherVersion}: \`pulumi preview\` reported ${JSON.stringify(r.providerText.previewAfterUpgrade)}; ` +
      `the stored texts are ${r.providerText.identicalAcrossVersions ? "byte-identical" : "**different**"}; ` +
      `a text names the package version: ${r.providerText.containsVersion ? "**yes**" : "no"}.`,
    "",
  );
  return `${out.join("\n")}\n`;
}

const COLORS: Record<string, string> = {
  package: "#1f77b4",
  naive: "#d62728",
  floor: "#7f7f7f",
  beyondFloor: "#1f77b4",
  direct: "#2ca02c",
};

/** The chart: ms per resource (up + refresh + destroy) against stack size, one line per contender. */
export function renderChart(r: BenchResults, s: Summary): string {
  const l = scalingLatency(r) ?? r.plan[0]!.latenciesMs[0]!;
  const sizes = r.plan.map((p) => p.size).sort((a, b) => a - b);
  const series: { id: string; label: string; dashed?: boolean }[] = [
    { id: "naive", label: "naive dynamic provider" },
    { id: "package", label: "this package" },
    { id: "floor", label: "no-op provider (engine floor)" },
    { id: "beyondFloor", label: "this package − floor", dashed: true },
    { id: "direct", label: "direct undici calls", dashed: true },
  ];
  const value = (id: string, size: number) => s.perResource[key(l, id, size)] ?? NaN;
  const maxY = Math.max(...series.flatMap((x) => sizes.map((size) => value(x.id, size))).filter(Number.isFinite));
  const niceMax = Math.ceil((maxY * 1.1) / 50) * 50;
  const W = 760;
  const H = 400;
  const left = 64;
  const right = 240;
  const top = 40;
  const bottom = 56;
  const xAt = (size: number) => {
    const i = sizes.indexOf(size);
    const pad = 36;
    return left + pad + (sizes.length === 1 ? 0 : (i / (sizes.length - 1)) * (W - left - right - 2 * pad));
  };
  const yAt = (v: number) => top + (1 - v / niceMax) * (H - top - bottom);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${left}" y="22" font-size="14" font-weight="bold">Time per resource of pulumi up + refresh + destroy (${l} ms API latency)</text>`,
  );
  for (let i = 0; i <= 5; i++) {
    const v = (niceMax / 5) * i;
    const y = yAt(v);
    parts.push(
      `<line x1="${left}" y1="${y}" x2="${W - right}" y2="${y}" stroke="#e0e0e0"/>`,
      `<text x="${left - 8}" y="${y + 4}" text-anchor="end">${v.toFixed(0)}</text>`,
    );
  }
  for (const size of sizes) {
    parts.push(
      `<text x="${xAt(size)}" y="${H - bottom + 18}" text-anchor="middle">${size}</text>`,
      `<line x1="${xAt(size)}" y1="${H - bottom}" x2="${xAt(size)}" y2="${H - bottom + 5}" stroke="#333"/>`,
    );
  }
  parts.push(
    `<line x1="${left}" y1="${H - bottom}" x2="${W - right}" y2="${H - bottom}" stroke="#333"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${H - bottom}" stroke="#333"/>`,
    `<text x="${(left + W - right) / 2}" y="${H - 12}" text-anchor="middle">resources in the stack</text>`,
    `<text transform="translate(16 ${(top + H - bottom) / 2}) rotate(-90)" text-anchor="middle">ms per resource</text>`,
  );
  series.forEach((x, i) => {
    const points = sizes
      .map((size) => [xAt(size), yAt(value(x.id, size))] as const)
      .filter(([, y]) => Number.isFinite(y));
    const color = COLORS[x.id] ?? "#000";
    const dash = x.dashed ? ` stroke-dasharray="6 4"` : "";
    parts.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2.5"${dash} points="${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ")}"/>`,
    );
    for (const [px, py] of points)
      parts.push(`<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3.5" fill="${color}"/>`);
    const ly = top + 14 + i * 22;
    parts.push(
      `<line x1="${W - right + 16}" y1="${ly}" x2="${W - right + 44}" y2="${ly}" stroke="${color}" stroke-width="2.5"${dash}/>`,
      `<text x="${W - right + 50}" y="${ly + 4}">${x.label}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** The generated part of docs/benchmarks.md: the chart and the headline table. */
export function renderDocsSection(r: BenchResults, s: Summary): string {
  const l = scalingLatency(r);
  const out: string[] = [];
  out.push(
    `Last run: ${r.date.slice(0, 10)}, Pulumi CLI ${r.pulumi.cli}, ${r.machine.cores} shared cores; full tables in`,
    "[bench/RESULTS.md](../bench/RESULTS.md).",
    "",
    "![Time per resource against stack size](benchmarks-scaling.svg)",
    "",
    "| Resources | Latency | Contender | `up` | `refresh` | `destroy` |",
    "|---|---|---|---|---|---|",
  );
  for (const step of r.plan) {
    for (const latencyMs of step.latenciesMs) {
      if (l !== undefined && latencyMs !== l) continue;
      for (const contender of CONTENDERS) {
        const t = (c: string) => seconds(s.times[key(step.size, latencyMs, contender, c)]!.median);
        out.push(`| ${step.size} | ${latencyMs} ms | ${contender} | ${t("up")} | ${t("refresh")} | ${t("destroy")} |`);
      }
    }
  }
  return out.join("\n");
}

const BEGIN = "<!-- bench-results:begin (generated by npm run bench; do not edit) -->";
const END = "<!-- bench-results:end -->";

/**
 * Writes RESULTS.md, the chart and the docs section, the page formatted by the project's Prettier (with `dryRun`,
 * prints RESULTS.md to stdout instead).
 */
export async function writeReports(r: BenchResults, opts: { packageRoot: string; dryRun?: boolean }): Promise<void> {
  const s = summarize(r);
  const results = renderResults(r, s);
  if (opts.dryRun) {
    process.stdout.write(results);
    return;
  }
  writeFileSync(join(opts.packageRoot, "bench", "RESULTS.md"), results);
  writeFileSync(join(opts.packageRoot, "docs", "benchmarks-scaling.svg"), renderChart(r, s));
  const docsPath = join(opts.packageRoot, "docs", "benchmarks.md");
  const docs = readFileSync(docsPath, "utf8");
  const begin = docs.indexOf(BEGIN);
  const end = docs.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/benchmarks.md lacks the ${BEGIN} … ${END} markers`);
  const page = `${docs.slice(0, begin + BEGIN.length)}\n\n${renderDocsSection(r, s)}\n\n${docs.slice(end)}`;
  const prettier = await import("prettier");
  const options = (await prettier.resolveConfig(docsPath)) ?? {};
  writeFileSync(docsPath, await prettier.format(page, { ...options, filepath: docsPath }));
}

if (require.main === module) {
  const root = resolve(__dirname, "..", "..");
  const file = process.argv[2] ?? join(root, "bench", "results.json");
  writeReports(JSON.parse(readFileSync(file, "utf8")) as BenchResults, {
    packageRoot: root,
    dryRun: process.argv.includes("--dry-run"),
  }).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
