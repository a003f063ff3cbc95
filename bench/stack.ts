/**
 * What every benchmark runs against: the emulator in its own process, a project with the built package installed,
 * the registrations of bench/program.ts (inputs with the serialized providers, as the engine stores them), and
 * configured dynamic-provider hosts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import {
  startDynamicProviderHost,
  urn,
  type DynamicProviderHost,
  type HostOptions,
  type PropertyMap,
} from "../engine/host";
import { runProgram, type Registration } from "../engine/program";
import { prepareProject, type PrepareProjectOptions, type PulumiProject } from "../engine/project";
import { Secret } from "../engine/secrets";
import type { EmulatorEndpoints } from "./emulatorProcess";

/** Type tokens of the benchmarked resources. */
export const BENCH_TYPES = {
  source: "pulumi-nodejs:dynamic/interchange:StorefrontSourceCredential",
  delivery: "pulumi-nodejs:dynamic/interchange:DataDeliveryCredential",
  apiCredential: "pulumi-nodejs:dynamic/commercelayer:ApiCredential",
  naive: "pulumi-nodejs:dynamic/bench:NaiveApiCredential",
  floor: "pulumi-nodejs:dynamic/bench:NoopApiCredential",
} as const;

/** A benchmarked resource. */
export type BenchResource = keyof typeof BENCH_TYPES;

/** The emulator process and its administration routes. */
export class EmulatorProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly endpoints: EmulatorEndpoints,
  ) {}

  /** Starts `dist/bench/emulatorProcess.js` and reads its endpoints. */
  static async start(): Promise<EmulatorProcess> {
    const child = spawn(process.execPath, [join(__dirname, "emulatorProcess.js")], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const endpoints = await new Promise<EmulatorEndpoints>((resolve, reject) => {
      let out = "";
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
        out += chunk;
        const newline = out.indexOf("\n");
        if (newline >= 0) resolve(JSON.parse(out.slice(0, newline)) as EmulatorEndpoints);
      });
      child.once("exit", (code) => reject(new Error(`the emulator process exited (${code}) before serving`)));
    });
    return new EmulatorProcess(child, endpoints);
  }

  /** One administration call (`path` relative to `/_emulator`). */
  async admin(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(this.endpoints.adminUrl + path, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${method} /_emulator${path} answered ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  /** Default seed, no faults, zero counts; Commerce Layer's rate limit off (the limiter is not what is measured). */
  async reset(): Promise<void> {
    await this.admin("POST", "/reset");
    await this.admin("POST", "/commercelayer/settings", { rateLimitPerInterval: 0 });
  }

  /** Requests per route since the last clear, then clears them. */
  async takeCounts(): Promise<Record<string, number>> {
    const counts = (await this.admin("GET", "/requests")) as Record<string, number>;
    await this.admin("DELETE", "/requests");
    return counts;
  }

  /** Stops the process. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }
}

/** Everything the benchmarks share. */
export interface BenchStack {
  readonly emulator: EmulatorProcess;
  readonly project: PulumiProject;
  /** The program's registration of each resource. */
  readonly registrations: Record<BenchResource, Registration>;
  /** Stack config for the hosts. */
  readonly config: Record<string, string | Secret<string>>;
  /** A new configured host process (`opts.execArgv`: Node options for it, e.g. to profile it). */
  host(opts?: HostOptions): Promise<DynamicProviderHost>;
  /** Inputs of resource `kind` with `patch` applied and the serialized provider kept. */
  inputs(kind: BenchResource, patch?: PropertyMap): PropertyMap;
  /** The URN of a resource of `kind` named `name`. */
  urn(kind: BenchResource, name: string): string;
}

/** Runs bench/program.ts in `project` and returns its registrations by resource. */
export async function registrationsIn(
  project: PulumiProject,
  programDir = __dirname,
): Promise<Record<BenchResource, Registration>> {
  const run = await runProgram({ project, program: join(programDir, "program.js") });
  const find = (type: string): Registration => {
    const found = run.registrations.find((r) => r.type === type);
    if (!found) throw new Error(`bench/program.ts registered no ${type}`);
    return found;
  };
  return {
    source: find(BENCH_TYPES.source),
    delivery: find(BENCH_TYPES.delivery),
    apiCredential: find(BENCH_TYPES.apiCredential),
    naive: find(BENCH_TYPES.naive),
    floor: find(BENCH_TYPES.floor),
  };
}

/** Starts the emulator, prepares the project and runs the program. */
export async function startBenchStack(projectOptions: PrepareProjectOptions = {}): Promise<BenchStack> {
  const emulator = await EmulatorProcess.start();
  await emulator.reset();
  const project = await prepareProject(projectOptions);
  const registrations = await registrationsIn(project);
  const { endpoints } = emulator;
  const config: Record<string, string | Secret<string>> = {
    "interchange:apiKey": new Secret("scope3_acme_emulatorkey"),
    "interchange:baseUrl": endpoints.interchangeUrl,
    "commercelayer:clientId": "cl-emulator-client",
    "commercelayer:clientSecret": new Secret("cl-emulator-secret"),
    "commercelayer:authUrl": endpoints.commerceLayerAuthUrl,
    "commercelayer:baseUrl": endpoints.commerceLayerApiUrl,
  };
  // The naive provider reads the environment (as the docs' examples do); hosts inherit the bench's environment.
  process.env["COMMERCELAYER_CLIENT_ID"] = "cl-emulator-client";
  process.env["COMMERCELAYER_CLIENT_SECRET"] = "cl-emulator-secret";
  process.env["COMMERCELAYER_AUTH_URL"] = endpoints.commerceLayerAuthUrl;
  process.env["COMMERCELAYER_BASE_URL"] = endpoints.commerceLayerApiUrl;
  return {
    emulator,
    project,
    registrations,
    config,
    async host(opts) {
      const host = await startDynamicProviderHost(project, opts);
      await host.configure(config);
      return host;
    },
    inputs: (kind, patch = {}) => ({ ...registrations[kind].inputs, ...patch }),
    urn: (kind, name) => urn(BENCH_TYPES[kind], name),
  };
}
