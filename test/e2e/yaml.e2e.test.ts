/**
 * A Pulumi YAML program using the provider plugin, run the way users run one: the real `pulumi` CLI in the project
 * directory (`pulumi stack init`, `pulumi config set --secret`, `pulumi up`, `pulumi preview --expect-no-changes`,
 * `pulumi refresh`, `pulumi destroy`), with the real YAML language host (pulumi-language-yaml, built beside the CLI)
 * and the plugin of the installed package found through `plugins.providers`. One resource of each kind through an
 * explicit provider, the integration credential's role and two outputs from provider functions (`fn::invoke` of the
 * lookups); a registration rotated outside the stack shows as drift on refresh and the next `up` registers the
 * declared secret again; every secret encrypted in the exported state and never printed.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { CliResult } from "../../engine/session";
import {
  COMMERCE_LAYER_CLIENT_ID,
  expectNoPlaintextSecrets,
  isEncryptedSecret,
  resourceNamed,
  secretValues,
  useE2E,
} from "./support";

const program = (pluginDir: string, erpName: string) => `name: yaml-sdk
runtime: yaml
description: The three platform-credentials resources and two lookups from a YAML program, through an explicit provider.
plugins:
  providers:
    - name: platform-credentials
      path: ${pluginDir}
config:
  interchangeBaseUrl: { type: string }
  interchangeApiKey: { type: string, secret: true }
  commerceLayerBaseUrl: { type: string }
  commerceLayerAuthUrl: { type: string }
  commerceLayerClientSecret: { type: string, secret: true }
  displayToken: { type: string, secret: true }
  sasToken: { type: string, secret: true }
variables:
  readOnlyRole:
    fn::invoke:
      function: platform-credentials:commercelayer:getRole
      arguments:
        organizationId: BlueBrnd01
        kind: read_only
      options:
        provider: \${emulator}
  storefront:
    fn::invoke:
      function: platform-credentials:interchange:getStorefront
      arguments:
        storefrontId: 101
      options:
        provider: \${emulator}
resources:
  emulator:
    type: pulumi:providers:platform-credentials
    properties:
      interchangeBaseUrl: \${interchangeBaseUrl}
      interchangeApiKey: \${interchangeApiKey}
      commerceLayerBaseUrl: \${commerceLayerBaseUrl}
      commerceLayerAuthUrl: \${commerceLayerAuthUrl}
      commerceLayerClientId: ${COMMERCE_LAYER_CLIENT_ID}
      commerceLayerClientSecret: \${commerceLayerClientSecret}
  display:
    type: platform-credentials:interchange:StorefrontSourceCredential
    properties:
      storefrontId: 101
      sourceId: src_apikey
      accountIdentifier: yaml-buyer
      auth:
        type: apiKey
        token: \${displayToken}
    options:
      provider: \${emulator}
  azure:
    type: platform-credentials:interchange:DataDeliveryCredential
    properties:
      advertiserId: "12345"
      name: yaml-lld-azure
      destination:
        type: AZURE_BLOB
        storageAccountName: acmelld
        containerName: lld-exports
        sasToken: \${sasToken}
    options:
      provider: \${emulator}
  erp:
    type: platform-credentials:commercelayer:ApiCredential
    properties:
      organizationId: BlueBrnd01
      name: ${erpName}
      kind: integration
      roleId: \${readOnlyRole.roleId}
    options:
      provider: \${emulator}
outputs:
  displayStatus: \${display.status}
  azureStatus: \${azure.status}
  erpName: \${erp.name}
  erpClientSecret: \${erp.clientSecret}
  erpRoleId: \${erp.roleId}
  storefrontName: \${storefront.name}
  firstSource: \${storefront.sources[0]}
`;

describe.sequential("a Pulumi YAML program through the real pulumi CLI and YAML language host", () => {
  const e2e = useE2E();
  let dir: string;
  let pluginDir: string;
  const printed: string[] = [];
  const pulumi = async (...args: string[]): Promise<CliResult> => {
    const result = await e2e.session.run(args, { cwd: dir });
    printed.push(result.stdout, result.stderr);
    return result;
  };
  const ok = (result: CliResult) => expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);

  beforeAll(async () => {
    pluginDir = join(e2e.installed.root, "node_modules", "pulumi-platform-credentials", "bin");
    dir = join(e2e.session.dir, "yaml-sdk");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "Pulumi.yaml"), program(pluginDir, "ERP sync (yaml)"));
    ok(await pulumi("stack", "init", "dev"));
    const set = async (key: string, value: string, secret = false) =>
      ok(await pulumi("config", "set", ...(secret ? ["--secret"] : []), key, value));
    await set("interchangeBaseUrl", e2e.emulator.interchangeUrl);
    await set("interchangeApiKey", e2e.secrets.interchangeApiKey, true);
    await set("commerceLayerBaseUrl", e2e.emulator.commerceLayerApiUrl);
    await set("commerceLayerAuthUrl", e2e.emulator.commerceLayerAuthUrl);
    await set("commerceLayerClientSecret", e2e.secrets.commerceLayerClientSecret, true);
    await set("displayToken", e2e.secrets.displayApiKey, true);
    await set("sasToken", e2e.secrets.azureSasToken, true);
  }, 120_000);

  it("`pulumi up` creates the three resources; `pulumi stack output` shows the client secret as [secret]", async () => {
    const up = await pulumi("up", "--yes", "--skip-preview");
    ok(up);
    expect(up.stdout).toMatch(/\+ 5 created/);
    const outputs = await pulumi("stack", "output", "--json");
    ok(outputs);
    expect(JSON.parse(outputs.stdout)).toEqual({
      displayStatus: "ACTIVE",
      azureStatus: "VALIDATED",
      erpName: "ERP sync (yaml)",
      erpClientSecret: "[secret]",
      // From the provider functions (fn::invoke), through the explicit provider's settings.
      erpRoleId: "BlueRead01",
      storefrontName: "Acme Media Storefront",
      firstSource: {
        sourceId: "src_apikey",
        name: "Display Exchange (API key)",
        authType: "api_key",
        requiresCredentials: true,
      },
    });
  });

  it("`pulumi preview --expect-no-changes` passes right after", async () => {
    ok(await pulumi("preview", "--expect-no-changes"));
  });

  it("a changed name updates in place; refresh then finds nothing to change", async () => {
    writeFileSync(join(dir, "Pulumi.yaml"), program(pluginDir, "ERP sync v2 (yaml)"));
    const up = await pulumi("up", "--yes", "--skip-preview");
    ok(up);
    expect(up.stdout).toMatch(/~ 1 updated/);
    ok(await pulumi("refresh", "--yes", "--skip-preview"));
    ok(await pulumi("preview", "--expect-no-changes"));
  });

  it("a registration rotated outside the stack: refresh reports drift through the plugin, up puts the secret back", async () => {
    const stored = async () =>
      (
        (await e2e.admin("GET", "/state")) as {
          interchange: { sourceCredentials: { id: string; accountIdentifier: string; auth: unknown }[] };
        }
      ).interchange.sourceCredentials.filter((c) => c.accountIdentifier === "yaml-buyer");
    const [before] = await stored();
    // Someone re-registers the account through the platform's API with another secret.
    const elsewhere = `elsewhere-${randomBytes(16).toString("hex")}`;
    const response = await fetch(`${e2e.emulator.interchangeUrl}/storefronts/101/sources/src_apikey/credentials`, {
      method: "POST",
      headers: { authorization: `Bearer ${e2e.secrets.interchangeApiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ accountIdentifier: "yaml-buyer", auth: { type: "api_key", token: elsewhere } }),
    });
    expect(response.status).toBe(201);
    const refresh = await pulumi("refresh", "--yes", "--skip-preview");
    ok(refresh);
    expect(refresh.stdout).toMatch(/~ 1 updated/);
    // The refreshed state no longer holds `auth`, so the program's `auth` is a change again.
    const drifted = await pulumi("preview", "--expect-no-changes");
    expect(drifted.code, drifted.stdout).not.toBe(0);
    const up = await pulumi("up", "--yes", "--skip-preview");
    ok(up);
    expect(up.stdout).toMatch(/~ 1 updated/);
    const [after] = await stored();
    expect(after?.id).toBe(before?.id);
    // The declared secret is registered again, as the first up registered it.
    expect(after?.auth).toEqual(before?.auth);
    expect(after?.auth).toMatchObject({ token: e2e.secrets.displayApiKey });
    ok(await pulumi("preview", "--expect-no-changes"));
    expectNoPlaintextSecrets(printed, [elsewhere], "the CLI's output");
  });

  it("keeps every secret encrypted in `pulumi stack export` and out of everything printed", async () => {
    const exported = await pulumi("stack", "export");
    ok(exported);
    const deployment = JSON.parse(exported.stdout) as Parameters<typeof resourceNamed>[0];
    expect(isEncryptedSecret(resourceNamed(deployment, "erp").outputs?.["clientSecret"])).toBe(true);
    const destination = resourceNamed(deployment, "azure").outputs?.["destination"] as Record<string, unknown>;
    expect(isEncryptedSecret(destination["sasToken"] ?? destination)).toBe(true);
    const secrets = secretValues(e2e.secrets);
    expectNoPlaintextSecrets([exported.stdout], secrets, "the exported state");
    expectNoPlaintextSecrets(printed, secrets, "the CLI's output");
  });

  it("`pulumi destroy` deletes what the platforms can delete", async () => {
    const destroyed = await pulumi("destroy", "--yes", "--skip-preview");
    ok(destroyed);
    expect(destroyed.stdout).toMatch(/- 5 deleted/);
    const state = (await e2e.admin("GET", "/state")) as { commercelayer: { apiCredentials: unknown[] } };
    expect(state.commercelayer.apiCredentials).toEqual([]);
  });
});
