/**
 * A stack's exports computed from the state an `up` recorded: the program runs again under mocks that answer every
 * resource with its recorded id and outputs, as the engine answers a real program, so exports such as `status` or
 * the OAuth consent URL carry the values the provider returned, with their secret marks.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import type { ResourceState } from "../engine/engine";
import { PACKAGE_NAME, type PulumiProject } from "../engine/project";
import { decodeSecretSignatures, encodeSecretSignatures, isSecret, reveal, type Secret } from "../engine/secrets";
import type { StackOutputsRequest, StackOutputsResult } from "./stackOutputsEntry";

/** Options of {@link evaluateStackOutputs}. */
export interface EvaluateStackOutputsOptions {
  /** The project the program runs in (cwd, and where this package is installed). */
  project: PulumiProject;
  /** Path of the compiled CommonJS program. */
  program: string;
  /** Project name of the stack (its Pulumi.yaml `name`). */
  projectName: string;
  /** Stack name. Default: `stack`. */
  stackName?: string;
  /** Stack config; `Secret` values are secret keys. */
  config?: Record<string, string | Secret<string>>;
  /** The recorded state (MiniEngine's `state` values). */
  resources: Iterable<ResourceState>;
  /** Outputs of stacks the program references, per stack name (`Secret` values stay secret). */
  stackReferences?: Record<string, Record<string, unknown>>;
  /** How long the program may run. Default: 60 s. */
  timeoutMs?: number;
}

/** The stack's exports, secret ones as `Secret` marks. Rejects with the child's error output if the program fails. */
export async function evaluateStackOutputs(opts: EvaluateStackOutputsOptions): Promise<Record<string, unknown>> {
  const workDir = await mkdtemp(join(tmpdir(), "pulumi-outputs-"));
  try {
    const resources: StackOutputsRequest["resources"] = {};
    for (const resource of opts.resources) {
      const name = resource.urn.slice(resource.urn.lastIndexOf("::") + 2);
      resources[`${resource.type}::${name}`] = {
        id: resource.id,
        outputs: encodeSecretSignatures(resource.outputs) as Record<string, unknown>,
      };
    }
    const request: StackOutputsRequest = {
      program: resolve(opts.program),
      projectName: opts.projectName,
      stackName: opts.stackName ?? "stack",
      resources,
      stackReferences: encodeSecretSignatures(opts.stackReferences ?? {}) as StackOutputsRequest["stackReferences"],
      resultFile: join(workDir, "result.json"),
    };
    const requestFile = join(workDir, "request.json");
    await writeFile(requestFile, JSON.stringify(request));
    const config = opts.config ?? {};
    // Runs from the project's installed copy so @pulumi/pulumi and this package resolve as for a user's program.
    const entry = opts.project.resolve(`${PACKAGE_NAME}/dist/demo/stackOutputsEntry.js`);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_PATH: [join(opts.project.dir, "node_modules"), process.env["NODE_PATH"]].filter(Boolean).join(delimiter),
      PULUMI_CONFIG: JSON.stringify(reveal(config)),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(Object.keys(config).filter((key) => isSecret(config[key]))),
      PULUMI_NODEJS_PROJECT: request.projectName,
      PULUMI_NODEJS_STACK: request.stackName,
    };
    const stderr = await runEntry(entry, requestFile, opts.project.dir, env, opts.timeoutMs ?? 60_000);
    if (stderr !== undefined) throw new Error(`The program ${request.program} failed:\n${stderr.trim()}`);
    const result = JSON.parse(await readFile(request.resultFile, "utf8")) as StackOutputsResult;
    return decodeSecretSignatures(result.outputs) as Record<string, unknown>;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/** Resolves to undefined on success, or to the child's stderr when it failed. */
function runEntry(
  entry: string,
  requestFile: string,
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<string | undefined> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [entry, requestFile], { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`The program did not finish within ${timeoutMs} ms.`));
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolveRun(code === 0 ? undefined : stderr || `exit code ${code}`);
    });
  });
}
