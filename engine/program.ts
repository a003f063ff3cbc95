/**
 * Runs a compiled Pulumi program under Pulumi's mocks in a child Node process and reports what it registered, the way
 * the engine would receive it: type tokens, inputs with secret marks, the serialized `__provider`, the
 * `additionalSecretOutputs` option and the stack's exports.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { PROVIDER_KEY } from "./host";
import type { ProgramEntryRequest, ProgramEntryResult } from "./programEntry";
import { PACKAGE_NAME, type PulumiProject } from "./project";
import { decodeSecretSignatures, encodeSecretSignatures, isSecret, reveal, Secret } from "./secrets";

/** One resource registration, in the order the program made them. */
export interface Registration {
  /** The URN the mock monitor assigned (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
  urn: string;
  /** Type token, e.g. `pulumi-nodejs:dynamic/interchange:StorefrontSourceCredential`. */
  type: string;
  /** The resource's name. */
  name: string;
  /** Custom resource (true) or component (false). */
  custom: boolean;
  /** Inputs as sent to the engine, including `__provider`; secret inputs are {@link Secret}. */
  inputs: Record<string, unknown>;
  /** The serialized provider (`inputs.__provider` unwrapped), or undefined for non-dynamic resources. */
  providerText: string | undefined;
  /** The `additionalSecretOutputs` resource option, as the RegisterResource request carried it. */
  additionalSecretOutputs: string[];
  /** URNs of the resources this one depends on. */
  dependencies?: string[];
  /** Parent URN, when the resource has a parent. */
  parent?: string;
  /** For reads (`get`, `StackReference`): the id asked for. */
  readId?: string;
}

/** Result of {@link runProgram}. */
export interface ProgramRun {
  /** Every registration, in registration order. */
  registrations: Registration[];
  /** Every function the program invoked (the lookups, under mocks), in order: its token and its arguments. */
  invocations: { token: string; args: Record<string, unknown> }[];
  /** The stack's exports; secret exports are {@link Secret}. */
  outputs: Record<string, unknown>;
  /** What the program printed on stdout and stderr. */
  logs: string;
}

/** Options of {@link runProgram}. */
export interface RunProgramOptions {
  /** The project the program runs in (cwd, and where this package is installed). */
  project: PulumiProject;
  /** Path of the compiled CommonJS program file. */
  program: string;
  /** Stack config, keys like `interchange:apiKey`; {@link Secret} values are listed as secret keys. */
  config?: Record<string, string | Secret<string>>;
  /** Project name of the URNs. Default: `project`. */
  projectName?: string;
  /** Stack name of the URNs. Default: `stack`. */
  stackName?: string;
  /** Outputs of the stacks the program references, per stack name; {@link Secret} values stay secret. */
  stackReferences?: Record<string, Record<string, unknown>>;
  /**
   * What the mocks answer to the functions the program invokes (the lookups, under mocks), by function token
   * (`platform-credentials:commercelayer:getRole`); any other invoke answers its own inputs.
   */
  invokes?: Record<string, Record<string, unknown>>;
  /** How long the program may run. Default: 60 s. */
  timeoutMs?: number;
}

/** Why a program run failed, with what the child printed. */
export class ProgramError extends Error {
  /**
   * @param message what failed
   * @param stderr the child's stderr (the program's error and stack trace)
   */
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super(message);
    this.name = "ProgramError";
  }
}

/**
 * Runs `opts.program` with `pulumi.runtime.setMocks` installed first, in a child process (mocks are global state, so
 * one process per run) with cwd = the project directory. Config reaches it through `PULUMI_CONFIG` and
 * `PULUMI_CONFIG_SECRET_KEYS`, as the language host passes it. Rejects with a {@link ProgramError} carrying the
 * child's stderr when the program throws or logs an error.
 */
export async function runProgram(opts: RunProgramOptions): Promise<ProgramRun> {
  const { project } = opts;
  const config = opts.config ?? {};
  const workDir = await mkdtemp(join(tmpdir(), "pulumi-program-"));
  try {
    const request: ProgramEntryRequest = {
      program: resolve(opts.program),
      projectName: opts.projectName ?? "project",
      stackName: opts.stackName ?? "stack",
      stackReferences: encodeSecretSignatures(opts.stackReferences ?? {}) as ProgramEntryRequest["stackReferences"],
      invokes: opts.invokes ?? {},
      resultFile: join(workDir, "result.json"),
    };
    const requestFile = join(workDir, "request.json");
    await writeFile(requestFile, JSON.stringify(request));

    // The entry runs from the project's installed copy so that @pulumi/pulumi and this package resolve as they do
    // for a user's program; NODE_PATH lets a program outside the project (a fixture, an example) find them too.
    const entry = project.resolve(`${PACKAGE_NAME}/dist/engine/programEntry.js`);
    const nodePath = [join(project.dir, "node_modules"), process.env["NODE_PATH"]].filter(Boolean).join(delimiter);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_PATH: nodePath,
      PULUMI_CONFIG: JSON.stringify(reveal(config)),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(Object.keys(config).filter((key) => isSecret(config[key]))),
      PULUMI_NODEJS_PROJECT: request.projectName,
      PULUMI_NODEJS_STACK: request.stackName,
    };
    const { code, stdout, stderr } = await runChild(entry, requestFile, project.dir, env, opts.timeoutMs ?? 60_000);
    if (code !== 0) {
      throw new ProgramError(`The program ${request.program} failed (exit ${code}):\n${stderr.trim()}`, stderr);
    }
    const result = JSON.parse(await readFile(request.resultFile, "utf8")) as ProgramEntryResult;
    return {
      registrations: result.registrations.map((raw) => {
        const inputs = decodeSecretSignatures(raw.inputs) as Record<string, unknown>;
        const provider = reveal(inputs[PROVIDER_KEY]);
        return {
          urn: raw.urn,
          type: raw.type,
          name: raw.name,
          custom: raw.custom,
          inputs,
          providerText: typeof provider === "string" ? provider : undefined,
          additionalSecretOutputs: raw.additionalSecretOutputs,
          dependencies: raw.dependencies,
          ...(raw.parent !== undefined ? { parent: raw.parent } : {}),
          ...(raw.readId !== undefined ? { readId: raw.readId } : {}),
        };
      }),
      invocations: result.invocations,
      outputs: decodeSecretSignatures(result.outputs) as Record<string, unknown>,
      logs: stdout + stderr,
    };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

function runChild(
  entry: string,
  requestFile: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [entry, requestFile], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new ProgramError(`The program did not finish within ${timeoutMs} ms.`, stderr));
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}
