/**
 * The provider plugin as a real Pulumi provider, through the real `pulumi` CLI and engine: the engine starts the
 * installed package's `pulumi-resource-platform-credentials` from a `plugins.providers` path in Pulumi.yaml (no
 * language host), the default provider takes the stack config of its own namespace, explicit providers take their
 * own arguments (two Scope3 customers in one stack, a key rotated with no resource change), CheckConfig refuses a
 * mistyped setting before any API call, and the shipped policy pack judges plugin resources as it judges dynamic
 * ones. The program (test/plugin/fixtures/pluginProgram.js) registers resources by their plugin type tokens, as a
 * Python, Go or YAML program does through a generated SDK.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EMULATOR_INTERCHANGE_KEYS } from "../../emulator/seed";
import { copyProject, policyPackLauncher } from "../../engine/install";
import type { ProjectStack } from "../../engine/stack";
import { fixtureConfig, pluginStack, pluginStackConfig, type FixtureResource } from "../plugin/projects";
import {
  expectNoPlaintextSecrets,
  isEncryptedSecret,
  policyViolationsOf,
  resourceNamed,
  resourcesOf,
  stepsOf,
  useE2E,
} from "./support";

const SOURCE = "interchange:StorefrontSourceCredential";
const API_CREDENTIAL = "commercelayer:ApiCredential";
const SOURCE_OUTPUTS = ["credentialId", "status", "registeredBy"];

/** A storefront source credential on an API-key source, its token the secret stack config `fixture:displayKey`. */
function apiKeySource(name: string, storefrontId: number, account: string, provider?: string): FixtureResource {
  return {
    type: SOURCE,
    name,
    props: {
      storefrontId,
      sourceId: "src_apikey",
      accountIdentifier: account,
      auth: { type: "apiKey", token: { $secret: "displayKey" } },
    },
    outputs: SOURCE_OUTPUTS,
    ...(provider ? { provider } : {}),
  };
}

describe.sequential("the provider plugin through the real pulumi CLI", () => {
  const e2e = useE2E();
  const displayKey = () => ({ "fixture:displayKey": { value: e2e.secrets.displayApiKey, secret: true } });

  it("a default provider reads its own namespace's stack config; credentials are encrypted in state", async () => {
    const { ["platform-credentials:commerceLayerClientSecret"]: _typedBelow, ...config } = pluginStackConfig(e2e);
    const stack = await pluginStack(e2e, "default", {
      ...config,
      ...displayKey(),
      ...fixtureConfig([
        apiKeySource("display", 101, "acct-default"),
        {
          type: API_CREDENTIAL,
          name: "erp",
          props: { organizationId: "BlueBrnd01", name: "erp-sync", kind: "integration", roleId: "BlueRead01" },
          outputs: ["clientId", "clientSecret"],
        },
      ]),
    });
    // What a user types, set in plain text on purpose: CheckConfig marks the credential secret in state all the same.
    const typed = await stack.cli([
      "config",
      "set",
      "--plaintext",
      "platform-credentials:commerceLayerClientSecret",
      e2e.secrets.commerceLayerClientSecret,
    ]);
    expect(typed.code, typed.stderr).toBe(0);

    const up = await e2e.record(stack.up());
    expect(up.result.summary.resourceChanges).toEqual({ create: 3 });
    expect(up.result.outputs["display.registeredBy"]?.value).toBe("platform-team@acme.example");
    expect(up.result.outputs["display.status"]?.value).toBe("ACTIVE");
    expect(up.result.outputs["erp.clientSecret"]?.secret).toBe(true);

    const exported = await stack.exportStack();
    const provider = resourceNamed(exported, "default");
    expect(provider.type).toBe("pulumi:providers:platform-credentials");
    expect(isEncryptedSecret(provider.inputs?.["interchangeApiKey"])).toBe(true);
    expect(isEncryptedSecret(provider.inputs?.["commerceLayerClientSecret"])).toBe(true);
    expect(provider.inputs?.["interchangeBaseUrl"]).toBe(e2e.emulator.interchangeUrl);
    // The dynamic resources' `interchange:*` keys are in this stack's config too; the plugin neither reads nor stores them.
    expect(Object.keys(provider.inputs ?? {}).filter((k) => k.includes(":"))).toEqual([]);
    expect(resourceNamed(exported, "display").type).toBe("platform-credentials:interchange:StorefrontSourceCredential");
    expect(isEncryptedSecret(resourceNamed(exported, "display").inputs?.["auth"])).toBe(true);
    expect(isEncryptedSecret(resourceNamed(exported, "erp").outputs?.["clientSecret"])).toBe(true);
    const stackFile = readFileSync(join(stack.projectDir, "Pulumi.default.yaml"), "utf8");
    const clientSecret = String(up.result.outputs["erp.clientSecret"]?.value);
    expectNoPlaintextSecrets(
      [JSON.stringify(exported)],
      [e2e.secrets.interchangeApiKey, e2e.secrets.commerceLayerClientSecret, e2e.secrets.displayApiKey, clientSecret],
      "the plugin stack's state",
    );
    // The client secret was stored --plaintext in the stack's config, so the engine's config prelude shows it, as
    // the user chose; every other secret stays out of everything the CLI printed.
    expectNoPlaintextSecrets(
      e2e.recorded,
      [e2e.secrets.interchangeApiKey, e2e.secrets.displayApiKey, clientSecret],
      "the plugin stack's output",
    );
    expect(stackFile).toMatch(/platform-credentials:interchangeApiKey:\s+secure: /);

    // The default provider is no step of its own: the stack and the two resources.
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 3 });
    const destroyed = await e2e.record(stack.destroy());
    expect(destroyed.result.summary.resourceChanges).toEqual({ delete: 3 });
  });

  it("a mistyped setting fails at CheckConfig, naming the setting meant, before any API call", async () => {
    const stack = await pluginStack(e2e, "typo", {
      ...pluginStackConfig(e2e),
      ...displayKey(),
      "platform-credentials:interchangeApikey": { value: e2e.secrets.interchangeApiKey, secret: true },
      ...fixtureConfig([apiKeySource("display", 101, "acct-typo")]),
    });
    e2e.clearRequests();
    const failure = await e2e.recordFailure(stack.preview());
    expect(failure.stdout + failure.message).toContain(
      "platform-credentials has no setting `interchangeApikey`; did you mean `interchangeApiKey`?",
    );
    expect(e2e.requests()).toEqual({});
  });

  describe.sequential("explicit providers", () => {
    let stack: ProjectStack;
    // Each provider's key is a secret stack config value of the program (what `pulumi config set --secret` gives).
    const providers = () => ({
      acme: { interchangeApiKey: { $secret: "acmeKey" }, interchangeBaseUrl: e2e.emulator.interchangeUrl },
      globex: { interchangeApiKey: { $secret: "globexKey" }, interchangeBaseUrl: e2e.emulator.interchangeUrl },
    });
    const resources = [
      apiKeySource("acme-source", 101, "acct-acme", "acme"),
      apiKeySource("globex-source", 201, "acct-globex", "globex"),
    ];
    const keys = (acmeKey: string) => ({
      "fixture:acmeKey": { value: acmeKey, secret: true },
      "fixture:globexKey": { value: e2e.secrets.globexApiKey, secret: true },
    });

    it("two providers with different Scope3 keys in one stack, one per resource", async () => {
      // No default credentials at all: each resource can only work through its own provider.
      stack = await pluginStack(e2e, "explicit", {
        "platform-credentials:interchangeBaseUrl": { value: e2e.emulator.interchangeUrl },
        ...displayKey(),
        ...keys(e2e.secrets.interchangeApiKey),
        ...fixtureConfig(resources, providers()),
      });
      const up = await e2e.record(stack.up());
      expect(up.result.summary.resourceChanges).toEqual({ create: 5 });
      // Storefront 201 belongs to globex: only the globex key can register there.
      expect(up.result.outputs["acme-source.registeredBy"]?.value).toBe("platform-team@acme.example");
      expect(up.result.outputs["globex-source.registeredBy"]?.value).toBe("ops@globex.example");

      const exported = await stack.exportStack();
      const explicit = resourcesOf(exported, "pulumi:providers:platform-credentials");
      expect(explicit.map((p) => p.urn.split("::").pop()).sort()).toEqual(["acme", "globex"]);
      for (const p of explicit) expect(isEncryptedSecret(p.inputs?.["interchangeApiKey"])).toBe(true);
      const acmeProvider = explicit.find((p) => p.urn.endsWith("::acme"))!;
      expect(
        (resourceNamed(exported, "acme-source") as { provider?: string }).provider?.startsWith(acmeProvider.urn),
      ).toBe(true);
      expectNoPlaintextSecrets(
        [JSON.stringify(exported), ...e2e.recorded],
        [e2e.secrets.interchangeApiKey, e2e.secrets.globexApiKey],
        "the explicit providers' state",
      );
      expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 5 });
    });

    it("rotating one provider's key updates that provider only; the next operations use the new key", async () => {
      await stack.setConfig(keys(EMULATOR_INTERCHANGE_KEYS.acme));
      const rotated = await e2e.record(stack.up());
      expect(rotated.result.summary.resourceChanges).toEqual({ same: 4, update: 1 });
      expect(stepsOf(rotated.events)).toEqual({ "acme-source": "same", "globex-source": "same" });
      const refreshed = await e2e.record(stack.refresh());
      expect(refreshed.result.summary.resourceChanges?.["update"] ?? 0).toBe(0);

      // A key Interchange does not know: still no resource change, and the refresh fails with that provider's key.
      await stack.setConfig(keys("scope3_nobody_notakeyatall0000"));
      expect((await e2e.record(stack.up())).result.summary.resourceChanges).toEqual({ same: 4, update: 1 });
      const failure = await e2e.recordFailure(stack.refresh());
      expect(failure.stdout + failure.message).toMatch(/acme-source[\s\S]*401|401[\s\S]*acme-source/);
      expect(failure.stdout).not.toMatch(/globex-source[^\n]*401/);

      await stack.setConfig(keys(e2e.secrets.interchangeApiKey));
      await e2e.record(stack.up());
      const destroyed = await e2e.record(stack.destroy());
      expect(destroyed.result.summary.resourceChanges).toEqual({ delete: 5 });
    });
  });

  it("the shipped policy pack judges plugin resources: a mandatory violation fails preview, an advisory warns", async () => {
    const policyPack = policyPackLauncher(
      copyProject(e2e.installed, e2e.installed.example("policy-pack"), join(e2e.session.dir, "policy-pack-plugin")),
    );
    const webapp = (redirectUri: string): FixtureResource => ({
      type: API_CREDENTIAL,
      name: "backoffice",
      props: { organizationId: "BlueBrnd01", name: "backoffice", kind: "webapp", redirectUri },
    });
    const stack = await pluginStack(e2e, "policies", {
      ...pluginStackConfig(e2e),
      ...fixtureConfig([webapp("http://localhost:3000/callback")]),
    });
    e2e.clearRequests();
    const failure = await e2e.recordFailure(stack.preview({ policyPacks: [policyPack] }));
    expect(policyViolationsOf(failure.events)).toEqual(["commercelayer-webapp-https-redirect: mandatory"]);
    const flagged = failure.events.flatMap((e) => (e.policyEvent ? [e.policyEvent.resourceUrn ?? ""] : []));
    expect(flagged).toEqual([
      expect.stringContaining("::platform-credentials:commercelayer:ApiCredential::backoffice"),
    ]);
    expect(
      Object.keys(e2e.requests()).filter((route) => !route.startsWith("GET ") && !route.includes("oauth")),
    ).toEqual([]);

    // A stack policy on outputs: an OAuth source credential still waiting for consent after `up`.
    await stack.setConfig(
      fixtureConfig([
        webapp("https://backoffice.acme.example/callback"),
        {
          type: SOURCE,
          name: "social",
          props: { storefrontId: 101, sourceId: "src_oauth", accountIdentifier: "acct-social" },
          outputs: ["status"],
        },
      ]),
    );
    const up = await e2e.record(stack.up({ policyPacks: [policyPack] }));
    expect(up.result.outputs["social.status"]?.value).toBe("PENDING");
    expect(policyViolationsOf(up.events)).toEqual(["storefront-oauth-consent-pending: advisory"]);
    await e2e.record(stack.destroy());
  });
});
