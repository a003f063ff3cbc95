/**
 * `platform-credentials demo` (what `npm run demo` runs after building), as a user runs it: the built CLI in a child
 * process, which finds the real `pulumi` CLI (building it the first time on a machine), installs the package from its
 * tarball and drives the examples through the real engine against its own emulator on a free port. Asserts the steps,
 * the real CLI's output for each promise the demo makes, that no secret is printed, and the exit codes. Needs
 * `npm run build`.
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

/** The text of step `n` (from its `[n]` line to the next step). */
function stepText(stdout: string, n: number): string {
  const start = stdout.indexOf(`\n[${n}] `);
  const end = stdout.indexOf(`\n[${n + 1}] `);
  expect(start, `step ${n} is printed`).toBeGreaterThanOrEqual(0);
  return stdout.slice(start, end === -1 ? undefined : end);
}

function count(text: string, pattern: RegExp): number {
  return [...text.matchAll(new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`))].length;
}

describe("platform-credentials demo", () => {
  let run: CliRun;

  beforeAll(async () => {
    run = await runCli(["demo", "--probe-delay-ms", "100"]);
    // Finding the CLI may build it from Go modules the first time on a machine (10-25 min).
  }, 40 * 60_000);

  it("runs to completion with exit code 0", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Demo finished in \d+\.\d s\.\n$/);
  });

  it("prints every step in order", () => {
    const steps = [...run.stdout.matchAll(/^\[(\d+)\] (.+)$/gm)].map((m) => `${m[1]} ${m[2]}`);
    expect(steps).toEqual([
      "1 Find the Pulumi CLI",
      "2 Start the emulator (Scope3 Interchange + Commerce Layer)",
      "3 Install the package as a user does: npm pack, then npm install <tarball>",
      "4 Stack config: `pulumi stack init dev` and `pulumi config set [--secret]` in each example",
      "5 pulumi preview, then pulumi up — storefront-credentials",
      "6 pulumi preview, then pulumi up — data-delivery",
      "7 pulumi preview, then pulumi up — commercelayer",
      "8 OAuth consent: a person opens socialConsentUrl; then pulumi refresh and pulumi up (storefront-credentials)",
      "9 A probe that fails: pulumi config set s3Bucket fail-acme-lld-s3 && pulumi up (data-delivery)",
      "10 A second stack reads the outputs with StackReference (examples/consumer)",
      "11 Changes made outside Pulumi, found by pulumi refresh",
      "12 Policy pack examples/policy-pack, run by the real analyzer: pulumi preview --policy-pack",
      "13 pulumi destroy",
      "14 No secret in anything printed above",
      "15 Run the same examples yourself with `pulumi up`",
    ]);
  });

  it("says up front that a first CLI build takes minutes, then names the CLI it uses", () => {
    const text = stepText(run.stdout, 1);
    expect(text).toContain("the first run builds the CLI v3.274.1 from Pulumi's Go modules: 10-25 minutes");
    expect(text).toMatch(/✓ pulumi v\d+\.\d+\.\d+ \(.+\): \/\S+\/pulumi\n/);
  });

  it("listens on a free port, not the CLI emulator's default, and installs the packed tarball", () => {
    const ports = [...run.stdout.matchAll(/listening on http:\/\/127\.0\.0\.1:(\d+) /g)].map((m) => Number(m[1]));
    expect(ports).toHaveLength(1);
    expect(ports[0]).toBeGreaterThan(0);
    expect(ports[0]).not.toBe(DEFAULT_EMULATOR_PORT);
    expect(stepText(run.stdout, 3)).toMatch(
      /✓ pulumi-platform-credentials \d+\.\d+\.\d+ from pulumi-platform-credentials-.+\.tgz/,
    );
  });

  it("prints the real CLI's plan and steps for each credential stack: 4 to create, then 4 created", () => {
    for (const [n, type, names] of [
      [5, "interchange:StorefrontSourceCredential", ["display", "retail", "social"]],
      [6, "interchange:DataDeliveryCredential", ["lld-gcs", "lld-s3", "lld-azure"]],
      [7, "commercelayer:ApiCredential", ["storefront", "erp", "backoffice"]],
    ] as const) {
      const text = stepText(run.stdout, n);
      expect(text).toContain("Previewing update (dev):");
      expect(text).toMatch(/Resources:\n {8}\+ 4 to create\n/);
      expect(text).toContain("Updating (dev):");
      expect(text).toMatch(/Resources:\n {8}\+ 4 created\n/);
      for (const name of names) {
        expect(text).toMatch(new RegExp(`^ {5}\\+ {2}pulumi-nodejs:dynamic/${type} ${name} create$`, "m"));
        expect(text).toMatch(new RegExp(`^ {5}\\+ {2}pulumi-nodejs:dynamic/${type} ${name} created \\(`, "m"));
      }
      // Progress lines (what an interactive terminal redraws in place) are left out.
      expect(text).not.toMatch(/ creating \(\d/);
    }
  });

  it("shows the outputs of up: statuses, the OAuth consent URL, and Commerce Layer client secrets as [secret]", () => {
    expect(stepText(run.stdout, 5)).toMatch(/^ {8}socialConsentUrl: "https:\/\/\S+consent=\S+"$/m);
    expect(stepText(run.stdout, 5)).toMatch(/^ {8}socialStatus {4}: "PENDING"$/m);
    for (const status of ["gcsStatus", "s3Status", "azureStatus"]) {
      expect(stepText(run.stdout, 6)).toMatch(new RegExp(`^ {8}${status} *: "VALIDATED"$`, "m"));
    }
    for (const output of ["erpClientId", "erpClientSecret", "backofficeClientSecret", "storefrontClientId"]) {
      expect(stepText(run.stdout, 7)).toMatch(new RegExp(`^ {8}${output} *: \\[secret\\]$`, "m"));
    }
  });

  it("shows consent picked up: refresh keeps 4 unchanged, the next up shows PENDING => ACTIVE", () => {
    const text = stepText(run.stdout, 8);
    expect(text).toContain("Refreshing (dev):");
    expect(text).toMatch(/Resources:\n {8}4 unchanged\n/);
    expect(text).toMatch(/~ socialStatus {4}: "PENDING" => "ACTIVE"/);
    expect(text).toMatch(/- socialConsentUrl: "https:/);
  });

  it("shows the failing probe: up fails with the reason, the credential stays in state, then the fix", () => {
    const text = stepText(run.stdout, 9);
    expect(text).toMatch(/DataDeliveryCredential lld-s3 \*\*updating failed\*\*/);
    expect(text).toMatch(/AccessDenied: Access Denied writing the probe object to s3:\/\/fail-acme-lld-s3\./);
    expect(text).toMatch(/Resources:\n {8}3 unchanged\n {8}2 errored\n/);
    expect(text).toContain(
      "✓ pulumi up exited with code 1; lld-s3 stays in the stack (id 12345/lld-s3), FAILED: AccessDenied",
    );
    expect(text).toMatch(/Resources:\n {8}~ 1 updated\n {8}3 unchanged\n/);
  });

  it("shows the consumer reading the three stacks with StackReference, secret outputs still [secret]", () => {
    const text = stepText(run.stdout, 10);
    for (const stack of ["storefront-credentials", "data-delivery", "commercelayer"]) {
      expect(count(text, new RegExp(`read pulumi:pulumi:StackReference organization/${stack}/dev$`, "m"))).toBe(1);
    }
    expect(text).toMatch(/^ {8}erpSettings {7}: \[secret\]$/m);
    expect(text).toMatch(/^ {8}erpClientIdForJobs: \[secret\]$/m);
    expect(text).toMatch(/^ {8}dataDeliveryReady : true$/m);
    expect(text).toContain("encrypted in the consumer's state");
  });

  it("shows refresh finding the revoked credential and the failed probe, and up registering it again", () => {
    const text = stepText(run.stdout, 11);
    expect(text).toMatch(/^ {5}- {2}pulumi-nodejs:dynamic\/interchange:StorefrontSourceCredential retail deleted/m);
    expect(text).toMatch(/Resources:\n {8}- 1 deleted\n {8}3 unchanged\n/);
    expect(text).toMatch(/lld-gcs re-probed: FAILED in the state \("Probe failed: .*gs:\/\/acme-lld-gcs\."\)/);
    expect(text).toMatch(/Resources:\n {8}\+ 1 created\n {8}3 unchanged\n/);
  });

  it("shows the policy findings of the real analyzer: a mandatory violation fails, an advisory one warns", () => {
    const text = stepText(run.stdout, 12);
    expect(text).toContain("Loading policy packs...: done");
    expect(text).toMatch(/❌ platform-credentials@v0\.1\.0 \(local: /);
    expect(text).toMatch(
      /- \[mandatory\] {2}data-delivery-credential-validated {2}\(pulumi-nodejs:dynamic\/interchange:DataDeliveryCredential: lld-gcs\)/,
    );
    expect(text).toMatch(
      /- \[advisory\] {2}azure-sas-token-expiry {2}\(pulumi-nodejs:dynamic\/interchange:DataDeliveryCredential: lld-azure\)/,
    );
    expect(text).toContain("  ✗ mandatory data-delivery-credential-validated — lld-gcs\n");
    expect(text).toContain("  ! advisory azure-sas-token-expiry — lld-azure\n");
    expect(text).toMatch(/✅ platform-credentials@v0\.1\.0 \(local: /);
  });

  it("destroys the four stacks and says what stays on the platforms", () => {
    const text = stepText(run.stdout, 13);
    expect(count(text, /Resources:\n {8}- 4 deleted\n/)).toBe(3);
    expect(text).toMatch(/Resources:\n {8}- 1 deleted\n/);
    expect(text).toContain("  • Commerce Layer API credentials left: 0");
    expect(text).toContain("  • data-delivery credentials left on advertiser 12345: 0");
    expect(text).toMatch(/storefront source registrations left: 3 — Interchange has no revoke/);
  });

  it("ends with how to run the examples with pulumi up", () => {
    expect(run.stdout).toContain("       npm run emulator      (in this repository;");
    expect(run.stdout).toContain("       pulumi up");
    expect(run.stdout).toContain("       pulumi config set --secret interchange:apiKey <your scope3 API key>");
  });

  it("prints no secret: no configured key, token or SAS signature", () => {
    expect(run.stdout).toMatch(/✓ none of the \d+ secret values/);
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
