/**
 * Named accounts (issue 12, section 1) below the engine: the `platform-credentials:accounts` config as the engine
 * hands it to `configure` (one JSON text, secrets decrypted), its refusals, the settings an account resolves to,
 * `check` naming an account that is not configured, `diff` replacing on an account change, and the dynamic adapter
 * routing each call to the account in the inputs or the state, over real HTTP against the emulator (a key rotated
 * in config serves reads and deletes of existing resources). The same through the real CLI: accounts.e2e.test.ts.
 * Needs `npm run build`.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import {
  ConfigurationError,
  accountCommand,
  accountProblem,
  declaredAccounts,
  resolveAccountSettings,
  resolveSettings,
} from "../../provider/config";
import type { InterchangePlatform } from "../../emulator/interchange";
import { KEYS, useEmulator } from "../support/emulator";

// The definitions registry loads definitions with a run-time `require`, which vitest does not transform: the adapter,
// the contexts and the HTTP pools come from the build (`npm run build`), as Pulumi's dynamic-provider host loads them.
/* eslint-disable @typescript-eslint/no-require-imports */
const adapter = require("../../dist/provider/pulumi/adapter") as typeof import("../../provider/pulumi/adapter");
const { configureProvider, providerContext } =
  require("../../dist/provider/context") as typeof import("../../provider/context");
const { closeHttpConnections } = require("../../dist/provider/http") as typeof import("../../provider/http");
/* eslint-enable @typescript-eslint/no-require-imports */
const ACCOUNTS = "platform-credentials:accounts";
const SOURCE = "interchange:StorefrontSourceCredential";
const DELIVERY = "interchange:DataDeliveryCredential";
const API_CREDENTIAL = "commercelayer:ApiCredential";

const source = (values: Record<string, unknown>) => (key: string) => {
  const v = values[key];
  return v === undefined ? undefined : typeof v === "string" ? v : JSON.stringify(v);
};
const defaults = resolveSettings(() => undefined, {});

/** What Pulumi's dynamic-provider host hands `configure`: a Config over the decrypted stack config. */
function configureRequest(raw: Record<string, unknown>) {
  return { config: { rawConfig: raw, get: (key: string) => raw[key], require: (key: string) => raw[key] } } as never;
}

describe("the accounts config", () => {
  it("reads the JSON text the engine sends: accounts by name, values trimmed, blank ones left out", () => {
    const accounts = declaredAccounts(
      source({
        [ACCOUNTS]: JSON.stringify({
          globex: { interchangeApiKey: " scope3_globex_k ", interchangeBaseUrl: "" },
          greenGrocer: { commerceLayerClientId: "cid", commerceLayerClientSecret: "secret" },
        }),
      }),
    );
    expect([...accounts.entries()]).toEqual([
      ["globex", { interchangeApiKey: "scope3_globex_k" }],
      ["greenGrocer", { commerceLayerClientId: "cid", commerceLayerClientSecret: "secret" }],
    ]);
    expect(declaredAccounts(source({})).size).toBe(0);
  });

  it.each([
    ["not JSON", "globex", /platform-credentials:accounts must be an object keyed by account name/],
    ["a list", JSON.stringify(["globex"]), /must be an object keyed by account name, not a list/],
    ["an account that is a string", JSON.stringify({ globex: "k" }), /accounts\.globex must be an object of settings/],
    ["a name with a dot", JSON.stringify({ "agency.b": {} }), /account named "agency\.b".*rename it/],
    [
      "a misspelt field",
      JSON.stringify({ globex: { interchangeApikey: "scope3_secret_value" } }),
      /accounts\.globex has no setting "interchangeApikey"; did you mean interchangeApiKey\?/,
    ],
    [
      "a number",
      JSON.stringify({ globex: { interchangeBaseUrl: 42 } }),
      /accounts\.globex\.interchangeBaseUrl must be a string, not a number; set it with `pulumi config set --path 'platform-credentials:accounts\.globex\.interchangeBaseUrl' <value>`/,
    ],
  ])("refuses %s, naming the key and the fix, never the value", (_case, text, message) => {
    const read = () => declaredAccounts(source({ [ACCOUNTS]: text }));
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(message);
    try {
      read();
    } catch (err) {
      expect((err as Error).message).not.toContain("scope3_secret_value");
    }
  });

  it("an account inherits the default base URLs, never the default credentials", () => {
    const withDefaultKey = resolveSettings(
      source({ "interchange:apiKey": "scope3_acme_default", "interchange:baseUrl": "http://127.0.0.1:1/buyer/" }),
      {},
    );
    const accounts = declaredAccounts(
      source({ [ACCOUNTS]: { globex: { commerceLayerBaseUrl: "https://cl.example/api/" } } }),
    );
    const globex = resolveAccountSettings("globex", accounts, withDefaultKey);
    expect(globex.interchange).toEqual({ apiKey: undefined, baseUrl: "http://127.0.0.1:1/buyer" });
    expect(globex.commerceLayer).toEqual({
      clientId: undefined,
      clientSecret: undefined,
      authUrl: defaults.commerceLayer.authUrl,
      baseUrl: "https://cl.example/api",
    });
    expect(globex.http).toBe(withDefaultKey.http);
  });

  it("an account that is not declared names the commands of the platform's credentials and the accounts there are", () => {
    const accounts = declaredAccounts(source({ [ACCOUNTS]: { globex: { interchangeApiKey: "scope3_globex_k" } } }));
    expect(() => resolveAccountSettings("agencyB", accounts, defaults, "interchange")).toThrow(
      'Account "agencyB" is not configured in stack config (platform-credentials:accounts.agencyB): declare it ' +
        "with `pulumi config set --secret --path 'platform-credentials:accounts.agencyB.interchangeApiKey' <value>` " +
        "(configured accounts: globex), or leave `account` out to use the default account.",
    );
    expect(() => resolveAccountSettings("retailB", new Map(), defaults, "commercelayer")).toThrow(
      "declare it with `pulumi config set --path 'platform-credentials:accounts.retailB.commerceLayerClientId' " +
        "<value>` and `pulumi config set --secret --path 'platform-credentials:accounts.retailB." +
        "commerceLayerClientSecret' <value>` (no account is configured)",
    );
  });

  it("an account without the platform's credentials, or with a malformed URL, is a problem for check", () => {
    const accounts = declaredAccounts(
      source({
        [ACCOUNTS]: {
          globex: { interchangeApiKey: "scope3_globex_k" },
          green: { commerceLayerClientId: "cid" },
          broken: { interchangeApiKey: "scope3_broken_k", interchangeBaseUrl: "ftp://x" },
        },
      }),
    );
    expect(accountProblem("globex", "interchange", accounts, defaults)).toBeUndefined();
    expect(accountProblem("globex", "commercelayer", accounts, defaults)).toBe(
      'Account "globex" has no commerceLayerClientId or commerceLayerClientSecret in stack config: set ' +
        `\`${accountCommand("globex", "commerceLayerClientId")}\` and \`${accountCommand("globex", "commerceLayerClientSecret")}\`.`,
    );
    expect(accountProblem("green", "commercelayer", accounts, defaults)).toContain(
      "has no commerceLayerClientSecret in stack config: set `pulumi config set --secret --path",
    );
    expect(accountProblem("broken", "interchange", accounts, defaults)).toBe(
      "platform-credentials:accounts.broken.interchangeBaseUrl must be an http(s) URL; set it with " +
        "`pulumi config set --path 'platform-credentials:accounts.broken.interchangeBaseUrl' <value>`.",
    );
  });
});

describe("check and diff of the account input", () => {
  beforeEach(async () => {
    await adapter.configure(
      configureRequest({
        "interchange:apiKey": KEYS.acme,
        [ACCOUNTS]: JSON.stringify({
          globex: { interchangeApiKey: KEYS.globex },
          green: { commerceLayerClientId: "cid", commerceLayerClientSecret: "cls" },
        }),
      }),
    );
  });
  const storefrontInputs = (account?: unknown) => ({
    storefrontId: 201,
    sourceId: "src_apikey",
    accountIdentifier: "globex-buyer-1",
    auth: { type: "apiKey", token: "t" },
    ...(account === undefined ? {} : { account }),
  });
  const failures = async (kind: string, news: Record<string, unknown>) =>
    (await adapter.check(kind, {}, news)).failures ?? [];

  it("passes a configured account and the default one, before any request", async () => {
    expect(await failures(SOURCE, storefrontInputs("globex"))).toEqual([]);
    expect(await failures(SOURCE, storefrontInputs())).toEqual([]);
    const checked = await adapter.check(SOURCE, {}, storefrontInputs("globex"));
    expect(checked.inputs?.["account"]).toBe("globex");
  });

  it("fails an account that is not configured, at the account property, with the command that declares it", async () => {
    expect(await failures(SOURCE, storefrontInputs("agencyB"))).toEqual([
      {
        property: "account",
        reason: expect.stringContaining(
          'Account "agencyB" is not configured in stack config (platform-credentials:accounts.agencyB): declare it ' +
            "with `pulumi config set --secret --path 'platform-credentials:accounts.agencyB.interchangeApiKey' <value>` " +
            "(configured accounts: globex, green)",
        ),
      },
    ]);
  });

  it("fails an account that lacks the resource's platform credentials", async () => {
    const news = { organizationId: "GreenGrc01", name: "ERP", kind: "integration", roleId: "GreenAdm01" };
    expect(await failures(API_CREDENTIAL, { ...news, account: "green" })).toEqual([]);
    expect(await failures(API_CREDENTIAL, { ...news, account: "globex" })).toEqual([
      { property: "account", reason: expect.stringContaining('Account "globex" has no commerceLayerClientId') },
    ]);
  });

  it("lets an unknown account through a preview, and refuses a malformed name through the schema only", async () => {
    expect(await failures(SOURCE, storefrontInputs(adapter.UNKNOWN_SENTINEL))).toEqual([]);
    const malformed = await failures(SOURCE, storefrontInputs("agency.b"));
    expect(malformed).toHaveLength(1);
    expect(malformed[0]).toMatchObject({ property: "account" });
    expect(malformed[0]?.reason).toMatch(/^account must start with a letter/);
  });

  it.each([
    [SOURCE, storefrontInputs()],
    [DELIVERY, { advertiserId: "67890", name: "lld", destination: { type: "GCS", bucket: "b" } }],
    [API_CREDENTIAL, { organizationId: "GreenGrc01", name: "ERP", kind: "integration", roleId: "GreenAdm01" }],
  ])("%s: a move to another account replaces; the same account changes nothing", async (kind, news) => {
    const checked = (await adapter.check(kind, {}, { ...news, account: "globex" })).inputs as Record<string, unknown>;
    const olds = { ...checked, credentialId: "1", createdAt: "2026-01-01T00:00:00Z" };
    expect(await adapter.diff(kind, "id", olds, checked)).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
    const { account: _account, ...toDefault } = checked;
    expect(await adapter.diff(kind, "id", olds, toDefault)).toEqual({
      changes: true,
      replaces: ["account"],
      deleteBeforeReplace: false,
    });
    expect(await adapter.diff(kind, "id", olds, { ...checked, account: "green" })).toMatchObject({
      replaces: ["account"],
    });
  });
});

describe("contexts per account", () => {
  it("one context per account, rebuilt by a new config and kept by the same config configured again", async () => {
    const raw = { "interchange:apiKey": "scope3_acme_a", [ACCOUNTS]: { globex: { interchangeApiKey: "scope3_g_a" } } };
    await adapter.configure(configureRequest(raw));
    const acme = providerContext();
    const globex = providerContext("globex");
    expect(globex).not.toBe(acme);
    expect(providerContext("globex")).toBe(globex);
    expect(globex.account).toBe("globex");
    expect(globex.settings.interchange.apiKey).toBe("scope3_g_a");
    // The host configures each resource kind's provider object with the same config: contexts in use survive.
    await adapter.configure(configureRequest({ ...raw }));
    expect(providerContext("globex")).toBe(globex);
    // Locks are shared by every account of the process, clients are not.
    const lock = {};
    expect(acme.sharedMemo("lock", () => lock)).toBe(globex.sharedMemo("lock", () => ({})));
    expect(acme.memo("client", () => 1)).toBe(1);
    expect(globex.memo("client", () => 2)).toBe(2);
    await adapter.configure(configureRequest({ ...raw, [ACCOUNTS]: { globex: { interchangeApiKey: "scope3_g_b" } } }));
    expect(providerContext("globex")).not.toBe(globex);
    expect(providerContext("globex").settings.interchange.apiKey).toBe("scope3_g_b");
    expect(() => providerContext("agencyB", "interchange")).toThrow('Account "agencyB" is not configured');
  });
});

describe("the adapter routes each call to its account (emulator over real HTTP)", () => {
  const emulator = useEmulator({ interchangeRateLimitPerMinute: 0 });
  afterAll(() => {
    configureProvider(() => undefined);
    return closeHttpConnections();
  });
  const rotatedGlobex = "scope3_globex_rotated";
  const configureWith = (globexKey: string) =>
    adapter.configure(
      configureRequest({
        "interchange:apiKey": KEYS.acme,
        "interchange:baseUrl": emulator.current.interchangeUrl,
        "platform-credentials:httpMaxRetries": "0",
        [ACCOUNTS]: JSON.stringify({ globex: { interchangeApiKey: globexKey } }),
      }),
    );

  it("creates with the account's key, keeps the account in state, and reads and deletes after a key rotation", async () => {
    const store = (emulator.current.platforms.get("interchange") as InterchangePlatform).store;
    store.state.apiKeys.push({ key: rotatedGlobex, customer: "globex", user: "rotated@globex.example", admin: false });
    await configureWith(KEYS.globex);
    const news = (
      await adapter.check(
        SOURCE,
        {},
        {
          account: "globex",
          storefrontId: 201,
          sourceId: "src_apikey",
          accountIdentifier: "globex-buyer-9",
          auth: { type: "apiKey", token: "tok" },
        },
      )
    ).inputs as Record<string, unknown>;
    const created = await adapter.create(SOURCE, news);
    expect(created.outs?.["account"]).toBe("globex");
    expect(store.state.sourceCredentials.find((c) => c.id === created.id)).toMatchObject({
      customer: "globex",
      registeredBy: "ops@globex.example",
    });
    const delivery = (
      await adapter.check(
        DELIVERY,
        {},
        {
          account: "globex",
          advertiserId: "67890",
          name: "globex-lld",
          destination: { type: "GCS", bucket: "globex-lld" },
          validateOnRefresh: false,
        },
      )
    ).inputs as Record<string, unknown>;
    const lld = await adapter.create(DELIVERY, delivery);
    expect(lld.outs).toMatchObject({ account: "globex", status: "VALIDATED" });

    // The platform revokes the old key; the config now holds the new one.
    store.state.apiKeys = store.state.apiKeys.filter((k) => k.key !== KEYS.globex);
    await configureWith(rotatedGlobex);
    const read = await adapter.read(SOURCE, created.id, created.outs ?? {});
    expect(read.id).toBe(created.id);
    expect(read.inputs).toMatchObject({ account: "globex", storefrontId: 201 });
    const lldRead = await adapter.read(DELIVERY, lld.id, lld.outs ?? {});
    expect(lldRead.inputs).toMatchObject({ account: "globex", advertiserId: "67890" });
    await adapter.remove(DELIVERY, lld.id, lld.outs ?? {});
    expect(store.state.advertisers.find((a) => a.id === "67890")?.credentials).toEqual([]);

    // Through the default account (acme) the same registration does not exist: another customer's.
    const asDefault = { ...(created.outs ?? {}) };
    delete asDefault["account"];
    expect(await adapter.read(SOURCE, created.id, asDefault)).toEqual({});
  });

  it("a resource whose account left the config fails its first call, naming the account", async () => {
    await adapter.configure(
      configureRequest({ "interchange:apiKey": KEYS.acme, "interchange:baseUrl": emulator.current.interchangeUrl }),
    );
    await expect(
      adapter.read(SOURCE, "1", { account: "globex", storefrontId: 201, credentialId: "1" }),
    ).rejects.toThrow(
      /Account "globex" is not configured in stack config .*'platform-credentials:accounts\.globex\.interchangeApiKey'.*\(no account is configured\)/,
    );
  });
});
