/**
 * The provider plugin takes its configuration from the engine: Configure's `args` (bare names, secrets wrapped) and
 * its deprecated `variables` (`platform-credentials:config:<name>` or `platform-credentials:<name>`), over the
 * environment; CheckConfig refuses unknown and malformed settings and keeps credentials secret. Each case is its own
 * plugin process (the engine starts one per provider instance), driven over gRPC against the emulator. Needs a build
 * (`npx tsc -p tsconfig.json`): the processes run bin/pulumi-resource-platform-credentials.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isSecret, Secret } from "../../engine/secrets";
import { settingKeys } from "../../provider/config";
import { useEmulator, KEYS } from "../support/emulator";
import {
  REPO_ROOT,
  PluginCallError,
  pluginUrn,
  startPlugin,
  type PluginProcess,
  type PropertyMap,
} from "./pluginClient";

const EXECUTABLE = join(REPO_ROOT, "bin", "pulumi-resource-platform-credentials");
const SOURCE = pluginUrn("platform-credentials:interchange:StorefrontSourceCredential", "source");
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

const emulator = useEmulator();
const started: PluginProcess[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.close()));
});

async function plugin(env: Record<string, string> = {}): Promise<PluginProcess> {
  const p = await startPlugin({ target: EXECUTABLE, env });
  started.push(p);
  return p;
}

/** Registers a storefront source credential through the plugin; its `registeredBy` says whose key was used. */
async function register(p: PluginProcess, storefrontId: number): Promise<PropertyMap> {
  const checked = await p.check(
    SOURCE,
    {},
    {
      storefrontId,
      sourceId: "src_apikey",
      accountIdentifier: `acct-${storefrontId}`,
      auth: new Secret({ type: "apiKey", token: "display-token-0001" }),
    },
  );
  expect(checked.failures).toEqual([]);
  return (await p.create(SOURCE, checked.inputs)).outputs;
}

describe("Configure", () => {
  it("takes args by bare name with secrets wrapped (newer engines), over variables", async () => {
    const p = await plugin({ SCOPE3_API_KEY: KEYS.acme });
    await p.configure(
      {
        "platform-credentials:config:interchangeApiKey": KEYS.acme,
        "platform-credentials:config:interchangeBaseUrl": emulator.current.interchangeUrl,
      },
      { interchangeApiKey: new Secret(KEYS.globex), interchangeBaseUrl: emulator.current.interchangeUrl },
    );
    // Storefront 201 is visible to globex only: the args' key was used, not the variables' nor the environment's.
    expect(await register(p, 201)).toMatchObject({ registeredBy: "ops@globex.example", status: "ACTIVE" });
  });

  it("takes the deprecated variables keyed platform-credentials:config:<name> (args empty)", async () => {
    const p = await plugin();
    await p.configure({
      "platform-credentials:config:interchangeApiKey": KEYS.globex,
      "platform-credentials:config:interchangeBaseUrl": emulator.current.interchangeUrl,
    });
    expect(await register(p, 201)).toMatchObject({ registeredBy: "ops@globex.example" });
  });

  it("takes variables keyed platform-credentials:<name> (older engines)", async () => {
    const p = await plugin();
    await p.configure({
      "platform-credentials:interchangeApiKey": KEYS.acme,
      "platform-credentials:interchangeBaseUrl": emulator.current.interchangeUrl,
    });
    expect(await register(p, 101)).toMatchObject({ registeredBy: "platform-team@acme.example" });
  });

  it("falls back to the environment for a setting the provider does not set", async () => {
    const p = await plugin({ SCOPE3_API_KEY: KEYS.globex });
    await p.configure({}, { interchangeBaseUrl: emulator.current.interchangeUrl });
    expect(await register(p, 201)).toMatchObject({ registeredBy: "ops@globex.example" });
  });

  it("never reads the dynamic resources' interchange:apiKey, and names the plugin's own key when none is set", async () => {
    const p = await plugin();
    await p.configure({ "interchange:apiKey": KEYS.acme, "interchange:baseUrl": emulator.current.interchangeUrl });
    const error = await register(p, 101).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginCallError);
    const message = (error as PluginCallError).message;
    expect(message).toContain(
      "set it with `pulumi config set --secret platform-credentials:interchangeApiKey <value>` (default provider), " +
        "the `interchangeApiKey` argument of an explicit provider, or the SCOPE3_API_KEY environment variable",
    );
    expect(message).not.toContain("interchange:apiKey");
    expect(emulator.current.requestCounts()).toEqual({});
  });

  it("refuses a malformed setting, naming the plugin's key and never the value", async () => {
    const p = await plugin();
    const error = await p.configure({}, { interchangeBaseUrl: "ftp://files.example/secret-path" }).catch((e) => e);
    expect(error).toBeInstanceOf(PluginCallError);
    expect((error as PluginCallError).method).toBe("Configure");
    expect((error as PluginCallError).message).toContain(
      "platform-credentials:interchangeBaseUrl must be an http(s) URL; set it with " +
        "`pulumi config set platform-credentials:interchangeBaseUrl <value>`",
    );
    expect((error as PluginCallError).message).not.toContain("secret-path");
  });

  it("answers as before: secrets, resources and outputs accepted, no preview support", async () => {
    const p = await plugin();
    expect(await p.configure({}, {})).toEqual({
      acceptSecrets: true,
      acceptResources: true,
      acceptOutputs: true,
      supportsPreview: false,
    });
  });
});

describe("CheckConfig", () => {
  it("refuses an unknown setting, naming the one probably meant; engine inputs such as version pass", async () => {
    const p = await plugin();
    const { failures } = await p.checkConfig({ interchangeApikey: "k", version: "0.1.0" });
    expect(failures).toHaveLength(1);
    expect(failures[0]!.property).toBe("interchangeApikey");
    expect(failures[0]!.reason).toContain("has no setting `interchangeApikey`; did you mean `interchangeApiKey`?");
  });

  it("reports every malformed value with its key, and lets unknown values (previews) through", async () => {
    const p = await plugin();
    const { failures } = await p.checkConfig({
      interchangeBaseUrl: "not a url",
      httpMaxRetries: "eleven",
      commerceLayerBaseUrl: UNKNOWN,
      httpTimeoutSeconds: "30",
    });
    expect(failures.map((f) => f.property)).toEqual(["interchangeBaseUrl", "httpMaxRetries"]);
    expect(failures[1]!.reason).toContain("platform-credentials:httpMaxRetries must be a number from 0 to 10");
    expect(JSON.stringify(failures)).not.toContain("eleven");
  });

  it("returns credentials secret even when they were set without --secret, other settings plain", async () => {
    const p = await plugin();
    const { inputs, failures } = await p.checkConfig({
      interchangeApiKey: KEYS.acme,
      commerceLayerClientSecret: "cl-plain-secret",
      commerceLayerClientId: "cl-id",
    });
    expect(failures).toEqual([]);
    expect(inputs).toEqual({
      interchangeApiKey: new Secret(KEYS.acme),
      commerceLayerClientSecret: new Secret("cl-plain-secret"),
      commerceLayerClientId: "cl-id",
    });
    expect(isSecret(inputs["commerceLayerClientId"])).toBe(false);
  });
});

describe("docs/plugin.md", () => {
  it("lists every plugin setting with its environment variable and secret mark, in the settings table", () => {
    const docs = readFileSync(join(REPO_ROOT, "docs", "plugin.md"), "utf8");
    const rows = docs.split("\n").filter((line) => /^\| `[a-zA-Z]+` +\|/.test(line));
    const documented = rows.map((row) => {
      const [name, env, secret] = row
        .split("|")
        .slice(1, 4)
        .map((cell) => cell.trim().replace(/`/g, ""));
      return { name, env, secret: secret === "yes" };
    });
    expect(documented).toEqual(
      Object.entries(settingKeys).map(([name, s]) => ({ name, env: s.env, secret: "secret" in s && s.secret })),
    );
  });
});
