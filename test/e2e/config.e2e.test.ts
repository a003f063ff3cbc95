/**
 * Provider credentials as users set them, through the real `pulumi` CLI: `pulumi config set --secret
 * interchange:apiKey …` typed at the command line (stored encrypted in Pulumi.<stack>.yaml, decrypted by the engine
 * for the provider's `configure`), the SCOPE3_API_KEY environment variable when no config is set, and a missing key
 * failing before any write with a message naming both ways.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { copyProject } from "../../engine/install";
import { ProjectStack } from "../../engine/stack";
import { expectNoPlaintextSecrets, useE2E } from "./support";

const REGISTER = "POST /api/v2/buyer/storefronts/{storefrontId}/sources/{sourceId}/credentials";

describe.sequential("provider credentials through the real pulumi CLI", () => {
  const e2e = useE2E();

  /** The storefront example with the emulator's default key removed from its Pulumi.yaml (program unchanged). */
  const projectWithoutKey = (name: string) => {
    const dir = copyProject(
      e2e.installed,
      e2e.installed.example("storefront-credentials"),
      join(e2e.session.dir, "config-projects", name),
    );
    const manifest = parse(readFileSync(join(dir, "Pulumi.yaml"), "utf8")) as { config: Record<string, unknown> };
    delete manifest.config["interchange:apiKey"];
    manifest.config["interchange:baseUrl"] = e2e.emulator.interchangeUrl;
    writeFileSync(join(dir, "Pulumi.yaml"), stringify(manifest));
    return dir;
  };
  // Registrations outlive `destroy` (no revoke API), so each stack registers its own account.
  const secretInputs = (stack: ProjectStack) =>
    stack.setConfig({
      "storefront-credentials:accountIdentifier": { value: `acme-buyer-${stack.stackName}` },
      "storefront-credentials:displayApiKey": { value: e2e.secrets.displayApiKey, secret: true },
      "storefront-credentials:retailPrivateKey": { value: e2e.secrets.retailPrivateKey, secret: true },
    });

  it("a key set with `pulumi config set --secret` reaches the provider and is stored encrypted", async () => {
    const stack = await ProjectStack.open(e2e.session, { projectDir: projectWithoutKey("typed"), stackName: "typed" });
    try {
      const typed = await stack.cli(["config", "set", "--secret", "interchange:apiKey", e2e.secrets.interchangeApiKey]);
      expect(typed.code, typed.stderr).toBe(0);
      const stackFile = readFileSync(join(stack.projectDir, "Pulumi.typed.yaml"), "utf8");
      expect(stackFile).toMatch(/interchange:apiKey:\s+secure: /);
      expectNoPlaintextSecrets([stackFile], [e2e.secrets.interchangeApiKey], "Pulumi.typed.yaml");
      await secretInputs(stack);
      e2e.clearRequests();
      const up = await e2e.record(stack.up());
      expect(up.result.summary.resourceChanges).toEqual({ create: 4 });
      expect(e2e.requests()[REGISTER]).toBe(3);
      await e2e.record(stack.destroy());
    } finally {
      await stack.close();
    }
  });

  it("without config, the SCOPE3_API_KEY environment variable is used", async () => {
    const stack = await ProjectStack.open(e2e.session, {
      projectDir: projectWithoutKey("env"),
      stackName: "env",
      env: { SCOPE3_API_KEY: e2e.secrets.globexApiKey },
    });
    try {
      await secretInputs(stack);
      // Globex cannot see storefront 101: the environment's key, not a default, was used.
      const failure = await e2e.recordFailure(stack.up());
      expect(failure.message + failure.stdout + failure.stderr).toMatch(/storefront 101|NOT_FOUND|not found/i);
      await stack.setConfig({ "interchange:apiKey": { value: e2e.secrets.interchangeApiKey, secret: true } });
      const up = await e2e.record(stack.up()).catch((error: { message: string; stdout: string; stderr: string }) => {
        throw new Error(`${error.message}\n${error.stdout}\n${error.stderr}`);
      });
      expect(up.result.outputs["displayStatus"]?.value).toBe("ACTIVE");
      await e2e.record(stack.destroy());
    } finally {
      await stack.close();
    }
  });

  it("a missing key fails before any write, naming the config command and the environment variable", async () => {
    const stack = await ProjectStack.open(e2e.session, {
      projectDir: projectWithoutKey("missing"),
      stackName: "missing",
    });
    try {
      await secretInputs(stack);
      e2e.clearRequests();
      const failure = await e2e.recordFailure(stack.up());
      const printed = failure.message + failure.stdout + failure.stderr;
      expect(printed).toContain("pulumi config set --secret interchange:apiKey");
      expect(printed).toContain("SCOPE3_API_KEY");
      expect(e2e.requests()[REGISTER]).toBeUndefined();
    } finally {
      await stack.close();
    }
  });

  it("nothing recorded holds a key in plain text", () => {
    expectNoPlaintextSecrets(e2e.recorded, [e2e.secrets.interchangeApiKey, e2e.secrets.globexApiKey], "recorded");
  });
});
