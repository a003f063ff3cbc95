/**
 * commercelayer.ApiCredential through Pulumi's real dynamic-provider host: the fixture program
 * (test/fixtures/programs/commercelayer.js) runs under mocks from an installed copy of the package, its registration
 * (serialized shim, inputs, additionalSecretOutputs) is driven through Check/Diff/Create/Read/Update/Delete by the
 * MiniEngine, against the emulator. Needs `npx tsc -p tsconfig.json` first (npm test builds).
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckFailedError, MiniEngine } from "../../engine/engine";
import { ProviderError, startDynamicProviderHost, urn, type DynamicProviderHost } from "../../engine/host";
import { runProgram, type ProgramRun, type Registration } from "../../engine/program";
import { prepareProject, type PulumiProject } from "../../engine/project";
import { isSecret, reveal, Secret } from "../../engine/secrets";
import { useEmulator } from "../support/emulator";
import {
  BLUE_ADMIN,
  BLUE_READ,
  CLIENT_ID,
  CLIENT_SECRET,
  deleteOutOfBand,
  emulatedCredentials,
  expireTokens,
  injectFault,
  requestCounts,
} from "./support";

const PROGRAM = resolve(__dirname, "../fixtures/programs/commercelayer.js");
const TYPE = "pulumi-nodejs:dynamic/commercelayer:ApiCredential";
const URN = urn(TYPE, "erp");

const emulator = useEmulator();
let project: PulumiProject;
let host: DynamicProviderHost;
const runs = new Map<string, Promise<ProgramRun>>();
/** Every provider error seen, to prove no secret ever appears in one. */
const errorsSeen: string[] = [];

/** The fixture program's run with these `fixture:*` config values (one child process per distinct config). */
function program(config: Record<string, string> = {}): Promise<ProgramRun> {
  const key = JSON.stringify(config);
  let run = runs.get(key);
  if (!run) {
    run = runProgram({
      project,
      program: PROGRAM,
      config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`fixture:${k}`, v])),
    });
    runs.set(key, run);
  }
  return run;
}

async function registrations(config: Record<string, string> = {}): Promise<Registration[]> {
  return (await program(config)).registrations.filter((r) => r.type === TYPE);
}

/** A fresh engine; its Configure gives the host a new provider context (own token cache) for this test. */
function engine(): MiniEngine {
  return new MiniEngine({
    host,
    config: {
      "commercelayer:clientId": CLIENT_ID,
      "commercelayer:clientSecret": new Secret(CLIENT_SECRET),
      "commercelayer:authUrl": emulator.current.commerceLayerAuthUrl,
      "commercelayer:baseUrl": emulator.current.commerceLayerApiUrl,
      "platform-credentials:httpMaxRetries": "4",
    },
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => new Error("expected a failure"),
    (e: unknown) => e as Error,
  );
  errorsSeen.push(error.message);
  return error;
}

beforeAll(async () => {
  if (!existsSync(resolve(__dirname, "../../dist/provider/commercelayer/apiCredential.js"))) {
    throw new Error("dist/ is missing: run `npx tsc -p tsconfig.json` (npm test does) before these tests.");
  }
  project = await prepareProject();
  host = await startDynamicProviderHost(project);
  // Start the default program run early: it is needed by every test.
  void program();
});

afterAll(async () => {
  await host?.close();
  await project?.cleanup();
});

describe("program under mocks", () => {
  it("registers the type token with clientSecret and clientId in additionalSecretOutputs and a small shim", async () => {
    const regs = await registrations();
    expect(regs).toHaveLength(1);
    const [reg] = regs;
    expect(reg!.type).toBe(TYPE);
    expect(reg!.urn).toBe(URN);
    expect([...reg!.additionalSecretOutputs].sort()).toEqual(["clientId", "clientSecret"]);
    expect(reg!.providerText).toContain('require("pulumi-platform-credentials/dist/provider/pulumi/adapter")');
    expect(reg!.providerText).toContain("commercelayer:ApiCredential");
    expect(reg!.providerText!.length).toBeLessThanOrEqual(4096);
    expect(reveal(reg!.inputs)).toMatchObject({
      organizationId: "BlueBrnd01",
      name: "ERP sync",
      kind: "integration",
      roleId: BLUE_ADMIN,
      metadata: { owner: "platform-team" },
    });
  });
});

describe("lifecycle through the real host", () => {
  it("creates, refreshes without drift, updates in place, replaces on kind, and drops an out-of-band deletion", async () => {
    const mini = engine();
    expect((await mini.up(await registrations())).map((s) => s.op)).toEqual(["create"]);
    const created = mini.state.get(URN)!;
    // Each engine's Configure gives the host a new provider context: this run's first call gets the one token, and
    // every later call of this run reuses it.
    const afterCreate = await requestCounts(emulator.current);
    expect(afterCreate.token).toBe(1);
    const [stored] = await emulatedCredentials(emulator.current);
    expect(created.id).toBe(stored!.id);
    expect(isSecret(created.outputs.clientSecret)).toBe(true);
    expect(isSecret(created.outputs.clientId)).toBe(true);
    expect(reveal(created.outputs.clientSecret)).toBe(stored!.clientSecret);
    expect(created.outputs.name).toBe("ERP sync");
    expect(created.outputs.expiresIn).toBe(7200);

    expect(await mini.refresh()).toEqual([{ urn: URN, gone: false, drift: [] }]);
    expect((await mini.up(await registrations())).map((s) => s.op)).toEqual(["same"]);

    const v2 = await registrations({
      name: "ERP sync v2",
      metadata: '{"owner":"ops","tier":"gold"}',
      roleId: BLUE_READ,
    });
    const updateSteps = await mini.up(v2);
    expect(updateSteps.map((s) => [s.op, s.replaces ?? []])).toEqual([["update", []]]);
    const [afterUpdate] = await emulatedCredentials(emulator.current);
    expect(afterUpdate).toMatchObject({
      id: created.id,
      name: "ERP sync v2",
      metadata: { owner: "ops", tier: "gold" },
      roleId: BLUE_READ,
    });
    expect(mini.state.get(URN)!.id).toBe(created.id);
    expect(reveal(mini.state.get(URN)!.outputs.clientSecret)).toBe(stored!.clientSecret);

    const v3 = await registrations({ name: "ERP sync v2", kind: "orders", roleId: BLUE_READ });
    const replaceSteps = await mini.up(v3);
    expect(replaceSteps.map((s) => [s.op, s.replaces])).toEqual([["replace", ["kind"]]]);
    const afterReplace = await emulatedCredentials(emulator.current);
    expect(afterReplace).toHaveLength(1);
    expect(afterReplace[0]).toMatchObject({ kind: "orders" });
    expect(afterReplace[0]!.id).not.toBe(created.id);
    expect(mini.state.get(URN)!.id).toBe(afterReplace[0]!.id);

    expect(await requestCounts(emulator.current)).toMatchObject({
      token: afterCreate.token,
      create: 2,
      update: 1,
      delete: 1,
    });

    await deleteOutOfBand(emulator.current, afterReplace[0]!.id);
    expect(await mini.refresh()).toEqual([{ urn: URN, gone: true, drift: [] }]);
    expect(mini.state.size).toBe(0);
  });

  it("refreshes transparently after the platform expires the token mid-run (exactly one more token call)", async () => {
    const mini = engine();
    await mini.up(await registrations());
    const before = await requestCounts(emulator.current);
    await expireTokens(emulator.current);
    expect(await mini.refresh()).toEqual([{ urn: URN, gone: false, drift: [] }]);
    expect((await mini.destroy()).map((s) => [s.op, s.urn])).toEqual([["delete", URN]]);
    expect(await emulatedCredentials(emulator.current)).toEqual([]);
    const after = await requestCounts(emulator.current);
    // The refresh's GET is refused (401), a new token is fetched once, the GET is repeated; delete reuses it.
    expect({
      token: after.token - before.token,
      retrieve: after.retrieve - before.retrieve,
      delete: after.delete,
    }).toEqual({ token: 1, retrieve: 2, delete: 1 });
  });

  it("surfaces Commerce Layer's 422 with the attribute pointer and creates nothing", async () => {
    const error = await failure(engine().up(await registrations({ roleId: "NoSuchRole" })));
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.message).toContain("Commerce Layer POST /api/api_credentials failed: 422 VALIDATION_ERROR");
    expect(error.message).toContain(
      "(field /data/relationships/role). Fix the roleId input of the resource and run the update again.",
    );
    expect(await emulatedCredentials(emulator.current)).toEqual([]);
  });

  it("retries a 429 on create and on refresh", async () => {
    await injectFault(emulator.current, { method: "POST", path: "/api/api_credentials", status: 429 });
    const mini = engine();
    expect((await mini.up(await registrations())).map((s) => s.op)).toEqual(["create"]);
    await injectFault(emulator.current, { method: "GET", path: "/api/api_credentials/{apiCredentialId}", status: 429 });
    expect(await mini.refresh()).toEqual([{ urn: URN, gone: false, drift: [] }]);
    expect(await emulatedCredentials(emulator.current)).toHaveLength(1);
    expect(await requestCounts(emulator.current)).toMatchObject({ create: 2, retrieve: 2 });
  });

  it("rejects a role on a sales channel at check, with the property path, before any HTTP call", async () => {
    const error = await failure(engine().up(await registrations({ kind: "sales_channel" })));
    expect(error).toBeInstanceOf(CheckFailedError);
    expect((error as CheckFailedError).failures).toEqual([
      {
        property: "roleId",
        reason:
          "sales_channel credentials cannot have a role; remove roleId (or use kind integration for a credential with a role)",
      },
    ]);
    expect(await requestCounts(emulator.current)).toMatchObject({ token: 0, create: 0 });
  });
});

describe("secrets", () => {
  it("keeps both client secrets out of the shim, errors, host logs and non-secret outputs", async () => {
    const mini = engine();
    await mini.up(await registrations());
    const [stored] = await emulatedCredentials(emulator.current);
    const secrets = [CLIENT_SECRET, stored!.clientSecret, stored!.clientId];
    // A provider error of this test's own, so the errors place is never empty whatever runs before.
    await failure(engine().up(await registrations({ roleId: "NoSuchRole" })));
    const state = mini.state.get(URN)!;
    expect(isSecret(state.outputs.clientSecret)).toBe(true);
    expect(isSecret(state.outputs.clientId)).toBe(true);
    const run = await program();
    // Secret marks print as "[secret]", so this text holds exactly the non-secret outputs and inputs.
    const places = {
      providerText: (await registrations())[0]!.providerText ?? "",
      outputs: JSON.stringify(state.outputs),
      inputs: JSON.stringify(state.inputs),
      hostLogs: host.logs(),
      programLogs: run.logs,
      errors: errorsSeen.join("\n"),
    };
    for (const [place, text] of Object.entries(places)) {
      for (const secret of secrets) expect(text.includes(secret), `${place} contains a secret`).toBe(false);
    }
    expect(errorsSeen.some((e) => e.includes("422 VALIDATION_ERROR"))).toBe(true);
  });
});
