/**
 * Importing objects created outside Pulumi through the provider plugin, with the real `pulumi` CLI and engine:
 * objects are made directly on the emulator's APIs (the package's HTTP clients, no Pulumi), then adopted with the
 * `import` resource option of a Node program (the engine's ImportStep: Read with the id alone), and with `pulumi
 * import --file` typed in a YAML project (`pulumi import` needs the project's language host: the YAML one is built
 * beside the CLI, the nodejs one cannot be); then a preview of the program declaring the same resources must show no
 * changes. Where the platform cannot return a secret input, the exact limitation is pinned: what the import gives and
 * what the first `up` then does.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { resolveSettings } from "../../provider/config";
import { ProviderContext } from "../../provider/context";
import { createApiCredential, retrieveApiCredential } from "../../provider/commercelayer/apiCredentials";
import { commerceLayerHttp } from "../../provider/commercelayer/http";
import { getAdvertiserCredentials, putAdvertiserCredentials } from "../../provider/interchange/advertisers";
import { registerSourceCredential } from "../../provider/interchange/storefronts";
import type { ProjectStack } from "../../engine/stack";
import {
  fixtureConfig,
  pluginsSection,
  pluginStack,
  pluginStackConfig,
  type FixtureResource,
} from "../plugin/projects";
import {
  COMMERCE_LAYER_CLIENT_ID,
  expectNoPlaintextSecrets,
  isEncryptedSecret,
  resourceNamed,
  stepsOf,
  useE2E,
  type E2E,
} from "./support";

/** A context for the package's clients, configured like a script on someone's laptop: no Pulumi involved. */
function outsidePulumi(e2e: E2E): ProviderContext {
  const config: Record<string, string> = {
    "interchange:apiKey": e2e.secrets.interchangeApiKey,
    "interchange:baseUrl": e2e.emulator.interchangeUrl,
    "commercelayer:clientId": COMMERCE_LAYER_CLIENT_ID,
    "commercelayer:clientSecret": e2e.secrets.commerceLayerClientSecret,
    "commercelayer:authUrl": e2e.emulator.commerceLayerAuthUrl,
    "commercelayer:baseUrl": e2e.emulator.commerceLayerApiUrl,
  };
  return new ProviderContext(resolveSettings((key) => config[key], {}));
}

describe.sequential("pulumi import through the provider plugin, with the real pulumi CLI", () => {
  const e2e = useE2E();
  let stack: ProjectStack;
  let ids: { oauth: string; display: string; erp: string };
  let resources: FixtureResource[];
  let erpSecret = "";

  it("imports one object of each kind, made outside Pulumi, by its documented id", async () => {
    const ctx = outsidePulumi(e2e);
    await e2e.admin("POST", "/interchange/settings", { probeDelayMs: 50 });
    // A platform that shows the client secret in the create answer only (the docs show it on every read; no live
    // recording confirms it): what an import of a Commerce Layer credential can give at worst.
    await e2e.admin("POST", "/commercelayer/settings", { clientSecretOnRead: false });
    const oauth = await registerSourceCredential(ctx, 101, "src_oauth", { accountIdentifier: "acct-social" });
    const display = await registerSourceCredential(ctx, 101, "src_apikey", {
      accountIdentifier: "acct-display",
      auth: { type: "api_key", token: e2e.secrets.displayApiKey },
    });
    await putAdvertiserCredentials(ctx, "12345", [
      { name: "acme-lld", config: { type: "GCS", bucket: "acme-lld-bucket" } },
      {
        name: "acme-azure",
        config: {
          type: "AZURE_BLOB",
          storageAccountName: "acmelld",
          containerName: "impressions",
          auth: { mode: "SAS_TOKEN", sasToken: e2e.secrets.azureSasToken },
        },
      },
    ]);
    const erp = await createApiCredential(commerceLayerHttp(ctx), {
      organizationId: "BlueBrnd01",
      name: "erp-sync",
      kind: "integration",
      roleId: "BlueRead01",
    });
    ids = { oauth: oauth.id, display: display.id, erp: erp.id };

    resources = [
      {
        type: "interchange:StorefrontSourceCredential",
        name: "social",
        import: oauth.id,
        props: { storefrontId: 101, sourceId: "src_oauth", accountIdentifier: "acct-social" },
        outputs: ["credentialId", "status"],
      },
      {
        type: "interchange:StorefrontSourceCredential",
        name: "display",
        import: display.id,
        // Interchange never returns a registered secret: keep the one it has (see the next test for the other way).
        ignoreChanges: ["auth"],
        props: {
          storefrontId: 101,
          sourceId: "src_apikey",
          accountIdentifier: "acct-display",
          auth: { type: "apiKey", token: { $secret: "displayKey" } },
        },
      },
      {
        type: "interchange:DataDeliveryCredential",
        name: "lld",
        import: "12345/acme-lld",
        props: { advertiserId: "12345", name: "acme-lld", destination: { type: "GCS", bucket: "acme-lld-bucket" } },
        outputs: ["status"],
      },
      {
        type: "commercelayer:ApiCredential",
        name: "erp",
        import: erp.id,
        props: { organizationId: "BlueBrnd01", name: "erp-sync", kind: "integration", roleId: "BlueRead01" },
        outputs: ["clientId"],
      },
    ];
    stack = await pluginStack(e2e, "import", {
      ...pluginStackConfig(e2e),
      "fixture:displayKey": { value: e2e.secrets.displayApiKey, secret: true },
      "fixture:azureToken": { value: e2e.secrets.azureSasToken, secret: true },
      ...fixtureConfig(resources),
    });
    e2e.clearRequests();
    const up = await e2e.record(stack.up());
    expect(up.result.summary.resourceChanges).toEqual({ create: 1, import: 4 });
    expect(stepsOf(up.events)).toEqual({ social: "import", display: "import", lld: "import", erp: "import" });
    // Imports write nothing.
    expect(
      Object.keys(e2e.requests()).filter((r) => /^(POST|PUT|PATCH|DELETE) /.test(r) && !/oauth|validate/.test(r)),
    ).toEqual([]);

    // The imported state is the platform's object: ids, and the inputs read back from the id alone.
    const exported = await stack.exportStack();
    const social = resourceNamed(exported, "social");
    expect(social.id).toBe(oauth.id);
    expect(social.inputs).toEqual({
      storefrontId: 101,
      sourceId: "src_oauth",
      accountIdentifier: "acct-social",
      adopt: false,
    });
    expect(social.outputs).toMatchObject({ credentialId: oauth.id, status: "PENDING", createdAt: oauth.createdAt });
    expect(resourceNamed(exported, "display").inputs).toEqual({
      storefrontId: 101,
      sourceId: "src_apikey",
      accountIdentifier: "acct-display",
      adopt: false,
    });
    const lld = resourceNamed(exported, "lld");
    expect(lld.id).toBe("12345/acme-lld");
    expect(lld.inputs).toMatchObject({
      advertiserId: "12345",
      name: "acme-lld",
      destination: { type: "GCS", bucket: "acme-lld-bucket" },
    });
    const erpState = resourceNamed(exported, "erp");
    expect(erpState.id).toBe(erp.id);
    expect(erpState.inputs).toMatchObject({ organizationId: "BlueBrnd01", name: "erp-sync", kind: "integration" });
    expect(up.result.outputs["erp.clientId"]).toEqual({ value: erp.clientId, secret: true });
    // The client secret appears in the create answer only here: an imported credential has none in state.
    expect(erpState.outputs?.["clientSecret"]).toBeUndefined();
    erpSecret = erp.clientSecret ?? "";
    expectNoPlaintextSecrets(
      [JSON.stringify(exported), ...e2e.recorded],
      [e2e.secrets.interchangeApiKey, e2e.secrets.displayApiKey, erp.clientSecret ?? "", erp.clientId],
      "the import",
    );
  });

  it("the program declaring the same resources, without the import option, previews with no changes", async () => {
    await stack.setConfig(fixtureConfig(resources.map(({ import: _import, ...rest }) => rest)));
    const preview = await e2e.record(stack.preview());
    expect(preview.result.changeSummary).toEqual({ same: 5 });
  });

  it("where Commerce Layer shows the client secret on reads, a refresh brings it into state, secret", async () => {
    await e2e.admin("POST", "/commercelayer/settings", { clientSecretOnRead: true });
    await e2e.record(stack.refresh());
    const erpState = resourceNamed(await stack.exportStack({ showSecrets: true }), "erp");
    expect(erpState.outputs?.["clientSecret"]).toEqual({
      "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
      plaintext: JSON.stringify(erpSecret),
    });
    expect(isEncryptedSecret(resourceNamed(await stack.exportStack(), "erp").outputs?.["clientSecret"])).toBe(true);
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 5 });
  });

  it("a declared secret the platform cannot return is one in-place update: the API key source's auth", async () => {
    await stack.setConfig(fixtureConfig(resources.map(({ import: _import, ignoreChanges: _ignore, ...rest }) => rest)));
    const preview = await e2e.record(stack.preview());
    expect(preview.result.changeSummary).toEqual({ same: 4, update: 1 });
    expect(stepsOf(preview.events)).toMatchObject({ display: "update" });
    const step = preview.events.find((e) => e.resourcePreEvent?.metadata.urn.endsWith("::display"))?.resourcePreEvent;
    // The only difference: `auth`, which the import could not read, now declared (shown as a secret).
    const { auth, ...declared } = step?.metadata.new?.inputs ?? {};
    expect(declared).toEqual(step?.metadata.old?.inputs);
    expect(auth).toBeDefined();
    expect(preview.result.stdout).toMatch(/\+ auth\s+: \[secret\]/);
    // The update re-registers the account with the program's secret (a rotation), then everything is clean.
    const up = await e2e.record(stack.up());
    expect(up.result.summary.resourceChanges).toEqual({ same: 4, update: 1 });
    expect(resourceNamed(await stack.exportStack(), "display").id).toBe(ids.display);
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 5 });
  });

  it("an Azure SAS token cannot be read back: importing one updates it in the same up, writing the program's token", async () => {
    const azure: FixtureResource = {
      type: "interchange:DataDeliveryCredential",
      name: "azure",
      import: "12345/acme-azure",
      props: {
        advertiserId: "12345",
        name: "acme-azure",
        destination: {
          type: "AZURE_BLOB",
          storageAccountName: "acmelld",
          containerName: "impressions",
          sasToken: { $secret: "azureToken" },
        },
      },
      outputs: ["status"],
    };
    const without = (r: FixtureResource) => {
      const { import: _import, ignoreChanges: _ignore, ...rest } = r;
      return rest;
    };
    await stack.setConfig(fixtureConfig([...resources.map(without), azure]));
    const up = await e2e.record(stack.up());
    // Imported, then updated in the same run: the PUT re-sends the token the program holds (the probe re-runs).
    expect(up.result.summary.resourceChanges).toEqual({ same: 5, import: 1, update: 1 });
    expect(up.result.outputs["azure.status"]?.value).toBe("VALIDATED");
    const state = resourceNamed(await stack.exportStack(), "azure");
    expect(isEncryptedSecret((state.inputs?.["destination"] as Record<string, unknown>)["sasToken"])).toBe(true);
    await stack.setConfig(fixtureConfig([...resources.map(without), without(azure)]));
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 6 });
  });

  it("destroy removes the imported objects the platforms can delete", async () => {
    const destroyed = await e2e.record(stack.destroy());
    expect(destroyed.result.summary.resourceChanges).toEqual({ delete: 6 });
    const ctx = outsidePulumi(e2e);
    expect(await retrieveApiCredential(commerceLayerHttp(ctx), ids.erp)).toBeUndefined();
    expect((await getAdvertiserCredentials(ctx, "12345", 0)).credentials.map((c) => c.name)).toEqual([]);
  });

  it("`pulumi import` on the command line (a YAML project) writes the code; `pulumi preview --expect-no-changes` passes", async () => {
    const ctx = outsidePulumi(e2e);
    const oauth = await registerSourceCredential(ctx, 101, "src_oauth", { accountIdentifier: "acct-yaml" });
    await putAdvertiserCredentials(ctx, "12345", [{ name: "yaml-lld", config: { type: "GCS", bucket: "yaml-lld" } }]);
    const erp = await createApiCredential(commerceLayerHttp(ctx), {
      organizationId: "BlueBrnd01",
      name: "yaml-erp",
      kind: "sales_channel",
    });
    const dir = join(e2e.session.dir, "yaml-import");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "Pulumi.yaml"), `name: yaml-import\nruntime: yaml\n${pluginsSection(e2e)}`);
    const pulumi = async (...args: string[]) => {
      const result = await e2e.session.run(args, { cwd: dir });
      e2e.recorded.push(result.stdout, result.stderr);
      expect(result.code, `pulumi ${args.join(" ")}\n${result.stdout}\n${result.stderr}`).toBe(0);
      return result;
    };
    await pulumi("stack", "init", "dev");
    for (const [key, { value, secret }] of Object.entries(pluginStackConfig(e2e))) {
      await pulumi("config", "set", ...(secret ? ["--secret"] : []), key, value);
    }
    const importFile = join(dir, "import.json");
    writeFileSync(
      importFile,
      JSON.stringify({
        resources: [
          { type: "platform-credentials:interchange:StorefrontSourceCredential", name: "social", id: oauth.id },
          { type: "platform-credentials:interchange:DataDeliveryCredential", name: "lld", id: "12345/yaml-lld" },
          { type: "platform-credentials:commercelayer:ApiCredential", name: "erp", id: erp.id },
        ],
      }),
    );
    const code = join(dir, "imported.yaml");
    const imported = await pulumi("import", "--file", importFile, "--yes", "--protect=false", "--out", code);
    expect(imported.stdout).toMatch(/= 3 imported/);

    // The generated declarations are the program: the preview must find nothing to change.
    const generated = parse(readFileSync(code, "utf8")) as { resources: Record<string, unknown> };
    expect(Object.keys(generated.resources).sort()).toEqual(["erp", "lld", "social"]);
    expect(generated.resources["social"]).toEqual({
      type: "platform-credentials:interchange:StorefrontSourceCredential",
      properties: { storefrontId: 101, sourceId: "src_oauth", accountIdentifier: "acct-yaml", adopt: false },
    });
    expect(generated.resources["erp"]).toMatchObject({
      properties: { organizationId: "BlueBrnd01", name: "yaml-erp", kind: "sales_channel", mode: "test" },
    });
    const project = parse(readFileSync(join(dir, "Pulumi.yaml"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(dir, "Pulumi.yaml"), stringify({ ...project, resources: generated.resources }));
    await pulumi("preview", "--expect-no-changes");
    await pulumi("destroy", "--yes", "--skip-preview");
    expect(await retrieveApiCredential(commerceLayerHttp(ctx), erp.id)).toBeUndefined();
  });
});
