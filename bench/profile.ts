/**
 * `node dist/bench/profile.js [outDir]`: CPU profiles of the zero-latency overhead case, for finding the provider's
 * own costs. The provider's host runs with `--cpu-prof` (a preload turns SIGTERM into a normal exit so the profile
 * is written); run this script itself with `node --cpu-prof` to profile the driver side. Prints the figures.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { overheadFigures } from "./measurements";
import { startBenchStack } from "./stack";

async function main(): Promise<void> {
  const outDir = resolve(process.argv[2] ?? mkdtempSync(join(tmpdir(), "bench-profile-")));
  mkdirSync(outDir, { recursive: true });
  const preload = join(outDir, "exit-on-sigterm.js");
  writeFileSync(preload, 'process.on("SIGTERM", () => process.exit(0));\n');
  const stack = await startBenchStack({ packageRoot: resolve(__dirname, "..", "..") });
  try {
    const figures = await overheadFigures(stack, 0, Number(process.env["BENCH_PROFILE_ROUNDS"] ?? 3), {
      providerHostExecArgv: ["--require", preload, "--cpu-prof", `--cpu-prof-dir=${outDir}`],
    });
    process.stdout.write(`${JSON.stringify(figures, null, 2)}\nprofiles in ${outDir}\n`);
  } finally {
    await stack.emulator.close();
    await stack.project.cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
