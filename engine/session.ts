/**
 * An isolated, offline Pulumi session for the real CLI: its own `PULUMI_HOME`, a file backend in a temp directory, a
 * passphrase secrets provider, no update check, no plugin download, no registry look-up, and PATH starting with the
 * CLI and the helper scripts (engine/cli.ts). Nothing leaves the machine and nothing of the user's own Pulumi setup is
 * read or written.
 */
import { execFile } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { findPulumiCli, type FindPulumiCliOptions, type PulumiCli } from "./cli";

/** Result of {@link PulumiSession.run}: exit code and what the CLI printed. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link PulumiSession.create}. */
export interface PulumiSessionOptions extends FindPulumiCliOptions {
  /** Passphrase of the stacks' secrets provider. Default: a fixed test passphrase. */
  passphrase?: string;
}

/** One isolated Pulumi setup; {@link close} removes its home and backend. */
export class PulumiSession {
  private constructor(
    /** The CLI in use. */
    readonly cli: PulumiCli,
    /** The session's temp directory (home, backend, CLI root). */
    readonly dir: string,
    /** Environment for every CLI call and for Automation API workspaces. */
    readonly env: Readonly<Record<string, string>>,
    /** A directory with `bin/pulumi`, as the Automation API's `PulumiCommand.get({ root })` expects. */
    readonly cliRoot: string,
  ) {}

  /** Finds (or builds) the CLI, then lays out the session directory. */
  static async create(opts: PulumiSessionOptions = {}): Promise<PulumiSession> {
    const cli = await findPulumiCli(opts);
    const dir = await mkdtemp(join(tmpdir(), "pulumi-session-"));
    const home = join(dir, "home");
    const backend = join(dir, "backend");
    const cliRoot = join(dir, "cli");
    for (const d of [home, backend, join(cliRoot, "bin")]) mkdirSync(d, { recursive: true });
    symlinkSync(cli.bin, join(cliRoot, "bin", "pulumi"));
    const inherited: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) {
      // Nothing of a user's own Pulumi setup (tokens, backend, config) leaks into the session.
      if (value !== undefined && !key.startsWith("PULUMI_")) inherited[key] = value;
    }
    const env: Record<string, string> = {
      ...inherited,
      PATH: [...cli.path, process.env["PATH"] ?? ""].join(delimiter),
      PULUMI_HOME: home,
      PULUMI_BACKEND_URL: `file://${backend}`,
      PULUMI_CONFIG_PASSPHRASE: opts.passphrase ?? "platform-credentials-test-passphrase",
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
      PULUMI_DISABLE_REGISTRY_RESOLVE: "true",
      PULUMI_SKIP_CONFIRMATIONS: "true",
      PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
      NO_COLOR: "1",
    };
    return new PulumiSession(cli, dir, env, cliRoot);
  }

  /** The file backend's directory. */
  get backendDir(): string {
    return join(this.dir, "backend");
  }

  /** Runs `pulumi <args>` in `cwd` with the session's environment (never throws on a non-zero exit). */
  run(
    args: readonly string[],
    opts: { cwd: string; env?: Record<string, string>; input?: string },
  ): Promise<CliResult> {
    return new Promise((done) => {
      const child = execFile(
        this.cli.bin,
        [...args],
        { cwd: opts.cwd, env: { ...this.env, ...opts.env }, maxBuffer: 64 * 1024 * 1024, timeout: 10 * 60_000 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
          done({ code, stdout, stderr });
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
      else child.stdin?.end();
    });
  }

  /** Removes the session's home and backend. */
  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
