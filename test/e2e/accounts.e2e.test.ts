/**
 * Named accounts through the real `pulumi` CLI and engine (issue 12, section 1): examples/multi-account, installed
 * from the packed tarball, spans two Scope3 Interchange customers and two Commerce Layer provisioning clients in one
 * stack, with the accounts' credentials set by `pulumi config set --secret --path`; rotating the keys in config
 * changes no resource while refresh and destroy use the new keys; moving a resource to another account replaces it
 * (created through the new account, deleted through the old); an account that is not configured fails `check` before
 * any request, naming the account and the command that declares it.
 *
 * The emulator isolates customers (another customer's storefront or advertiser answers 404) and provisioning clients
 * (a client sees only its organizations), so a call made with the wrong account's credentials fails.
 */
import { randomBytes } from "node:crypto";
import { resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type * as automation from "@pulumi/pulumi/automation";
import type { CommerceLayerSeed } from "../../emulator/commercelayer/seed";
import type { InterchangePlatform } from "../../emulator/interchange";
import type { ProjectStack } from "../../engine/stack";
import {
  COMMERCE_LAYER_CLIENT_ID,
  endpointConfig,
  expectNoPlaintextSecrets,
  resourceNamed,
  stepsOf,
  useE2E,
} from "./support";

const PROGRAM = resolve(__dirname, "../fixtures/programs/accounts.js");
const GREEN_CLIENT_ID = "cl-e2e-green";
const GREEN_OPS_CLIENT_ID = "cl-e2e-green-ops";
const API_ROUTES = /^(GET|POST|PUT|PATCH|DELETE) \/(api|oauth)\//;

interface StoredRegistration {
  id: string;
  customer: string;
  storefrontId: number;
  accountIdentifier: string;
  registeredBy: string | null;
}
interface StoredAdvertiser {
  id: string;
  customer: string;
  credentials: { name: string }[];
}
interface CommerceLayerSnapshot {
  settings: Record<string, unknown>;
  organizations: {
    id: string;
    name: string;
    slug: string;
    region: string;
    roles: { id: string; name: string; kind: string }[];
  }[];
  apiCredentials: (Record<string, unknown> & { id: string; organizationId: string; name: string })[];
  tokens: { issued: number; active: number };
}

describe.sequential("named accounts through the real pulumi CLI", () => {
  const e2e = useE2E();
  const keys = {
    rotatedGlobexKey: `scope3_globex_${hex(12)}`,
    greenSecret: `cls-green-${hex(16)}`,
    rotatedGreenSecret: `cls-green-${hex(16)}`,
    greenOpsSecret: `cls-green-ops-${hex(16)}`,
    acmeDisplayApiKey: `display-acme-${hex(12)}`,
    globexDisplayApiKey: `display-globex-${hex(12)}`,
  };
  const allSecrets = () => [
    e2e.secrets.interchangeApiKey,
    e2e.secrets.globexApiKey,
    e2e.secrets.commerceLayerClientSecret,
    ...Object.values(keys),
  ];

  const interchangeStore = () => (e2e.emulator.platforms.get("interchange") as InterchangePlatform).store;
  const state = async () =>
    (await e2e.admin("GET", "/state")) as {
      interchange: { sourceCredentials: StoredRegistration[]; advertisers: StoredAdvertiser[] };
      commercelayer: CommerceLayerSnapshot;
    };
  /** Each provisioning client sees only its organization: the default one Blue Brand, the green ones Green Grocer. */
  const seedCommerceLayer = (greenSecret: string, snapshot?: CommerceLayerSnapshot) => {
    const users: CommerceLayerSeed["users"] = [
      {
        id: "E2eUser001",
        email: "provisioning@blue.example",
        clientId: COMMERCE_LAYER_CLIENT_ID,
        clientSecret: e2e.secrets.commerceLayerClientSecret,
        organizationIds: ["BlueBrnd01"],
      },
      {
        id: "GreenUser1",
        email: "provisioning@green.example",
        clientId: GREEN_CLIENT_ID,
        clientSecret: greenSecret,
        organizationIds: ["GreenGrc01"],
      },
      {
        id: "GreenOps01",
        email: "ops@green.example",
        clientId: GREEN_OPS_CLIENT_ID,
        clientSecret: keys.greenOpsSecret,
        organizationIds: ["GreenGrc01"],
      },
    ];
    const base = snapshot ?? (e2e.emulator.state() as { commercelayer: CommerceLayerSnapshot }).commercelayer;
    // Also how a rotation at Commerce Layer is played: the same client with a new secret, every credential kept.
    e2e.emulator.platforms.get("commercelayer")!.reset({ ...seedOf(base), users });
  };

  beforeAll(() => {
    // Globex's second key, for the rotation (both valid until the old one is revoked).
    interchangeStore().state.apiKeys.push({
      key: keys.rotatedGlobexKey,
      customer: "globex",
      user: "ops@globex.example",
      admin: false,
    });
    seedCommerceLayer(keys.greenSecret);
  });

  const accountsConfig = (globexKey: string, greenSecret: string): automation.ConfigMap => ({
    "platform-credentials:accounts.globex.interchangeApiKey": { value: globexKey, secret: true },
    "platform-credentials:accounts.greenGrocer.commerceLayerClientId": { value: GREEN_CLIENT_ID },
    "platform-credentials:accounts.greenGrocer.commerceLayerClientSecret": { value: greenSecret, secret: true },
  });
  /** The default account: the suite's acme key and its Blue Brand client, at the emulator. */
  const defaultAccount = (): automation.ConfigMap =>
    Object.fromEntries(
      Object.entries(endpointConfig(e2e.emulator, e2e.secrets)).filter(
        ([key]) => key.startsWith("interchange:") || key.startsWith("commercelayer:"),
      ),
    );

  let stack: ProjectStack;

  it("one stack spans two Scope3 customers and two Commerce Layer clients (examples/multi-account)", async () => {
    stack = await e2e.exampleStack("multi-account", {
      config: {
        ...defaultAccount(),
        "multi-account:acmeDisplayApiKey": { value: keys.acmeDisplayApiKey, secret: true },
        "multi-account:globexDisplayApiKey": { value: keys.globexDisplayApiKey, secret: true },
      },
    });
    await stack.setConfig(accountsConfig(e2e.secrets.globexApiKey, keys.greenSecret), { path: true });

    const up = await e2e.record(stack.up());
    expect(up.result.summary.resourceChanges).toEqual({ create: 6 });
    expect(up.result.outputs["accounts"]?.value).toEqual({
      globexDisplay: "globex",
      globexLld: "globex",
      greenErp: "greenGrocer",
    });
    // Each registration was made with its customer's key (the key's user registers it).
    const registrations = up.result.outputs["registrations"]?.value as Record<string, { registeredBy: string }>;
    expect(registrations["acme"]?.registeredBy).toBe("platform-team@acme.example");
    expect(registrations["globex"]?.registeredBy).toBe("ops@globex.example");
    const stored = await state();
    const byStorefront = (id: number) => stored.interchange.sourceCredentials.filter((c) => c.storefrontId === id);
    expect(byStorefront(101).map((c) => c.customer)).toEqual(["acme"]);
    expect(byStorefront(201).map((c) => c.customer)).toEqual(["globex"]);
    const globexAdvertiser = stored.interchange.advertisers.find((a) => a.id === "67890");
    expect(globexAdvertiser?.credentials.map((c) => c.name)).toEqual(["globex-lld-gcs"]);
    expect(up.result.outputs["globexLldStatus"]?.value).toBe("VALIDATED");
    // Blue Brand's and Green Grocer's credentials, each made by the only client that sees its organization.
    expect(stored.commercelayer.apiCredentials.map((c) => c.organizationId).sort()).toEqual([
      "BlueBrnd01",
      "GreenGrc01",
    ]);

    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 6 });

    // State holds the account names in plain text and no credential; the serialized provider names no account.
    const deployment = await stack.exportStack();
    const globexDisplay = resourceNamed(deployment, "globex-display");
    expect(globexDisplay.inputs?.["account"]).toBe("globex");
    expect(globexDisplay.outputs?.["account"]).toBe("globex");
    expect(resourceNamed(deployment, "green-erp").outputs?.["account"]).toBe("greenGrocer");
    expect(resourceNamed(deployment, "acme-display").inputs?.["account"]).toBeUndefined();
    expect(globexDisplay.inputs?.["__provider"]).toBe(resourceNamed(deployment, "acme-display").inputs?.["__provider"]);
    expectNoPlaintextSecrets([JSON.stringify(deployment)], allSecrets(), "pulumi stack export");
  });

  it("rotating the accounts' keys in config changes no resource; the next commands use the new keys", async () => {
    // What a user types after the platforms issued new credentials (the old ones still valid for now).
    for (const [path, value] of [
      ["platform-credentials:accounts.globex.interchangeApiKey", keys.rotatedGlobexKey],
      ["platform-credentials:accounts.greenGrocer.commerceLayerClientSecret", keys.rotatedGreenSecret],
    ] as const) {
      const typed = await stack.cli(["config", "set", "--secret", "--path", path, value]);
      expect(typed.code, typed.stderr).toBe(0);
    }
    expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 6 });

    // The platforms revoke the old key and the old client secret.
    const store = interchangeStore();
    store.state.apiKeys = store.state.apiKeys.filter((k) => k.key !== e2e.secrets.globexApiKey);
    seedCommerceLayer(keys.rotatedGreenSecret, (await state()).commercelayer);

    // A plain refresh configures the provider from the config the last `up` stored with it in state (the engine's
    // rule for refresh and destroy): the old, revoked credentials. The error names the account's config keys.
    const stale = await e2e.recordFailure(stack.refresh());
    const printed = stale.message + stale.stdout + stale.stderr;
    expect(printed).toContain("platform-credentials:accounts.greenGrocer.commerceLayerClientSecret");
    expect(printed).toMatch(/UNAUTHORIZED|401/);
    // Running the program gives the provider the stack config as it is now.
    const current = await e2e.record(stack.refresh({ runProgram: true }));
    expect(current.result.summary.resourceChanges).toEqual({ same: 6 });

    // `up` changes no resource and stores the new config with the provider: plain refresh and destroy use it.
    const up = await e2e.record(stack.up());
    expect(up.result.summary.resourceChanges).toEqual({ same: 6 });
    expect(Object.values(stepsOf(up.events)).filter((op) => op !== "same")).toEqual([]);
    e2e.clearRequests();
    const refreshed = await e2e.record(stack.refresh());
    expect(refreshed.result.summary.resourceChanges).toEqual({ same: 6 });
    const requests = e2e.requests();
    expect(requests["GET /api/v2/buyer/advertisers/{advertiserId}"]).toBeGreaterThanOrEqual(1);
    expect(requests["GET /api/api_credentials/{apiCredentialId}"]).toBe(2);

    const destroyed = await e2e.record(stack.destroy());
    expect(destroyed.result.summary.resourceChanges).toEqual({ delete: 6 });
    const after = await state();
    expect(after.interchange.advertisers.find((a) => a.id === "67890")?.credentials).toEqual([]);
    expect(after.commercelayer.apiCredentials).toEqual([]);
  });

  let fixture: ProjectStack;
  const fixtureConfig = (values: Record<string, string>) =>
    fixture.setConfig(Object.fromEntries(Object.entries(values).map(([k, v]) => [`fixture:${k}`, { value: v }])));

  it("moving a resource to another account replaces it: created through the new account, deleted through the old", async () => {
    // Storefront 101 becomes visible to globex too, so one registration can move between the two customers.
    interchangeStore()
      .state.storefronts.find((s) => s.id === 101)!
      .customers.push("globex");
    fixture = await e2e.fixtureStack(PROGRAM, {
      stackName: "move",
      config: { "fixture:displayApiKey": { value: keys.acmeDisplayApiKey, secret: true } },
    });
    await fixture.setConfig(
      {
        ...accountsConfig(keys.rotatedGlobexKey, keys.rotatedGreenSecret),
        "platform-credentials:accounts.greenOps.commerceLayerClientId": { value: GREEN_OPS_CLIENT_ID },
        "platform-credentials:accounts.greenOps.commerceLayerClientSecret": {
          value: keys.greenOpsSecret,
          secret: true,
        },
      },
      { path: true },
    );
    await fixtureConfig({ accountIdentifier: "mover-1", commerceLayerAccount: "greenGrocer" });
    const created = await e2e.record(fixture.up());
    expect(created.result.outputs["registeredBy"]?.value).toBe("platform-team@acme.example");
    const firstErp = created.result.outputs["erpId"]?.value as string;

    await fixtureConfig({ interchangeAccount: "globex", commerceLayerAccount: "greenOps" });
    const preview = await e2e.record(fixture.preview());
    expect(preview.result.changeSummary).toEqual({ same: 1, replace: 2 });
    const tokensBefore = (await state()).commercelayer.tokens.issued;
    e2e.clearRequests();
    const moved = await e2e.record(fixture.up());
    expect(stepsOf(moved.events)).toEqual({ display: "replace", erp: "replace" });
    // The new registration is globex's (its key's user); acme's stays registered (the API cannot revoke).
    expect(moved.result.outputs["registeredBy"]?.value).toBe("ops@globex.example");
    const registrations = (await state()).interchange.sourceCredentials.filter(
      (c) => c.accountIdentifier === "mover-1",
    );
    expect(registrations.map((c) => c.customer).sort()).toEqual(["acme", "globex"]);
    // Commerce Layer: one create (new client) and one delete (old client), each with its own token.
    const after = await state();
    expect(after.commercelayer.apiCredentials.map((c) => c.id)).toEqual([moved.result.outputs["erpId"]?.value]);
    expect(after.commercelayer.apiCredentials[0]?.id).not.toBe(firstErp);
    expect(after.commercelayer.tokens.issued - tokensBefore).toBe(2);
    expect(e2e.requests()["POST /api/api_credentials"]).toBe(1);
    expect(e2e.requests()["DELETE /api/api_credentials/{apiCredentialId}"]).toBe(1);
    expect((await e2e.record(fixture.preview())).result.changeSummary).toEqual({ same: 3 });
  });

  it("an account removed from config fails the next preview at check, naming the account and the command", async () => {
    const removed = await fixture.cli(["config", "rm", "--path", "platform-credentials:accounts.greenOps"]);
    expect(removed.code, removed.stderr).toBe(0);
    const command =
      "pulumi config set --secret --path 'platform-credentials:accounts.greenOps.commerceLayerClientSecret'";
    e2e.clearRequests();
    const preview = await e2e.recordFailure(fixture.preview());
    expect(preview.message + preview.stdout + preview.stderr).toContain('Account "greenOps" is not configured');
    expect(preview.message + preview.stdout + preview.stderr).toContain(command);
    expect(Object.keys(e2e.requests()).filter((route) => API_ROUTES.test(route))).toEqual([]);
    // A refresh that runs the program reads with the config as it is now: the read fails the same way.
    const refresh = await e2e.recordFailure(fixture.refresh({ runProgram: true }));
    expect(refresh.message + refresh.stdout + refresh.stderr).toContain('Account "greenOps" is not configured');

    await fixture.setConfig(
      {
        "platform-credentials:accounts.greenOps.commerceLayerClientId": { value: GREEN_OPS_CLIENT_ID },
        "platform-credentials:accounts.greenOps.commerceLayerClientSecret": {
          value: keys.greenOpsSecret,
          secret: true,
        },
      },
      { path: true },
    );
    // That refresh stored the config it ran with (greenOps missing) with the provider: destroy runs the program too.
    const destroyed = await e2e.record(fixture.destroy({ runProgram: true }));
    expect(destroyed.result.summary.resourceChanges?.delete).toBe(3);
    expect((await state()).commercelayer.apiCredentials).toEqual([]);
  });

  it("a resource naming an account that is not configured fails check before any request", async () => {
    const missing = await e2e.fixtureStack(PROGRAM, {
      stackName: "missing",
      config: { "fixture:displayApiKey": { value: keys.acmeDisplayApiKey, secret: true } },
    });
    await missing.setConfig(accountsConfig(keys.rotatedGlobexKey, keys.rotatedGreenSecret), { path: true });
    await missing.setConfig({
      "fixture:accountIdentifier": { value: "missing-1" },
      "fixture:interchangeAccount": { value: "agencyB" },
      "fixture:commerceLayerAccount": { value: "greenGrocer" },
    });
    e2e.clearRequests();
    const scope3 = await e2e.recordFailure(missing.preview());
    const scope3Printed = scope3.message + scope3.stdout + scope3.stderr;
    expect(scope3Printed).toContain('Account "agencyB" is not configured');
    expect(scope3Printed).toContain(
      "pulumi config set --secret --path 'platform-credentials:accounts.agencyB.interchangeApiKey'",
    );
    expect(scope3Printed).toContain("configured accounts: globex, greenGrocer");

    await missing.setConfig({
      "fixture:interchangeAccount": { value: "" },
      "fixture:commerceLayerAccount": { value: "retailB" },
    });
    const commerceLayer = await e2e.recordFailure(missing.preview());
    const clPrinted = commerceLayer.message + commerceLayer.stdout + commerceLayer.stderr;
    expect(clPrinted).toContain('Account "retailB" is not configured');
    expect(clPrinted).toContain(
      "pulumi config set --path 'platform-credentials:accounts.retailB.commerceLayerClientId'",
    );
    expect(clPrinted).toContain(
      "pulumi config set --secret --path 'platform-credentials:accounts.retailB.commerceLayerClientSecret'",
    );
    expect(Object.keys(e2e.requests()).filter((route) => API_ROUTES.test(route))).toEqual([]);
  });

  it("nothing recorded holds a key or a client secret in plain text", () => {
    expectNoPlaintextSecrets(e2e.recorded, allSecrets(), "recorded");
  });
});

/** A Commerce Layer seed part holding what a snapshot of the platform holds (organizations, credentials, settings). */
function seedOf(snapshot: CommerceLayerSnapshot): Omit<CommerceLayerSeed, "users"> {
  return {
    settings: snapshot.settings,
    organizations: snapshot.organizations.map((o) => ({
      id: o.id,
      name: o.name,
      slug: o.slug,
      region: o.region,
      roles: o.roles.map((r) => ({ id: r.id, name: r.name, kind: r.kind as "admin" | "read_only" | "custom" })),
    })),
    apiCredentials: snapshot.apiCredentials.map((c) => ({
      id: c.id,
      name: c.name,
      kind: c["kind"] as string,
      organizationId: c.organizationId,
      roleId: (c["roleId"] as string | null) ?? null,
      clientId: c["clientId"] as string,
      clientSecret: c["clientSecret"] as string,
      mode: c["mode"] as "test" | "live",
      expiresIn: c["expiresIn"] as number,
      custom: c["custom"] as boolean,
      redirectUri: (c["redirectUri"] as string | null) ?? null,
      reference: (c["reference"] as string | null) ?? null,
      referenceOrigin: (c["referenceOrigin"] as string | null) ?? null,
      metadata: (c["metadata"] as Record<string, unknown> | null) ?? {},
    })),
  };
}

function hex(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}
