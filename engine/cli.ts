/**
 * Finds the real `pulumi` CLI for the tests, the demo and the benchmarks, or builds it once per machine from Pulumi's
 * published Go modules (engine/cli/build.sh), and prepares what the engine looks for on PATH beside it.
 *
 * Order: `PULUMI_CLI` (a path to a `pulumi` binary) if set; else `pulumi` on PATH if its version is ≥
 * {@link MINIMUM_VERSION}; else the cached build; else a build (10–25 min cold on 2 cores, with progress on stderr).
 * A user who has Pulumi installed never builds anything.
 *
 * Language hosts (`pulumi-language-nodejs` …) are not built: the Go module proxy answers `403 Forbidden: This module
 * version is not available` for every version of those (untagged) modules, so programs run as Automation API inline
 * programs (docs/engine.md). Beside the CLI goes `pulumi-resource-pulumi-nodejs`, the dynamic-provider host's launcher
 * as `@pulumi/pulumi` ships it. (Policy packs need no script here: the CLI v3.274 has no `pulumi-analyzer-policy-nodejs`
 * fallback any more; engine/install.ts `policyPackLauncher` is how packs run without a language host.)
 */
import { execFile, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import { findPackageRoot } from "./project";

const execFileAsync = promisify(execFile);

/** The oldest Pulumi CLI this project's tests are known to work with. */
export const MINIMUM_VERSION = "3.270.0";
/** The version engine/cli/build.sh builds. */
export const BUILT_VERSION = "3.274.1";

/** A usable Pulumi CLI. */
export interface PulumiCli {
  /** Absolute path of the `pulumi` binary. */
  readonly bin: string;
  /** Its version, without the leading `v` (e.g. `3.274.1`). */
  readonly version: string;
  /** Where it came from. */
  readonly source: "PULUMI_CLI" | "PATH" | "cache" | "built";
  /**
   * PATH entries to put first when running it: the CLI's directory and the directory of
   * `pulumi-resource-pulumi-nodejs`.
   */
  readonly path: readonly string[];
}

/** Options of {@link findPulumiCli}. */
export interface FindPulumiCliOptions {
  /** Progress lines (what is built, elapsed time, the log's path). Default: stderr. */
  onProgress?: (line: string) => void;
  /** Build when no CLI is found. Default true; false makes a missing CLI an error. */
  build?: boolean;
}

/** The CLI could not be found or built; the message says what was tried and what to do. */
export class PulumiCliError extends Error {
  override readonly name = "PulumiCliError";
}

/** The cache directory of this project's machine-wide files (never inside a clone). */
export function cacheDir(): string {
  return (
    process.env["PPC_CACHE"] ??
    join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "pulumi-platform-credentials")
  );
}

let found: Promise<PulumiCli> | undefined;

/** Finds (or builds) the CLI once per process; see the module doc for the order. */
export function findPulumiCli(opts: FindPulumiCliOptions = {}): Promise<PulumiCli> {
  found ??= locate(opts).catch((error: unknown) => {
    found = undefined;
    throw error;
  });
  return found;
}

async function locate(opts: FindPulumiCliOptions): Promise<PulumiCli> {
  const progress = opts.onProgress ?? ((line: string) => process.stderr.write(`${line}\n`));
  const explicit = process.env["PULUMI_CLI"];
  if (explicit !== undefined && explicit !== "") {
    const bin = resolve(explicit);
    const version = await versionOf(bin);
    if (version === undefined) throw new PulumiCliError(`PULUMI_CLI=${explicit} does not run \`pulumi version\`.`);
    return {
      bin,
      version,
      source: "PULUMI_CLI",
      path: [dirname(bin), helperScripts(join(cacheDir(), "path-helpers"))],
    };
  }
  const onPath = await whichPulumi();
  if (onPath !== undefined) {
    const version = await versionOf(onPath);
    if (version !== undefined && compareVersions(version, MINIMUM_VERSION) >= 0) {
      return {
        bin: onPath,
        version,
        source: "PATH",
        path: [dirname(onPath), helperScripts(join(cacheDir(), "path-helpers"))],
      };
    }
    if (version !== undefined) progress(`pulumi on PATH is ${version}, older than ${MINIMUM_VERSION}: not used`);
  }
  const buildScript = join(findPackageRoot(), "engine", "cli", "build.sh");
  if (!existsSync(buildScript)) {
    throw new PulumiCliError(
      `No Pulumi CLI ≥ ${MINIMUM_VERSION} found: install Pulumi (https://www.pulumi.com/docs/install/), or set PULUMI_CLI to a pulumi binary.`,
    );
  }
  const cached = await cachedBuild(buildScript);
  if (cached !== undefined) {
    return { bin: cached, version: BUILT_VERSION, source: "cache", path: [helperScripts(dirname(cached))] };
  }
  if (opts.build === false) {
    throw new PulumiCliError(`No Pulumi CLI found and building is off: run ${buildScript} first.`);
  }
  const bin = await build(buildScript, progress);
  return { bin, version: BUILT_VERSION, source: "built", path: [helperScripts(dirname(bin))] };
}

/** `engine/cli/build.sh` prints the bin directory of the cached build; with PPC_CHECK_ONLY it never builds. */
async function cachedBuild(buildScript: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync("bash", [buildScript], {
      env: { ...process.env, PPC_CHECK_ONLY: "1" },
      timeout: 60_000,
    });
    const bin = join(stdout.trim(), "pulumi");
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}

async function build(buildScript: string, progress: (line: string) => void): Promise<string> {
  const logDir = join(cacheDir(), "logs");
  mkdirSync(logDir, { recursive: true });
  const log = join(logDir, `build-pulumi-${BUILT_VERSION}-${new Date().toISOString().replace(/[:.]/g, "-")}.log`);
  progress(
    `Building the Pulumi CLI v${BUILT_VERSION} from Pulumi's Go modules (first time on this machine: 10-25 min on 2 cores; ` +
      `later runs reuse ${cacheDir()}). Log: ${log}`,
  );
  const started = Date.now();
  const { writeFile, appendFile } = await import("node:fs/promises");
  await writeFile(log, "");
  const child = spawn("bash", [buildScript], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => void appendFile(log, chunk));
  const timer = setInterval(() => {
    const s = Math.round((Date.now() - started) / 1000);
    progress(`  still building the Pulumi CLI (${Math.floor(s / 60)} min ${s % 60} s); log: ${log}`);
  }, 30_000);
  const code = await new Promise<number | null>((done) => child.on("close", done));
  clearInterval(timer);
  if (code !== 0) {
    const tail = readFileSync(log, "utf8").split("\n").slice(-25).join("\n");
    throw new PulumiCliError(
      `Building the Pulumi CLI failed (exit ${code}). Last lines of ${log}:\n${tail}\n` +
        "It needs Go ≥ 1.26 and the Go module proxy. Or install Pulumi yourself and put it on PATH (or set PULUMI_CLI).",
    );
  }
  const bin = join(stdout.trim(), "pulumi");
  progress(`Built the Pulumi CLI in ${Math.round((Date.now() - started) / 1000)} s: ${bin}`);
  return bin;
}

async function versionOf(bin: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(bin, ["version"], {
      timeout: 30_000,
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    });
    const match = /v?(\d+\.\d+\.\d+)/.exec(stdout);
    return match?.[1];
  } catch {
    return undefined;
  }
}

async function whichPulumi(): Promise<string | undefined> {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, "pulumi");
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Compares dotted versions numerically: negative, 0 or positive. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(".").map(Number);
  const pb = b.split(".").map(Number);
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/**
 * Writes the script the engine looks for into `dir` (atomically, so concurrent runs never see a half-written
 * one) and returns `dir`. It resolves `@pulumi/pulumi` from the directory the engine starts it in (the project), as
 * the original does. For a CLI this project built, `dir` is the CLI's own directory: the engine
 * looks for bundled plugins beside its executable first, and warns on every command ("using
 * pulumi-resource-pulumi-nodejs from $PATH") when it finds one on PATH instead.
 */
function helperScripts(dir: string): string {
  const scripts: Record<string, string> = {
    // The same two lines as the script at the root of the @pulumi/pulumi package.
    "pulumi-resource-pulumi-nodejs":
      "#!/bin/sh\n" +
      "script=$(node -e \"console.log(require.resolve('@pulumi/pulumi/cmd/dynamic-provider'))\") || exit 1\n" +
      'exec node "$script" "$@"\n',
  };
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(scripts)) {
    const file = join(dir, name);
    if (existsSync(file) && readFileSync(file, "utf8") === text) continue;
    const partial = `${file}.${process.pid}.partial`;
    writeFileSync(partial, text);
    chmodSync(partial, 0o755);
    renameSync(partial, file);
  }
  return dir;
}
