/**
 * The example programs under Pulumi's mocks (engine/program.ts runs the compiled examples in a child process, as the
 * language host would): each registers what its README says, with secret inputs wrapped, and the consumer reads the
 * other stacks' outputs through a mocked StackReference with their secretness preserved. What they export after a
 * real `pulumi up` is tested through the real CLI in test/e2e/. Needs `npm run build`.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { DEFAULT_EMULATOR_PORT } from "../../bin/platform-credentials";
import { exampleConfig, exampleProgram, EXAMPLE_PROGRAMS, type ExampleName } from "../support/examples";
import { runProgram, type ProgramRun, type Registration } from "../../engine/program";
import { prepareProject, type PulumiProject } from "../../engine/project";
import { isSecret, reveal, Secret } from "../../engine/secrets";

const root = resolve(__dirname, "..", "..");
const SOURCE_TYPE = "pulumi-nodejs:dynamic/interchange:StorefrontSourceCredential";
const DELIVERY_TYPE = "pulumi-nodejs:dynamic/interchange:DataDeliveryCredential";
const CL_TYPE = "pulumi-nodejs:dynamic/commercelayer:ApiCredential";

let project: PulumiProject;
const runs = new Map<ExampleName, ProgramRun>();

/** What the mocks answer to the lookups the examples make (under mocks a lookup is an invoke of its function token). */
const INVOKES: Record<string, Record<string, unknown>> = {
  "platform-credentials:commercelayer:getRole": {
    roleId: "BlueRead01",
    name: "Read-only",
    kind: "read_only",
    organizationId: "BlueBrnd01",
  },
};

async function run(name: ExampleName, stackReferences?: Record<string, Record<string, unknown>>): Promise<ProgramRun> {
  const { config, projectName } = exampleConfig(root, name);
  return runProgram({
    project,
    program: exampleProgram(root, name),
    config,
    projectName,
    stackName: "dev",
    invokes: INVOKES,
    ...(stackReferences ? { stackReferences } : {}),
  });
}

function byName(result: ProgramRun): Map<string, Registration> {
  return new Map(result.registrations.map((reg) => [reg.name, reg]));
}

/** The storefront, data-delivery and commercelayer outputs the consumer reads (as a real `up` would export them). */
function upstreamOutputs(gcsStatus: string): Record<string, Record<string, unknown>> {
  return {
    "organization/storefront-credentials/dev": {
      socialConsentUrl: "https://consent.example.test/authorize?consent=abc",
      displayStatus: "ACTIVE",
    },
    "organization/data-delivery/dev": { gcsStatus, s3Status: "VALIDATED", azureStatus: "VALIDATED" },
    "organization/commercelayer/dev": {
      erpClientId: new Secret("erp-client-id-7f3a"),
      erpClientSecret: new Secret("erp-client-secret-19c2"),
      tokenLifetimes: { erp: 14400 },
    },
  };
}

beforeAll(async () => {
  project = await prepareProject();
  const names = ["storefront-credentials", "data-delivery", "commercelayer"] as const;
  const results = await Promise.all(names.map((name) => run(name)));
  names.forEach((name, index) => runs.set(name, results[index] as ProgramRun));
});

afterAll(async () => {
  await project?.cleanup();
});

describe("examples/storefront-credentials", () => {
  it("registers an API-key, a JWT and an OAuth source credential on storefront 101, secrets wrapped", () => {
    const regs = byName(runs.get("storefront-credentials") as ProgramRun);
    expect([...regs.keys()].sort()).toEqual(["display", "retail", "social"]);
    for (const reg of regs.values()) {
      expect(reg.type).toBe(SOURCE_TYPE);
      expect(reg.inputs["storefrontId"]).toBe(101);
      expect(reg.inputs["accountIdentifier"]).toBe("acme-buyer-1");
    }
    expect(regs.get("display")?.inputs["sourceId"]).toBe("src_apikey");
    expect(regs.get("display")?.inputs["auth"]).toEqual(
      new Secret({ type: "api_key", token: "emulator-display-api-key" }),
    );
    expect(regs.get("display")?.inputs["rotationTriggers"]).toEqual({ keyVersion: "1" });
    const retailAuth = regs.get("retail")?.inputs["auth"];
    expect(isSecret(retailAuth)).toBe(true);
    expect(reveal<Record<string, unknown>>(retailAuth)).toMatchObject({
      type: "jwt",
      privateKey: "emulator-placeholder-private-key",
      algorithm: "RS256",
    });
    expect(regs.get("social")?.inputs["sourceId"]).toBe("src_oauth");
    expect(regs.get("social")?.inputs["auth"]).toBeUndefined();
  });

  it("keeps the secrets out of the serialized provider", () => {
    const result = runs.get("storefront-credentials") as ProgramRun;
    expect(result.registrations).toHaveLength(3);
    for (const reg of result.registrations) {
      expect(reg.providerText).toContain("pulumi-platform-credentials");
      expect(reg.providerText).not.toContain("emulator-display-api-key");
      expect(reg.providerText).not.toContain("emulator-placeholder-private-key");
    }
  });
});

describe("examples/data-delivery", () => {
  it("registers a GCS, an S3 and an Azure credential for advertiser 12345, the SAS token secret", () => {
    const regs = byName(runs.get("data-delivery") as ProgramRun);
    expect([...regs.keys()].sort()).toEqual(["lld-azure", "lld-gcs", "lld-s3"]);
    for (const reg of regs.values()) {
      expect(reg.type).toBe(DELIVERY_TYPE);
      expect(reg.inputs["advertiserId"]).toBe("12345");
      expect(reg.inputs["name"]).toBe(reg.name);
    }
    expect(regs.get("lld-gcs")?.inputs["destination"]).toEqual({ type: "GCS", bucket: "acme-lld-gcs" });
    expect(regs.get("lld-s3")?.inputs["destination"]).toEqual({
      type: "S3",
      bucket: "acme-lld-s3",
      region: "us-east-1",
    });
    const azure = regs.get("lld-azure")?.inputs["destination"] as Record<string, unknown>;
    expect(azure["type"]).toBe("AZURE_BLOB");
    expect(azure["storageAccountName"]).toBe("acmelld");
    expect(isSecret(azure["sasToken"])).toBe(true);
    expect(regs.get("lld-azure")?.providerText).not.toContain("sig=emulator-placeholder");
  });
});

describe("examples/commercelayer", () => {
  it("registers a sales channel, an integration with a role and a webapp with an https redirect URI", () => {
    const regs = byName(runs.get("commercelayer") as ProgramRun);
    expect([...regs.keys()].sort()).toEqual(["backoffice", "erp", "storefront"]);
    expect(regs.get("storefront")?.inputs).toMatchObject({ kind: "sales_channel", organizationId: "BlueBrnd01" });
    expect(regs.get("storefront")?.inputs["roleId"]).toBeUndefined();
    expect(regs.get("erp")?.inputs).toMatchObject({
      kind: "integration",
      roleId: "BlueRead01",
      expiresIn: 14400,
      metadata: { owner: "platform-team", sync: { entities: ["skus", "prices"], intervalMinutes: 15 } },
    });
    // A time-based rotation trigger: the current quarter, so the first up of each quarter rotates the secret.
    expect(regs.get("erp")?.inputs["rotationTriggers"]).toEqual({ quarter: expect.stringMatching(/^\d{4}-Q[1-4]$/) });
    // The role id came from the getRole lookup, which under mocks is an invoke the mocks answer.
    expect(runs.get("commercelayer")?.invocations).toEqual([
      {
        token: "platform-credentials:commercelayer:getRole",
        args: { organizationId: "BlueBrnd01", kind: "read_only" },
      },
    ]);
    expect(runs.get("commercelayer")?.outputs["erpRoleName"]).toBe("Read-only");
    expect(regs.get("backoffice")?.inputs).toMatchObject({
      kind: "webapp",
      redirectUri: "https://backoffice.acme.example/callback",
    });
    for (const reg of regs.values()) {
      expect(reg.type).toBe(CL_TYPE);
      expect([...reg.additionalSecretOutputs].sort()).toEqual(["clientId", "clientSecret"]);
    }
  });
});

describe("examples/consumer", () => {
  it("reads the three stacks named in its config through StackReference", async () => {
    const result = await run("consumer", upstreamOutputs("VALIDATED"));
    expect(result.registrations.map((reg) => [reg.type, reg.readId])).toEqual([
      ["pulumi:pulumi:StackReference", "organization/storefront-credentials/dev"],
      ["pulumi:pulumi:StackReference", "organization/data-delivery/dev"],
      ["pulumi:pulumi:StackReference", "organization/commercelayer/dev"],
    ]);
  });

  it("keeps secret upstream outputs secret, and what it computes from them, while plain ones stay plain", async () => {
    const { outputs } = await run("consumer", upstreamOutputs("VALIDATED"));
    expect(outputs).toEqual({
      erpClientIdForJobs: new Secret("erp-client-id-7f3a"),
      erpSettings: new Secret({
        clientId: "erp-client-id-7f3a",
        clientSecret: "erp-client-secret-19c2",
        tokenLifetimeSeconds: 14400,
      }),
      dataDeliveryReady: true,
      pendingConsentUrl: "https://consent.example.test/authorize?consent=abc",
    });
    expect(isSecret(outputs["dataDeliveryReady"])).toBe(false);
    expect(isSecret(outputs["pendingConsentUrl"])).toBe(false);
  });

  it("reports data delivery as not ready when a probe FAILED upstream", async () => {
    const { outputs } = await run("consumer", upstreamOutputs("FAILED"));
    expect(outputs["dataDeliveryReady"]).toBe(false);
  });
});

describe("example projects", () => {
  it.each(EXAMPLE_PROGRAMS)("%s has a nodejs Pulumi.yaml, a package.json and a README titled by its path", (name) => {
    const dir = join(root, "examples", name);
    const manifest = parse(readFileSync(join(dir, "Pulumi.yaml"), "utf8")) as { name: string; runtime: string };
    expect(manifest).toMatchObject({ name, runtime: "nodejs" });
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies)).toContain("@pulumi/pulumi");
    if (name !== "consumer") expect(Object.keys(pkg.dependencies)).toContain("pulumi-platform-credentials");
    const readme = readFileSync(join(dir, "README.md"), "utf8");
    expect(readme.split("\n")[0]).toBe(`# examples/${name}`);
    expect(existsSync(join(dir, "index.ts"))).toBe(true);
  });

  it("point every provider endpoint at the emulator CLI's default port", () => {
    const endpoints = ["storefront-credentials", "data-delivery", "commercelayer"].flatMap((name) =>
      Object.entries(exampleConfig(root, name as ExampleName).config)
        .filter(([key]) => /:(baseUrl|authUrl)$/.test(key))
        .map(([, value]) => new URL(String(value)).host),
    );
    expect(endpoints).toHaveLength(4);
    expect(new Set(endpoints)).toEqual(new Set([`127.0.0.1:${DEFAULT_EMULATOR_PORT}`]));
  });
});
