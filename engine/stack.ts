/**
 * A stack of a Pulumi project, driven through the real `pulumi` CLI and engine (Automation API inline program in a
 * child Node process, engine/inlineRunnerEntry.ts), plus the CLI itself for what users type (`pulumi stack export`,
 * `pulumi config set --secret`, `pulumi import`).
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import type * as automation from "@pulumi/pulumi/automation";
import type { RunnerCommand, RunnerInit, RunnerReply } from "./inlineRunnerEntry";
import type { CliResult, PulumiSession } from "./session";

/** A command the CLI ran and failed: the message plus what it printed and the engine events seen. */
export class StackCommandError extends Error {
  override readonly name = "StackCommandError";
  constructor(
    message: string,
    /** What the CLI printed on stdout (the plan, the steps, the diagnostics). */
    readonly stdout: string,
    /** What the CLI printed on stderr. */
    readonly stderr: string,
    /** Engine events of the command (`--event-log`). */
    readonly events: automation.EngineEvent[],
  ) {
    super(message);
  }
}

/** What every update-like command answers: the CLI's output and the engine's events. */
export interface CommandOutcome<R> {
  /** The Automation API's result (stdout, stderr, summary or change summary, outputs). */
  readonly result: R;
  /** Every engine event of the command, in order (what `--event-log` wrote). */
  readonly events: automation.EngineEvent[];
}

/** Options of {@link ProjectStack.open}. */
export interface ProjectStackOptions {
  /** The project directory (holding Pulumi.yaml); packages resolve from its `node_modules` (or a parent's). */
  projectDir: string;
  /** The compiled program. Default: `<projectDir>/index.js`. */
  program?: string;
  /** Stack name. Default `dev`. */
  stackName?: string;
  /** Extra environment (e.g. a provider key from the environment). */
  env?: Record<string, string>;
}

/** One stack of one project, open until {@link close}. */
export class ProjectStack {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: RunnerReply) => void>();

  private constructor(
    private readonly child: ChildProcess,
    /** The session it runs in. */
    readonly session: PulumiSession,
    /** The project directory. */
    readonly projectDir: string,
    /** The stack's name. */
    readonly stackName: string,
    private readonly env: Record<string, string>,
  ) {
    child.on("message", (reply: RunnerReply) => {
      const settle = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      settle?.(reply);
    });
  }

  /** Selects (or creates) the stack; the child stays up for every command. */
  static async open(session: PulumiSession, opts: ProjectStackOptions): Promise<ProjectStack> {
    const stackName = opts.stackName ?? "dev";
    const env = { ...session.env, ...opts.env };
    const child = fork(runnerEntry(), [], {
      cwd: opts.projectDir,
      env,
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    let childOutput = "";
    child.stdout?.on("data", (chunk: Buffer) => (childOutput += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (childOutput += chunk.toString()));
    const init: RunnerInit = {
      kind: "init",
      projectDir: opts.projectDir,
      program: opts.program ?? join(opts.projectDir, "index.js"),
      stackName,
      cliRoot: session.cliRoot,
      env,
    };
    const ready = await new Promise<{ ready: boolean; message?: string }>((done) => {
      child.once("message", (m: { ready: boolean; message?: string }) => done(m));
      child.once("exit", (code) => done({ ready: false, message: `the runner exited (${code}): ${childOutput}` }));
      child.send(init);
    });
    if (!ready.ready) {
      child.kill();
      throw new Error(`Opening stack ${stackName} in ${opts.projectDir} failed: ${ready.message ?? ""}`);
    }
    return new ProjectStack(child, session, opts.projectDir, stackName, env);
  }

  private send<R>(command: RunnerCommand): Promise<CommandOutcome<R>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, (reply) => {
        if (reply.ok) resolve({ result: reply.result as R, events: reply.events });
        else reject(new StackCommandError(reply.message, reply.stdout, reply.stderr, reply.events));
      });
      this.child.send({ id, command });
    });
  }

  /** `pulumi preview` (with `--diff`, so the output shows property changes). */
  preview(options: automation.PreviewOptions = {}): Promise<CommandOutcome<automation.PreviewResult>> {
    return this.send({ kind: "preview", options: { diff: true, ...options } });
  }

  /** `pulumi up --yes`. */
  up(options: automation.UpOptions = {}): Promise<CommandOutcome<automation.UpResult>> {
    return this.send({ kind: "up", options: { diff: true, ...options } });
  }

  /** `pulumi refresh --yes`. */
  refresh(options: automation.RefreshOptions = {}): Promise<CommandOutcome<automation.RefreshResult>> {
    return this.send({ kind: "refresh", options });
  }

  /** `pulumi destroy --yes`. */
  destroy(options: automation.DestroyOptions = {}): Promise<CommandOutcome<automation.DestroyResult>> {
    return this.send({ kind: "destroy", options });
  }

  /** `pulumi config set-all` (values with `secret: true` encrypted, as `pulumi config set --secret` does). */
  async setConfig(config: automation.ConfigMap, opts: { path?: boolean } = {}): Promise<void> {
    await this.send({ kind: "setConfig", config, ...(opts.path === undefined ? {} : { path: opts.path }) });
  }

  /** `pulumi config rm` of each key. */
  async removeConfig(keys: string[]): Promise<void> {
    await this.send({ kind: "removeConfig", keys });
  }

  /** The stack's outputs, secret ones marked. */
  async outputs(): Promise<automation.OutputMap> {
    return (await this.send<automation.OutputMap>({ kind: "outputs" })).result;
  }

  /**
   * `pulumi stack export`, run as a user types it: secrets stay encrypted. (The Automation API's own
   * `exportStack()` passes `--show-secrets`, so it cannot show what the state really holds.)
   */
  async exportStack(opts: { showSecrets?: boolean } = {}): Promise<automation.Deployment> {
    const result = await this.cli(["stack", "export", ...(opts.showSecrets === true ? ["--show-secrets"] : [])]);
    if (result.code !== 0)
      throw new StackCommandError(`pulumi stack export failed: ${result.stderr}`, result.stdout, result.stderr, []);
    return JSON.parse(result.stdout) as automation.Deployment;
  }

  /** `pulumi stack import`. */
  async importStack(deployment: automation.Deployment): Promise<void> {
    await this.send({ kind: "importStack", deployment });
  }

  /** Runs `pulumi <args> --stack <this stack>` in the project directory, as a user types it. */
  cli(args: readonly string[], opts: { input?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
    return this.session.run([...args, "--stack", this.stackName], {
      cwd: this.projectDir,
      env: { ...this.env, ...opts.env },
      ...(opts.input === undefined ? {} : { input: opts.input }),
    });
  }

  /** Stops the child (the stack and its state stay in the session's backend). */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((done) => this.child.once("exit", done));
    this.child.kill();
    await exited;
  }
}

/** The compiled runner: beside this file in dist/, or in dist/ when this file is loaded from source (tests). */
function runnerEntry(): string {
  const beside = join(__dirname, "inlineRunnerEntry.js");
  if (existsSync(beside)) return beside;
  const built = resolve(__dirname, "..", "dist", "engine", "inlineRunnerEntry.js");
  if (existsSync(built)) return built;
  throw new Error(`${built} is missing: run \`npm run build\` first.`);
}
