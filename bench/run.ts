/**
 * `npm run bench`: `pulumi up`, `pulumi refresh` and `pulumi destroy` through the real `pulumi` CLI and engine (file
 * backend, Automation API inline programs: engine/stack.ts), against the emulator in its own process, for this
 * package, a docs-style naive dynamic provider (bench/naive/) and a no-op dynamic provider (bench/floor/: the
 * engine's floor), plus the same HTTP work made directly with undici (bench/direct.ts). Sizes 50, 200 and 800, at 0
 * and 20 ms injected latency, rounds interleaved in rotating order. Writes bench/results.json, bench/RESULTS.md and
 * the chart docs/benchmarks-scaling.svg, and regenerates the results section of docs/benchmarks.md (bench/report.ts).
 * Targets: DESIGN.md "Performance targets". Never part of `npm test`.
 *
 * Environment, for development only: `BENCH_SIZES=50,200` runs only those sizes, `BENCH_ROUNDS=1` that many rounds
 * everywhere; either writes its results to bench-results.partial.json in the OS temp directory and prints RESULTS.md,
 * touching nothing in the repository.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, platform, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import type * as automation from "@pulumi/pulumi/automation";
import { installPackage } from "../engine/install";
import { PulumiSession } from "../engine/session";
import type { ProjectStack } from "../engine/stack";
import { DirectContender } from "./direct";
import { EmulatorProcess } from "./emulator";
import { ProcessSampler, type ProcessFigures } from "./processes";
import { openBenchStack, PROVIDERS, type BenchWorld, type Provider } from "./projects";
import { writeReports, type BenchResults, type CommandRecord, type Contender } from "./report";
import { ENGINE_PARALLELISM, mix, PROBE_DELAY_MS, workload } from "./workload";

const PACKAGE_ROOT = resolve(__dirname, "..", "..");

/** What one `npm run bench` measures: ~20 minutes on the project's 2-core machines. */
const PLAN: readonly { size: number; latenciesMs: readonly number[]; rounds: number }[] = [
  { size: 50, latenciesMs: [0, 20], rounds: 3 },
  { size: 200, latenciesMs: [0, 20], rounds: 3 },
  // One round, at the targets' latency only: a round of 800 takes about 8 minutes here.
  { size: 800, latenciesMs: [20], rounds: 1 },
];
const COLD_START_RUNS = 3;
const COMMANDS = ["up", "refresh", "destroy"] as const;
type Command = (typeof COMMANDS)[number];

const started = Date.now();
const log = (what: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)} s] ${what}\n`);

/** Min, median and max of the load averages sampled during the run. */
function loadSummary(samples: readonly number[]): { min: number; median: number; max: number; samples: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    min: round(sorted[0] ?? 0),
    median: round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    max: round(sorted[sorted.length - 1] ?? 0),
    samples: sorted.length,
  };
}

/** The plan after the development overrides (`BENCH_SIZES`, `BENCH_ROUNDS`). */
function plan(): { steps: typeof PLAN; partial: boolean } {
  const sizes = process.env["BENCH_SIZES"]?.split(",").map(Number);
  const rounds = process.env["BENCH_ROUNDS"] === undefined ? undefined : Number(process.env["BENCH_ROUNDS"]);
  const steps = PLAN.filter((s) => sizes === undefined || sizes.includes(s.size)).map((s) => ({
    ...s,
    rounds: rounds ?? s.rounds,
  }));
  for (const size of sizes ?? []) {
    if (!steps.some((s) => s.size === size)) steps.push({ size, latenciesMs: [0, 20], rounds: rounds ?? 1 });
  }
  return { steps, partial: sizes !== undefined || rounds !== undefined };
}

/** The steps the engine reported, by kind (`create`, `same`, …), the stack resource left out. */
function changes(result: { summary?: automation.UpdateSummary }): Record<string, number> {
  const counts = { ...(result.summary?.resourceChanges ?? {}) } as Record<string, number>;
  // The stack resource itself is one of them.
  for (const key of ["create", "same", "delete"]) {
    if ((counts[key] ?? 0) > 0) {
      counts[key] = (counts[key] ?? 0) - 1;
      break;
    }
  }
  return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
}

async function runCommand(stack: ProjectStack, command: Command): Promise<Record<string, number>> {
  switch (command) {
    case "up":
      return changes((await stack.up({ diff: false })).result);
    case "refresh":
      return changes((await stack.refresh()).result);
    case "destroy":
      return changes((await stack.destroy()).result);
  }
}

/** What each command must report, so a bench never times a failed or partial run. */
function expectChanges(command: Command, size: number, seen: Record<string, number>, who: string): void {
  const expected: Record<Command, Record<string, number>> = {
    up: { create: size },
    refresh: { same: size },
    destroy: { delete: size },
  };
  if (JSON.stringify(seen) !== JSON.stringify(expected[command])) {
    throw new Error(
      `${who}: pulumi ${command} reported ${JSON.stringify(seen)}, expected ${JSON.stringify(expected[command])}`,
    );
  }
}

interface Timed {
  ms: number;
  routes: Record<string, number>;
  processes: ProcessFigures;
}

async function measure(
  emulator: EmulatorProcess,
  sampler: ProcessSampler,
  work: () => Promise<unknown>,
): Promise<Timed> {
  await emulator.takeCounts();
  sampler.start();
  const t0 = performance.now();
  await work();
  const ms = performance.now() - t0;
  const processes = sampler.stop();
  return { ms, routes: await emulator.takeCounts(), processes };
}

async function main(): Promise<void> {
  const { steps, partial } = plan();
  // What is packed is the working tree: note its commit before measuring.
  const measured = revision();
  const emulator = await EmulatorProcess.start();
  const sampler = new ProcessSampler(emulator.pid);
  const session = await PulumiSession.create();
  const stacks: ProjectStack[] = [];
  // Every measurement so far, written after each contender's commands: a late failure keeps what was measured.
  const progress = join(tmpdir(), `bench-progress-${process.pid}.json`);
  // The machine's 1-minute load average every 30 s: the cores are shared, and the figures depend on what else ran.
  const loads = [loadavg()[0] ?? 0];
  const loadTimer = setInterval(() => loads.push(loadavg()[0] ?? 0), 30_000).unref();
  try {
    log(`pulumi CLI ${session.cli.version} (${session.cli.source}); installing the package from its tarball`);
    const installed = await withRetries(() => installPackage({ packageRoot: PACKAGE_ROOT, onProgress: log }));
    const world: BenchWorld = { session, installed, endpoints: emulator.endpoints };
    const sdkVersion = (
      JSON.parse(readFileSync(join(installed.root, "node_modules", "@pulumi", "pulumi", "package.json"), "utf8")) as {
        version: string;
      }
    ).version;

    // First, as it installs the package a second time: a failure there should not cost the whole run.
    log("__provider text: one resource of each kind, then the same code released as another version");
    const providerText = await providerTextFigures(world, emulator);

    const coldStart: BenchResults["coldStart"] = [];
    const commands: CommandRecord[] = [];
    const results = (): BenchResults => ({
      date: new Date().toISOString(),
      revision: measured,
      machine: {
        cpu: cpus()[0]?.model ?? "unknown",
        cores: cpus().length,
        memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
        os: `${platform()} ${release()}`,
        node: process.version,
        load: loadSummary(loads),
      },
      pulumi: {
        cli: session.cli.version,
        cliSource: session.cli.source,
        sdk: sdkVersion,
        parallel: ENGINE_PARALLELISM,
      },
      emulator:
        `own process on loopback; rate limits off; data-delivery probes take ${PROBE_DELAY_MS} ms; ` +
        "injected latency on every API route (token endpoint included) where the table says so",
      plan: steps.map((s) => ({ ...s, latenciesMs: [...s.latenciesMs] })),
      commands,
      coldStart,
      providerText,
      durationSeconds: Math.round((Date.now() - started) / 1000),
    });

    log("cold start: pulumi up of one Commerce Layer credential, fresh processes");
    const coldStacks = new Map<Provider, ProjectStack>();
    for (const provider of PROVIDERS) {
      const one = mix({ sources: 0, deliveries: 0, apiCredentials: 1 }, "cold");
      const stack = await openBenchStack(world, provider, one, `cold-${provider}`);
      stacks.push(stack);
      coldStacks.set(provider, stack);
    }
    await emulator.prepare(0);
    for (let run = 0; run < COLD_START_RUNS; run++) {
      for (const provider of rotate(PROVIDERS, run)) {
        const stack = coldStacks.get(provider)!;
        const timed = await measure(emulator, sampler, async () =>
          expectChanges("up", 1, await runCommand(stack, "up"), provider),
        );
        coldStart.push({ provider, run, ms: timed.ms, processes: timed.processes });
        expectChanges("destroy", 1, await runCommand(stack, "destroy"), provider);
      }
    }
    await closeAll(stacks);

    for (const step of steps) {
      const open = new Map<Provider, ProjectStack>();
      for (const provider of PROVIDERS) {
        const stack = await openBenchStack(world, provider, workload(step.size, provider), `${provider}-${step.size}`);
        stacks.push(stack);
        open.set(provider, stack);
      }
      const contenders: readonly Contender[] = [...PROVIDERS, "direct"];
      for (const latencyMs of step.latenciesMs) {
        for (let round = 0; round < step.rounds; round++) {
          for (const contender of rotate(contenders, round)) {
            log(`${step.size} resources, ${latencyMs} ms, round ${round + 1}/${step.rounds}: ${contender}`);
            await emulator.prepare(latencyMs);
            const direct =
              contender === "direct"
                ? new DirectContender(emulator.endpoints, workload(step.size, "direct"))
                : undefined;
            try {
              for (const command of COMMANDS) {
                const timed = await measure(emulator, sampler, async () => {
                  if (direct) return direct[command]();
                  const stack = open.get(contender as Provider)!;
                  expectChanges(command, step.size, await runCommand(stack, command), `${contender} at ${step.size}`);
                });
                commands.push({ size: step.size, latencyMs, round, contender, command, ...timed });
              }
            } finally {
              await direct?.close();
            }
            writeFileSync(progress, JSON.stringify(results()));
          }
        }
      }
      await closeAll(stacks);
    }

    const final = results();
    if (partial) {
      const file = join(tmpdir(), "bench-results.partial.json");
      writeFileSync(file, `${JSON.stringify(final, null, 2)}\n`);
      log(`development run (BENCH_SIZES/BENCH_ROUNDS): wrote ${file} only`);
      await writeReports(final, { packageRoot: PACKAGE_ROOT, dryRun: true });
    } else {
      writeFileSync(join(PACKAGE_ROOT, "bench", "results.json"), `${JSON.stringify(final, null, 2)}\n`);
      await writeReports(final, { packageRoot: PACKAGE_ROOT });
      log("wrote bench/results.json, bench/RESULTS.md, docs/benchmarks-scaling.svg and docs/benchmarks.md's results");
    }
    rmSync(progress, { force: true });
  } catch (error) {
    if (existsSync(progress)) log(`what was measured before the failure is in ${progress}`);
    throw error;
  } finally {
    clearInterval(loadTimer);
    await closeAll(stacks);
    await emulator.close();
    await session.close();
  }
}

/** The commit measured, and whether the packed code had uncommitted changes. */
function revision(): string {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: PACKAGE_ROOT, encoding: "utf8" }).trim();
  try {
    const dirty = git("status", "--porcelain", "--", "provider", "sdk", "package.json") !== "";
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? " with uncommitted changes in provider/ or sdk/" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

/**
 * `work`, tried up to three times: `npm pack` of a shared working tree fails now and then while another build
 * rewrites dist/.
 */
async function withRetries<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= 3) throw error;
      log(
        `attempt ${attempt} failed (${error instanceof Error ? error.message.split("\n")[0] : String(error)}); again in 10 s`,
      );
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
  }
}

/** `items` rotated left by `by`: every contender goes first, second, … in turn. */
function rotate<T>(items: readonly T[], by: number): T[] {
  return items.map((_, i) => items[(i + by) % items.length] as T);
}

async function closeAll(stacks: ProjectStack[]): Promise<void> {
  await Promise.all(stacks.splice(0).map((s) => s.close()));
}

/**
 * `__provider` of each resource of each provider as the engine stored it (`pulumi stack export`); then this package
 * installed again as another release (same code, bumped version: engine/install.ts), the project switched to it as
 * `npm install` would, `preview` (must show no change) and `up`, and the stored texts compared.
 */
async function providerTextFigures(
  world: BenchWorld,
  emulator: EmulatorProcess,
): Promise<BenchResults["providerText"]> {
  await emulator.prepare(0);
  const stacks: ProjectStack[] = [];
  const texts = async (stack: ProjectStack): Promise<Record<string, string>> => {
    const deployment = await stack.exportStack();
    const resources = (deployment.deployment as { resources?: { type: string; inputs?: Record<string, unknown> }[] })
      .resources;
    const found: Record<string, string> = {};
    for (const r of resources ?? []) {
      const text = r.inputs?.["__provider"];
      if (typeof text === "string") found[r.type] = text;
    }
    return found;
  };
  try {
    const bytes: Record<string, number> = {};
    let before: Record<string, string> = {};
    let packageStack: ProjectStack | undefined;
    for (const provider of PROVIDERS) {
      const one = mix({ sources: 1, deliveries: 1, apiCredentials: 1 }, `${provider}-text`);
      const stack = await openBenchStack(world, provider, one, `text-${provider}`);
      stacks.push(stack);
      expectChanges("up", 3, await runCommand(stack, "up"), `${provider} (__provider)`);
      const found = await texts(stack);
      for (const [type, text] of Object.entries(found)) bytes[type] = Buffer.byteLength(text);
      if (provider === "package") {
        before = found;
        packageStack = stack;
      } else {
        expectChanges("destroy", 3, await runCommand(stack, "destroy"), `${provider} (__provider)`);
      }
    }
    const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
    const otherVersion = `${manifest.version}-bench.2`;
    const next = await withRetries(() => installPackage({ packageRoot: PACKAGE_ROOT, version: otherVersion }));
    const stack = packageStack!;
    rmSync(join(stack.projectDir, "node_modules"));
    symlinkSync(join(next.root, "node_modules"), join(stack.projectDir, "node_modules"));
    const preview = (await stack.preview({ diff: false })).result.changeSummary ?? {};
    await runCommand(stack, "up");
    const after = await texts(stack);
    expectChanges("destroy", 3, await runCommand(stack, "destroy"), "package (__provider)");
    return {
      bytes,
      otherVersion,
      previewAfterUpgrade: preview as Record<string, number>,
      identicalAcrossVersions:
        Object.keys(before).length === 3 && Object.entries(before).every(([type, text]) => after[type] === text),
      containsVersion: Object.values(before).some((t) => t.includes(manifest.version)),
    };
  } finally {
    await closeAll(stacks);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
