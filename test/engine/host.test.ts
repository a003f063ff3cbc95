/**
 * The real dynamic-provider host, driven over gRPC through engine/host.ts with the widget fixture's real serialized
 * provider (taken from a program run under mocks).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  PartialFailureError,
  ProviderError,
  startDynamicProviderHost,
  urn,
  type DynamicProviderHost,
  type PropertyMap,
} from "../../engine/host";
import { runProgram, type Registration } from "../../engine/program";
import type { PulumiProject } from "../../engine/project";
import { Secret } from "../../engine/secrets";
import { prepareWidgetProject, WIDGET_PROGRAM, WIDGET_TYPE } from "./fixtureProject";

const API_KEY = "fixture-api-key-7f3a9c";
const PASSWORD = "widget-password-51d2";

let project: PulumiProject;
let host: DynamicProviderHost;
let storeDir: string;
let primary: Registration;
let providerText: string;

beforeAll(async () => {
  project = await prepareWidgetProject();
  storeDir = mkdtempSync(join(tmpdir(), "widget-store-"));
  const run = await runProgram({
    project,
    program: WIDGET_PROGRAM,
    config: { "fixture:widgetPassword": new Secret(PASSWORD) },
    stackReferences: { "org/shared/prod": { region: "eu-west", deployToken: new Secret("deploy-token") } },
  });
  primary = run.registrations.find((reg) => reg.name === "primary") as Registration;
  providerText = primary.providerText as string;
  host = await startDynamicProviderHost(project);
  await host.configure({ "fixture:apiKey": new Secret(API_KEY), "fixture:storeDir": storeDir });
});

afterAll(async () => {
  await host?.close();
  await project?.cleanup();
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

const widgetUrn = (name: string): string => urn(WIDGET_TYPE, name);
const inputs = (overrides: PropertyMap = {}): PropertyMap => ({ ...primary.inputs, ...overrides });

describe("dynamic-provider host", () => {
  it("answers Configure so that the provider's configure sees the secret config value decrypted", async () => {
    const created = await host.create(widgetUrn("configured"), inputs({ label: "configured" }));
    const fingerprint = createHash("sha256").update(API_KEY).digest("hex").slice(0, 12);
    expect(created.outputs["keyFingerprint"]).toBe(fingerprint);
    expect(host.configured).toBe(true);
    await host.delete(created.id, widgetUrn("configured"), created.outputs);
  });

  it("reports Check failures with their property paths, and passes valid inputs through with __provider", async () => {
    const bad = await host.check(widgetUrn("bad"), {}, inputs({ label: "", spec: { size: 42 } }));
    expect(bad.failures).toEqual([
      { property: "label", reason: "label is required: set it to a non-empty string." },
      { property: "spec.size", reason: "spec.size must be a number from 1 to 10." },
    ]);

    const good = await host.check(widgetUrn("primary"), {}, primary.inputs);
    expect(good.failures).toEqual([]);
    expect(good.inputs["__provider"]).toBe(providerText);
    expect(good.inputs["label"]).toBe("primary");
    // Plain: the host accepts no secrets (the engine keeps the input secret in its own state).
    expect(good.inputs["password"]).toBe(PASSWORD);
  });

  it("walks Create → Diff → Update → Read → Delete → Read (blank id) with 0 replaces on an update", async () => {
    const resourceUrn = widgetUrn("lifecycle");
    const created = await host.create(resourceUrn, inputs({ label: "lifecycle" }));
    expect(created.id).toMatch(/^w-[0-9a-f]{8}$/);
    expect(created.outputs["__provider"]).toBe(providerText);
    expect(created.outputs["status"]).toBe("ready");

    const same = await host.diff(created.id, resourceUrn, created.outputs, inputs({ label: "lifecycle" }));
    expect(same).toEqual({ changes: "none", replaces: [], deleteBeforeReplace: false, diffs: [] });
    const resized = await host.diff(
      created.id,
      resourceUrn,
      created.outputs,
      inputs({ label: "lifecycle", spec: { size: 5 } }),
    );
    expect(resized).toEqual({ changes: "some", replaces: [], deleteBeforeReplace: false, diffs: [] });
    const relabelled = await host.diff(created.id, resourceUrn, created.outputs, inputs({ label: "other" }));
    expect(relabelled).toEqual({ changes: "some", replaces: ["label"], deleteBeforeReplace: false, diffs: [] });

    const updated = await host.update(
      created.id,
      resourceUrn,
      created.outputs,
      inputs({ label: "lifecycle", spec: { size: 5 } }),
    );
    expect(updated.outputs["spec"]).toEqual({ size: 5 });

    const read = await host.read(created.id, resourceUrn, updated.outputs, inputs({ label: "lifecycle" }));
    expect(read.id).toBe(created.id);
    expect(read.outputs["spec"]).toEqual({ size: 5 });
    expect(read.outputs["token"]).toBe(`tok-${created.id}`);
    expect(read.outputs["__provider"]).toBe(providerText);

    await host.delete(created.id, resourceUrn, read.outputs);
    expect(readdirSync(storeDir)).not.toContain(`${created.id}.json`);
    const gone = await host.read(created.id, resourceUrn, read.outputs);
    expect(gone.id).toBe("");
  });

  it("sends secret inputs as plain values and returns plain outputs (marking them secret is the engine's work)", async () => {
    const created = await host.create(widgetUrn("secrets"), inputs({ label: "secrets" }));
    // The provider received a plain string (not an RPC secret object) and stored it as such.
    const stored = JSON.parse(readFileSync(join(storeDir, `${created.id}.json`), "utf8")) as PropertyMap;
    expect(stored["password"]).toBe(PASSWORD);
    // The host accepts no secrets: what it returns carries no mark; the real engine marks `password` (a secret
    // input of the same name) and `additionalSecretOutputs`, as test/e2e proves through the CLI.
    expect(created.outputs["password"]).toBe(PASSWORD);
    expect(created.outputs["token"]).toBe(`tok-${created.id}`);
    expect(created.outputs["spec"]).toEqual({ size: 3 });
    await host.delete(created.id, widgetUrn("secrets"), created.outputs);
  });

  it("returns a partial failure as PartialFailureError with the id, outputs and reasons", async () => {
    const error = await host.create(widgetUrn("unhealthy"), inputs({ label: "unhealthy" })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PartialFailureError);
    const partial = error as PartialFailureError;
    expect(partial.id).toMatch(/^w-[0-9a-f]{8}$/);
    expect(partial.message).toBe(`widget ${partial.id} was created but did not become ready`);
    expect(partial.reasons).toEqual(["health check failed"]);
    expect(partial.outputs["status"]).toBe("failed");
    expect(partial.outputs["token"]).toBe(`tok-${partial.id}`);
    expect(partial.outputs["__provider"]).toBe(providerText);
    expect(readdirSync(storeDir)).toContain(`${partial.id}.json`);
    await host.delete(partial.id, widgetUrn("unhealthy"), partial.outputs);
  });

  it("returns other failures as ProviderError with the provider's message", async () => {
    const error = await host.create(widgetUrn("refused"), inputs({ label: "refused" })).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).not.toBeInstanceOf(PartialFailureError);
    expect((error as ProviderError).message).toBe("the widget service refused label 'refused'");
    expect((error as ProviderError).method).toBe("Create");
  });

  it("never prints the API key or the secret input in the host's logs", () => {
    const fingerprint = createHash("sha256").update(API_KEY).digest("hex").slice(0, 12);
    expect(host.logs()).toContain(`widget provider configured: key fingerprint ${fingerprint}`);
    expect(host.logs()).not.toContain(API_KEY);
    expect(host.logs()).not.toContain(PASSWORD);
  });
});
