/**
 * The emulator process of the benchmarks (bench/emulatorProcess.ts) and its administration routes: reset to the
 * bench seed, injected latency on every API route, request counts.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { EmulatorEndpoints } from "./emulatorProcess";

/** Every API route the benchmarked resources use, as the emulator's fault templates (latency is injected on each). */
export const API_ROUTES = [
  "/api/v2/buyer/storefronts/credentials",
  "/api/v2/buyer/storefronts/{storefrontId}/sources/{sourceId}/credentials",
  "/api/v2/buyer/storefronts/{storefrontId}",
  "/api/v2/buyer/advertisers/{advertiserId}",
  "/api/v2/buyer/advertisers/{advertiserId}/data-delivery-credentials/{name}/validate",
  "/api/api_credentials",
  "/api/api_credentials/{apiCredentialId}",
  "/oauth/token",
] as const;

/** The emulator process and its administration routes. */
export class EmulatorProcess {
  private constructor(
    private readonly child: ChildProcess,
    /** Its URLs. */
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

  /** The emulator's process id (its CPU time is read from /proc). */
  get pid(): number {
    return this.child.pid ?? 0;
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

  /**
   * Back to the bench seed (no registrations: Interchange cannot revoke, so every contender starts from a reset),
   * zero counts, and `latencyMs` of injected delay on every API route (0: none).
   */
  async prepare(latencyMs: number): Promise<void> {
    await this.admin("POST", "/reset");
    if (latencyMs <= 0) return;
    for (const path of API_ROUTES) {
      await this.admin("POST", "/faults", { path, delayMs: latencyMs, times: 1_000_000_000 });
    }
  }

  /** Requests per route (`"METHOD /template"`) since the last call, then zeroes them. */
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
