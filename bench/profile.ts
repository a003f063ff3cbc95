/**
 * `node dist/bench/profile.js <package|naive|floor> <size> [options]`: one contender's `pulumi up`, `refresh` and
 * `destroy` through the real CLI, as `npm run bench` runs them, with what is needed to find where the time goes.
 * Prints per command the wall time, each process's CPU time and peak RSS (bench/processes.ts), and after `up` the
 * size of the stack's state. Not part of `npm run bench`.
 *
 * Options:
 * - `--latency <ms>`: injected API latency (default 20).
 * - `--rounds <n>`: repeat the three commands (default 1).
 * - `--skip-checkpoints`: `PULUMI_SKIP_CHECKPOINTS=true`, the engine then writes the state once at the end of a
 *   command instead of after every step (what the engine's time owes to checkpointing).
 * - `--floor-padding <bytes>`: the no-op provider captures a string of that length (bench/floor/providers.ts), so the
 *   state grows while the provider still does nothing (what the engine's time owes to the state's size).
 * - `--cpu-prof <dir>`: the provider host and the program runner write V8 CPU profiles into `<dir>` (open them in
 *   Chrome DevTools or speedscope).
 * - `--node-options <text>`: more `NODE_OPTIONS` for every Node process of the command (host, runner), e.g.
 *   `--max-old-space-size=64` to tell retained memory from a lazily grown heap.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { installPackage } from "../engine/install";
import { PulumiSession } from "../engine/session";
import { EmulatorProcess } from "./emulator";
import { ProcessSampler } from "./processes";
import { openBenchStack, PROVIDERS, type Provider } from "./projects";
import { workload } from "./workload";

/** A `--require` preload that records a V8 CPU profile of the process into `dir` (`<pid>.cpuprofile`). */
function cpuProfilePreload(dir: string): string {
  return `const inspector = require("node:inspector");
const { writeFileSync } = require("node:fs");
const session = new inspector.Session();
session.connect();
session.post("Profiler.enable", () => session.post("Profiler.start"));
let written = false;
const write = () => {
  if (written) return;
  written = true;
  session.post("Profiler.stop", (err, result) => {
    if (!err) writeFileSync(${JSON.stringify(dir)} + "/" + process.pid + ".cpuprofile", JSON.stringify(result.profile));
  });
};
process.on("exit", write);
for (const s of ["SIGTERM", "SIGINT"]) process.on(s, () => { write(); process.exit(0); });
`;
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

async function main(): Promise<void> {
  const provider = process.argv[2] as Provider;
  const size = Number(process.argv[3]);
  if (!PROVIDERS.includes(provider) || !Number.isInteger(size) || size <= 0) {
    throw new Error("usage: node dist/bench/profile.js <package|naive|floor> <size> [--latency ms] [--rounds n] …");
  }
  const latencyMs = Number(option("--latency") ?? 20);
  const rounds = Number(option("--rounds") ?? 1);
  const env: Record<string, string> = {};
  if (process.argv.includes("--skip-checkpoints")) env["PULUMI_SKIP_CHECKPOINTS"] = "true";
  const padding = option("--floor-padding");
  if (padding !== undefined) env["BENCH_FLOOR_PADDING"] = padding;
  const nodeOptions: string[] = [];
  const extra = option("--node-options");
  if (extra !== undefined) nodeOptions.push(extra);
  const profileDir = option("--cpu-prof");
  if (profileDir !== undefined) {
    const dir = resolve(profileDir);
    mkdirSync(dir, { recursive: true });
    // Node 20 refuses --cpu-prof in NODE_OPTIONS, so a preload profiles through the inspector and writes the profile
    // when the process ends; the engine stops the host with a signal, which must end it normally for that.
    const preload = join(dir, "cpu-profile.js");
    writeFileSync(preload, cpuProfilePreload(dir));
    nodeOptions.push(`--require ${preload}`);
  }
  if (nodeOptions.length > 0) env["NODE_OPTIONS"] = nodeOptions.join(" ");
  const emulator = await EmulatorProcess.start();
  const session = await PulumiSession.create();
  try {
    const installed = await installPackage({ packageRoot: resolve(__dirname, "..", "..") });
    const world = { session, installed, endpoints: emulator.endpoints };
    const stack = await openBenchStack(world, provider, workload(size, provider), `profile-${provider}`, env);
    const sampler = new ProcessSampler(emulator.pid);
    try {
      for (let round = 0; round < rounds; round++) {
        await emulator.prepare(latencyMs);
        for (const command of ["up", "refresh", "destroy"] as const) {
          await emulator.takeCounts();
          sampler.start();
          const t0 = performance.now();
          if (command === "up") await stack.up({ diff: false });
          else await stack[command]();
          const ms = performance.now() - t0;
          const figures = sampler.stop();
          const calls = Object.values(await emulator.takeCounts()).reduce((a, b) => a + b, 0);
          const cpu = Object.entries(figures.cpuMs)
            .map(([k, v]) => `${k} ${(v / 1000).toFixed(2)} s`)
            .join(", ");
          const rss = Object.entries(figures.peakRssMb)
            .map(([k, v]) => `${k} ${v.toFixed(0)} MB`)
            .join(", ");
          process.stdout.write(
            `${command}: ${(ms / 1000).toFixed(2)} s, ${calls} calls; CPU: ${cpu}; peak RSS: ${rss}\n`,
          );
          if (command === "up") {
            const state = JSON.stringify(await stack.exportStack());
            process.stdout.write(
              `  state after up: ${(state.length / 1024).toFixed(0)} KB (${(state.length / size / 1024).toFixed(1)} KB per resource)\n`,
            );
          }
        }
      }
    } finally {
      await stack.close();
    }
  } finally {
    await emulator.close();
    await session.close();
  }
  if (profileDir !== undefined) process.stdout.write(`CPU profiles in ${resolve(profileDir)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
