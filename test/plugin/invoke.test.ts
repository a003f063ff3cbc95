/**
 * The provider plugin's functions (Invoke): the lookups in the schema under `platform-credentials:<module>:get<Name>`
 * and served with the provider instance's own settings, driven over gRPC against the emulator. Bad arguments come
 * back as check failures naming the argument; a storefront or role that is not there fails naming the argument and
 * what would match; no configured credential appears in any answer or log. Needs a build: the process runs
 * bin/pulumi-resource-platform-credentials.
 */
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Secret } from "../../engine/secrets";
import { useEmulator, KEYS } from "../support/emulator";
import { BLUE, BLUE_READ, CLIENT_ID, CLIENT_SECRET } from "../commercelayer/support";
import { REPO_ROOT, PluginCallError, startPlugin, type PluginProcess } from "./pluginClient";

const EXECUTABLE = join(REPO_ROOT, "bin", "pulumi-resource-platform-credentials");

const emulator = useEmulator({ interchangeRateLimitPerMinute: 0 });
const started: PluginProcess[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.close()));
});

/** A plugin process configured as an explicit provider pointed at the emulator (no environment credentials). */
async function configuredPlugin(): Promise<PluginProcess> {
  const p = await startPlugin({ target: EXECUTABLE });
  started.push(p);
  await p.configure(
    {},
    {
      interchangeApiKey: new Secret(KEYS.acme),
      interchangeBaseUrl: emulator.current.interchangeUrl,
      commerceLayerClientId: CLIENT_ID,
      commerceLayerClientSecret: new Secret(CLIENT_SECRET),
      commerceLayerAuthUrl: emulator.current.commerceLayerAuthUrl,
      commerceLayerBaseUrl: emulator.current.commerceLayerApiUrl,
    },
  );
  return p;
}

async function invokeFailure(p: PluginProcess, token: string, args: Record<string, unknown>): Promise<Error> {
  try {
    await p.invoke(token, args);
  } catch (err) {
    return err as Error;
  }
  throw new Error(`${token} was expected to fail, and it succeeded`);
}

describe("provider functions", () => {
  it("the schema declares each lookup as a function, without the dynamic-only account argument", async () => {
    const p = await startPlugin({ target: EXECUTABLE });
    started.push(p);
    const schema = JSON.parse(await p.getSchema()) as {
      functions: Record<string, { inputs: { properties: Record<string, unknown>; required?: string[] } }>;
    };
    expect(Object.keys(schema.functions).sort()).toEqual([
      "platform-credentials:commercelayer:getOrganization",
      "platform-credentials:commercelayer:getRole",
      "platform-credentials:interchange:getStorefront",
    ]);
    const getRole = schema.functions["platform-credentials:commercelayer:getRole"]!;
    expect(Object.keys(getRole.inputs.properties).sort()).toEqual(["kind", "name", "organizationId"]);
    expect(getRole.inputs.required).toEqual(["organizationId"]);
  });

  it("getStorefront and getRole answer with the provider's own settings", async () => {
    const p = await configuredPlugin();
    const storefront = await p.invoke("platform-credentials:interchange:getStorefront", { storefrontId: 101 });
    expect(storefront.failures).toEqual([]);
    expect(storefront.outputs).toMatchObject({ storefrontId: 101, name: "Acme Media Storefront", connected: false });
    expect((storefront.outputs.sources as { sourceId: string; authType: string }[]).map((s) => s.authType)).toEqual([
      "api_key",
      "jwt",
      "basic",
      "oauth",
      "none",
      "none",
    ]);
    const role = await p.invoke("platform-credentials:commercelayer:getRole", {
      organizationId: BLUE,
      kind: "read_only",
    });
    expect(role).toEqual({
      outputs: { roleId: BLUE_READ, name: "Read-only", kind: "read_only", organizationId: BLUE },
      failures: [],
    });
    const org = await p.invoke("platform-credentials:commercelayer:getOrganization", { organizationId: BLUE });
    expect((org.outputs.roles as unknown[]).length).toBe(3);
    expect(p.logs()).not.toContain(KEYS.acme);
    expect(p.logs()).not.toContain(CLIENT_SECRET);
  });

  it("bad arguments and an account argument are check failures naming the argument", async () => {
    const p = await configuredPlugin();
    expect(await p.invoke("platform-credentials:interchange:getStorefront", { storefrontId: "101" })).toEqual({
      outputs: {},
      failures: [
        {
          property: "storefrontId",
          reason: "storefrontId must be a number; set storefrontId to the storefront's numeric id (e.g. 101)",
        },
      ],
    });
    const account = await p.invoke("platform-credentials:commercelayer:getRole", {
      organizationId: BLUE,
      kind: "admin",
      account: "other",
    });
    expect(account.failures.map((f) => f.property)).toEqual(["account"]);
    expect(account.failures[0]!.reason).toContain("explicit provider");
  });

  it("what is not there fails naming the argument and what would match; an unknown token fails naming it", async () => {
    const p = await configuredPlugin();
    const storefront = await invokeFailure(p, "platform-credentials:interchange:getStorefront", { storefrontId: 999 });
    expect(storefront).toBeInstanceOf(PluginCallError);
    expect(storefront.message).toContain("Storefront 999 does not exist or is not visible");
    const role = await invokeFailure(p, "platform-credentials:commercelayer:getRole", {
      organizationId: BLUE,
      name: "Owner",
    });
    expect(role.message).toContain('No role with name "Owner" in organization BlueBrnd01');
    expect(role.message).toContain(`"Read-only" (read_only, ${BLUE_READ})`);
    const unknown = await invokeFailure(p, "platform-credentials:interchange:getAdvertiser", {});
    expect(unknown.message).toContain("platform-credentials:interchange:getAdvertiser is not a function");
  });

  it("a provider without credentials fails naming the plugin's own setting, never the dynamic resources' key", async () => {
    const p = await startPlugin({ target: EXECUTABLE });
    started.push(p);
    await p.configure({}, { interchangeBaseUrl: emulator.current.interchangeUrl });
    const err = await invokeFailure(p, "platform-credentials:interchange:getStorefront", { storefrontId: 101 });
    expect(err.message).toContain("platform-credentials:interchangeApiKey");
    expect(err.message).not.toContain("interchange:apiKey ");
  });
});
