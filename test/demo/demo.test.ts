/**
 * `platform-credentials demo` (what `npm run demo` runs after building), as a user runs it: the built CLI in a child
 * process with its own emulator on a free port. Asserts the printed steps, the outcomes each step promises, that no
 * secret is printed, and the exit codes. Needs `npm run build`.
 */
import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_EMULATOR_PORT } from "../../bin/platform-credentials";

const CLI = resolve(__dirname, "..", "..", "dist", "bin", "platform-credentials.js");

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[]): Promise<CliRun> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (code) => resolveRun({ code, stdout, stderr }));
  });
}

describe("platform-credentials demo", () => {
  let run: CliRun;

  beforeAll(async () => {
    run = await runCli(["demo", "--probe-delay-ms", "100"]);
  }, 120_000);

  it("runs to completion with exit code 0", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Demo finished in \d+\.\d s\.\n$/);
  });

  it("prints every step in order", () => {
    const steps = [...run.stdout.matchAll(/^\[(\d+)\] (.+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(steps).toEqual([
      "1 Start the emulator (Scope3 Interchange + Commerce Layer)",
      "2 Install the package in a Pulumi project and start Pulumi's dynamic-provider host",
      "3 Run the example programs under mocks and capture their registrations",
      "4 pulumi preview",
      "5 pulumi up — storefront-credentials",
      "6 pulumi up — data-delivery",
      "7 pulumi up — commercelayer",
      "8 Stack outputs (what `pulumi stack output` shows; secrets stay [secret])",
      "9 A probe that fails: `pulumi config set s3Bucket fail-acme-lld-s3 && pulumi up` (data-delivery)",
      "10 A second stack reads the outputs with StackReference (examples/consumer)",
      "11 Meanwhile, outside Pulumi",
      "12 pulumi refresh",
      "13 Policy pack examples/policy-pack over the refreshed stacks",
      "14 pulumi destroy",
      "15 Run the same examples with a real `pulumi up`",
    ]);
  });

  it("listens on a free port, not the CLI emulator's default", () => {
    const ports = [...run.stdout.matchAll(/listening on http:\/\/127\.0\.0\.1:(\d+) /g)].map((m) => Number(m[1]));
    expect(ports).toHaveLength(1);
    expect(ports[0]).toBeGreaterThan(0);
    expect(ports[0]).not.toBe(DEFAULT_EMULATOR_PORT);
  });

  it("shows each resource created with its status, the OAuth consent URL and progress on probes", () => {
    expect(run.stdout).toMatch(/^ {2}\+ display \(interchange:StorefrontSourceCredential\) created in .* — ACTIVE$/m);
    expect(run.stdout).toMatch(/^ {2}\+ social \(interchange:StorefrontSourceCredential\) created in .* — PENDING$/m);
    expect(run.stdout).toMatch(/^ {6}OAuth consent URL: https:\/\/\S+consent=\S+$/m);
    for (const [name, type] of [
      ["lld-gcs", "GCS"],
      ["lld-s3", "S3"],
      ["lld-azure", "AZURE_BLOB"],
    ]) {
      expect(run.stdout).toContain(`  … ${name}: waiting for Scope3's probe of the destination`);
      expect(run.stdout).toMatch(
        new RegExp(`^  \\+ ${name} \\(interchange:DataDeliveryCredential\\) created in .* — ${type} VALIDATED$`, "m"),
      );
    }
    for (const [name, kind] of [
      ["storefront", "sales_channel"],
      ["erp", "integration"],
      ["backoffice", "webapp"],
    ]) {
      expect(run.stdout).toContain(`+ ${name} (commercelayer:ApiCredential) created in`);
      expect(run.stdout).toMatch(new RegExp(`${name} .*— ${kind}, test mode, client id \\[secret\\]`));
    }
  });

  it("shows secret outputs as [secret], in the credential stacks and in the consumer", () => {
    expect(run.stdout).toContain("      erpClientSecret: [secret]");
    expect(run.stdout).toContain("  • erpSettings: [secret]");
    expect(run.stdout).toContain("  • dataDeliveryReady: true");
  });

  it("shows a probe that fails, why, and the fix", () => {
    expect(run.stdout).toMatch(
      /✗ lld-s3 \(interchange:DataDeliveryCredential\) update failed — kept in state with id 12345\/lld-s3/,
    );
    expect(run.stdout).toMatch(/why: .*AccessDenied.*s3:\/\/fail-acme-lld-s3/);
    expect(run.stdout).toMatch(/~ lld-s3 \(interchange:DataDeliveryCredential\) updated in .* — S3 VALIDATED/);
  });

  it("shows the refresh noticing consent, a removed grant and a revoked credential", () => {
    expect(run.stdout).toContain("  ~ social: status PENDING → ACTIVE");
    expect(run.stdout).toContain("  ~ lld-gcs: status VALIDATED → FAILED");
    expect(run.stdout).toMatch(/why: Probe failed: .*gs:\/\/acme-lld-gcs/);
    expect(run.stdout).toContain("  - retail: gone — removed from the stack's state");
  });

  it("shows the policy violations the pack reports", () => {
    expect(run.stdout).toContain("  ✗ mandatory data-delivery-credential-validated — lld-gcs");
    expect(run.stdout).toContain("  ! advisory azure-sas-token-expiry — lld-azure");
    expect(run.stdout).toContain("  1 mandatory: a real `pulumi up` with this pack would stop on them.");
  });

  it("destroys what can be deleted and says that source credentials need a manual revoke", () => {
    expect(run.stdout).toContain("  • Commerce Layer API credentials left: 0");
    expect(run.stdout).toContain("  • data-delivery credentials left on advertiser 12345: 0");
    expect(run.stdout).toMatch(/storefront source registrations left: 2 — Interchange has no revoke/);
  });

  it("ends with how to run the examples with a real pulumi up", () => {
    expect(run.stdout).toContain("       npm run emulator      (in this repository;");
    expect(run.stdout).toContain("       pulumi up");
    expect(run.stdout).toContain("       pulumi config set --secret interchange:apiKey <your scope3 API key>");
  });

  it("prints no secret: no configured key, token or SAS signature", () => {
    for (const secret of [
      "scope3_acme_emulatorkey",
      "cl-emulator-secret",
      "emulator-display-api-key",
      "emulator-placeholder-private-key",
      "sig=",
    ]) {
      expect(run.stdout, secret).not.toContain(secret);
    }
  });
});

describe("platform-credentials demo failures", () => {
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((done) => busy.listen(0, "127.0.0.1", done));
    busyPort = (busy.address() as { port: number }).port;
  });

  afterAll(async () => {
    await new Promise<void>((done) => busy.close(() => done()));
  });

  it("exits 1 with the failed step and the reason when the emulator cannot start", async () => {
    const result = await runCli(["demo", "--port", String(busyPort)]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('✗ Demo failed during "Start the emulator (Scope3 Interchange + Commerce Layer)"');
    expect(result.stdout).toContain("EADDRINUSE");
  });

  it("exits 2 with the usage on a bad flag", async () => {
    const result = await runCli(["demo", "--port", "http"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--port must be an integer from 0 to 65535, got "http"');
    expect(result.stderr).toContain("Usage: platform-credentials demo");
  });
});
