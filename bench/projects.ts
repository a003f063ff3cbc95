/**
 * The Pulumi projects the bench runs through the real CLI: one per contender and stack size, laid out beside the
 * package installed from its packed tarball (engine/install.ts) as a user's project is: Pulumi.yaml, package.json,
 * a generated index.js and node_modules. The naive and no-op providers are copied into the project as files, so
 * Pulumi serializes them by value, as it does a provider written in a user's own program.
 */
import { copyFileSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { InstalledPackage } from "../engine/install";
import type { PulumiSession } from "../engine/session";
import { ProjectStack } from "../engine/stack";
import type { EmulatorEndpoints } from "./emulatorProcess";
import { CREDENTIALS, type Workload } from "./workload";

/** The providers under test. */
export const PROVIDERS = ["package", "naive", "floor"] as const;
/** A provider under test: this package, the docs-style naive peer, the no-op floor. */
export type Provider = (typeof PROVIDERS)[number];

/** The program of `provider` over `workload`: the resources in a fixed order, secrets marked as a user marks them. */
export function programText(provider: Provider, workload: Workload): string {
  const spec = JSON.stringify({
    sources: workload.sources,
    deliveries: workload.deliveries,
    apiCredentials: workload.apiCredentials,
  });
  const head = `"use strict";\nconst pulumi = require("@pulumi/pulumi");\nconst w = ${spec};\n`;
  switch (provider) {
    case "package":
      return (
        head +
        `const { interchange, commercelayer } = require("pulumi-platform-credentials");
for (const s of w.sources) new interchange.StorefrontSourceCredential(s.name, { storefrontId: s.storefrontId, sourceId: s.sourceId, accountIdentifier: s.accountIdentifier, auth: { type: "apiKey", token: pulumi.secret(s.token) } });
for (const d of w.deliveries) new interchange.DataDeliveryCredential(d.name, { advertiserId: d.advertiserId, name: d.credentialName, destination: { type: "GCS", bucket: d.bucket } });
for (const a of w.apiCredentials) new commercelayer.ApiCredential(a.name, { organizationId: a.organizationId, name: a.credentialName, kind: "integration", roleId: a.roleId });
`
      );
    case "naive":
      return (
        head +
        `const naive = require("./providers.js");
for (const s of w.sources) new naive.NaiveSourceCredential(s.name, { storefrontId: s.storefrontId, sourceId: s.sourceId, accountIdentifier: s.accountIdentifier, token: pulumi.secret(s.token) });
for (const d of w.deliveries) new naive.NaiveDeliveryCredential(d.name, { advertiserId: d.advertiserId, name: d.credentialName, bucket: d.bucket });
for (const a of w.apiCredentials) new naive.NaiveApiCredential(a.name, { organizationId: a.organizationId, name: a.credentialName, kind: "integration", roleId: a.roleId });
`
      );
    case "floor":
      return (
        head +
        `const noop = require("./providers.js");
for (const s of w.sources) new noop.NoopSourceCredential(s.name, { storefrontId: s.storefrontId, sourceId: s.sourceId, accountIdentifier: s.accountIdentifier, auth: { type: "apiKey", token: pulumi.secret(s.token) } });
for (const d of w.deliveries) new noop.NoopDeliveryCredential(d.name, { advertiserId: d.advertiserId, name: d.credentialName, destination: { type: "GCS", bucket: d.bucket } });
for (const a of w.apiCredentials) new noop.NoopApiCredential(a.name, { organizationId: a.organizationId, name: a.credentialName, kind: "integration", roleId: a.roleId });
`
      );
  }
}

/** What every bench stack is opened with. */
export interface BenchWorld {
  readonly session: PulumiSession;
  readonly installed: InstalledPackage;
  readonly endpoints: EmulatorEndpoints;
}

/**
 * Lays out the project of `provider` over `workload` in the session directory (`name` tells projects apart) and
 * opens its stack with the emulator's endpoints: as stack config for this package (secrets with `--secret`), as
 * environment variables for the naive peer (as the docs' examples read theirs). `extraEnv` reaches the runner, the
 * CLI and the provider host (bench/profile.ts uses it).
 */
export async function openBenchStack(
  world: BenchWorld,
  provider: Provider,
  workload: Workload,
  name: string,
  extraEnv: Record<string, string> = {},
): Promise<ProjectStack> {
  const projectDir = join(world.session.dir, "bench-projects", name);
  rmSync(projectDir, { recursive: true, force: true });
  mkdirSync(projectDir, { recursive: true });
  writeFileSync(join(projectDir, "Pulumi.yaml"), `name: bench-${provider}\nruntime: nodejs\n`);
  writeFileSync(join(projectDir, "package.json"), JSON.stringify({ name: `bench-${provider}`, private: true }));
  symlinkSync(join(world.installed.root, "node_modules"), join(projectDir, "node_modules"));
  if (provider !== "package") copyFileSync(join(__dirname, provider, "providers.js"), join(projectDir, "providers.js"));
  writeFileSync(join(projectDir, "index.js"), programText(provider, workload));
  const { endpoints } = world;
  const stack = await ProjectStack.open(world.session, {
    projectDir,
    env: {
      INTERCHANGE_BASE_URL: endpoints.interchangeUrl,
      SCOPE3_API_KEY: CREDENTIALS.interchangeApiKey,
      COMMERCELAYER_AUTH_URL: endpoints.commerceLayerAuthUrl,
      COMMERCELAYER_BASE_URL: endpoints.commerceLayerApiUrl,
      COMMERCELAYER_CLIENT_ID: CREDENTIALS.commerceLayerClientId,
      COMMERCELAYER_CLIENT_SECRET: CREDENTIALS.commerceLayerClientSecret,
      ...extraEnv,
    },
  });
  if (provider === "package") {
    await stack.setConfig({
      "interchange:baseUrl": { value: endpoints.interchangeUrl },
      "interchange:apiKey": { value: CREDENTIALS.interchangeApiKey, secret: true },
      "commercelayer:baseUrl": { value: endpoints.commerceLayerApiUrl },
      "commercelayer:authUrl": { value: endpoints.commerceLayerAuthUrl },
      "commercelayer:clientId": { value: CREDENTIALS.commerceLayerClientId },
      "commercelayer:clientSecret": { value: CREDENTIALS.commerceLayerClientSecret, secret: true },
    });
  }
  return stack;
}
