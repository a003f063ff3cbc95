/**
 * MiniEngine over the real dynamic-provider host: preview / up / refresh / destroy of the widget fixture program,
 * as `pulumi` would drive them.
 */
import { readdirSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckFailedError, MiniEngine, type EngineEvent } from "../../engine/engine";
import { PartialFailureError, startDynamicProviderHost, urn, type DynamicProviderHost } from "../../engine/host";
import { runProgram, type Registration } from "../../engine/program";
import type { PulumiProject } from "../../engine/project";
import { Secret } from "../../engine/secrets";
import { prepareWidgetProject, WIDGET_PROGRAM, WIDGET_TYPE } from "./fixtureProject";

const PASSWORD = "widget-password-e21b";
const PRIMARY = urn(WIDGET_TYPE, "primary");
const SECONDARY = urn(WIDGET_TYPE, "secondary");

let project: PulumiProject;
let host: DynamicProviderHost;
let storeDir: string;

const programRuns = new Map<number, Promise<Registration[]>>();

/** The fixture program's registrations with config `fixture:size` (one child process per distinct size). */
function registrationsWithSize(size: number): Promise<Registration[]> {
  let registrations = programRuns.get(size);
  if (!registrations) {
    registrations = runWithSize(size);
    programRuns.set(size, registrations);
  }
  return registrations;
}

async function runWithSize(size: number): Promise<Registration[]> {
  const run = await runProgram({
    project,
    program: WIDGET_PROGRAM,
    config: { "fixture:widgetPassword": new Secret(PASSWORD), "fixture:size": String(size) },
    stackReferences: { "org/shared/prod": { region: "eu-west" } },
  });
  return run.registrations;
}

function newEngine(events: EngineEvent[] = []): MiniEngine {
  return new MiniEngine({
    host,
    config: { "fixture:apiKey": new Secret("engine-api-key"), "fixture:storeDir": storeDir },
    onEvent: (event) => events.push(event),
  });
}

const storedIds = (): string[] =>
  readdirSync(storeDir)
    .map((file) => file.replace(/\.json$/, ""))
    .sort();

beforeAll(async () => {
  project = await prepareWidgetProject();
  storeDir = mkdtempSync(join(tmpdir(), "widget-store-"));
  host = await startDynamicProviderHost(project);
});

afterAll(async () => {
  await host?.close();
  await project?.cleanup();
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

describe("MiniEngine", () => {
  it("walks up → up (same) → up with a changed input (update) → refresh after an out-of-band delete → destroy", async () => {
    const events: EngineEvent[] = [];
    const engine = newEngine(events);
    const sizeFour = await registrationsWithSize(4);

    const preview = await engine.preview(sizeFour);
    expect(preview.map((step) => [step.op, step.urn])).toEqual([
      ["create", PRIMARY],
      ["create", SECONDARY],
    ]);
    expect(storedIds()).toEqual([]);

    const created = await engine.up(sizeFour);
    expect(created.map((step) => [step.op, step.urn])).toEqual([
      ["create", PRIMARY],
      ["create", SECONDARY],
    ]);
    expect(events.map((event) => `${event.kind}:${event.op}`)).toEqual([
      "step-start:create",
      "step-finish:create",
      "step-start:create",
      "step-finish:create",
    ]);
    const primaryId = engine.state.get(PRIMARY)?.id ?? "";
    const secondaryId = engine.state.get(SECONDARY)?.id ?? "";
    expect(storedIds()).toEqual([primaryId, secondaryId].sort());
    expect(engine.state.get(PRIMARY)?.outputs["password"]).toEqual(new Secret(PASSWORD));
    expect(engine.state.get(PRIMARY)?.outputs["token"]).toEqual(new Secret(`tok-${primaryId}`));
    expect(engine.state.get(PRIMARY)?.inputs["password"]).toEqual(new Secret(PASSWORD));
    expect(engine.state.get(SECONDARY)?.outputs["status"]).toBe("ready");

    const again = await engine.up(sizeFour);
    expect(again.map((step) => step.op)).toEqual(["same", "same"]);

    const sizeSix = await registrationsWithSize(6);
    expect((await engine.preview(sizeSix)).map((step) => step.op)).toEqual(["update", "same"]);
    const updated = await engine.up(sizeSix);
    expect(updated.map((step) => [step.op, step.urn])).toEqual([
      ["update", PRIMARY],
      ["same", SECONDARY],
    ]);
    expect(engine.state.get(PRIMARY)?.id).toBe(primaryId);
    expect(engine.state.get(PRIMARY)?.outputs["spec"]).toEqual({ size: 6 });

    rmSync(join(storeDir, `${secondaryId}.json`));
    const refreshed = await engine.refresh();
    expect(refreshed).toEqual([
      { urn: PRIMARY, gone: false, drift: [] },
      { urn: SECONDARY, gone: true, drift: [] },
    ]);
    expect([...engine.state.keys()]).toEqual([PRIMARY]);

    const destroyed = await engine.destroy();
    expect(destroyed.map((step) => [step.op, step.urn])).toEqual([["delete", PRIMARY]]);
    expect(engine.state.size).toBe(0);
    expect(storedIds()).toEqual([]);
  });

  it("plans and runs a replacement (create-before-delete) when the provider's diff reports replaces", async () => {
    const engine = newEngine();
    const registrations = await registrationsWithSize(4);
    await engine.up(registrations);
    const oldId = engine.state.get(PRIMARY)?.id;

    const relabelled = registrations.map((reg) =>
      reg.urn === PRIMARY ? { ...reg, inputs: { ...reg.inputs, label: "primary-v2" } } : reg,
    );
    const preview = await engine.preview(relabelled);
    expect(preview.map((step) => [step.op, step.replaces])).toEqual([
      ["replace", ["label"]],
      ["same", undefined],
    ]);
    const steps = await engine.up(relabelled);
    expect(steps.map((step) => step.op)).toEqual(["replace", "same"]);
    const newId = engine.state.get(PRIMARY)?.id ?? "";
    const secondaryId = engine.state.get(SECONDARY)?.id ?? "";
    expect(newId).not.toBe(oldId);
    expect(storedIds()).toEqual([newId, secondaryId].sort());

    // Create-before-delete: when the replacement's create fails, the old object is still stored and still in state.
    const refused = relabelled.map((reg) =>
      reg.urn === PRIMARY ? { ...reg, inputs: { ...reg.inputs, label: "refused" } } : reg,
    );
    await expect(engine.up(refused)).rejects.toThrow("the widget service refused label 'refused'");
    expect(engine.state.get(PRIMARY)?.id).toBe(newId);
    expect(storedIds()).toEqual([newId, secondaryId].sort());
    await engine.destroy();
    expect(storedIds()).toEqual([]);
  });

  it("deletes the old object first when the provider's diff asks for deleteBeforeReplace", async () => {
    const engine = newEngine();
    const primary = (await registrationsWithSize(4)).find((reg) => reg.urn === PRIMARY) as Registration;
    await engine.up([primary]);
    const oldId = engine.state.get(PRIMARY)?.id ?? "";
    expect(storedIds()).toEqual([oldId]);

    const refusedFirst: Registration = {
      ...primary,
      inputs: { ...primary.inputs, label: "refused", deleteBeforeReplace: true },
    };
    expect((await engine.preview([refusedFirst])).map((step) => [step.op, step.replaces])).toEqual([
      ["replace", ["label"]],
    ]);
    await expect(engine.up([refusedFirst])).rejects.toThrow("the widget service refused label 'refused'");
    // The old object went before the create was tried: nothing is left, in the store or in state.
    expect(storedIds()).toEqual([]);
    expect(engine.state.has(PRIMARY)).toBe(false);
  });

  it("keeps a partially failed resource in state with its id and reports the failure event", async () => {
    const events: EngineEvent[] = [];
    const engine = newEngine(events);
    const [, primary] = await registrationsWithSize(4);
    const broken: Registration = {
      ...(primary as Registration),
      urn: urn(WIDGET_TYPE, "broken"),
      name: "broken",
      inputs: { ...(primary as Registration).inputs, label: "unhealthy" },
    };

    await expect(engine.up([broken])).rejects.toBeInstanceOf(PartialFailureError);
    const state = engine.state.get(broken.urn);
    expect(state?.id).toMatch(/^w-[0-9a-f]{8}$/);
    expect(state?.initErrors).toEqual(["health check failed"]);
    expect(state?.outputs["token"]).toEqual(new Secret(`tok-${state?.id}`));
    const failed = events.find((event) => event.kind === "step-failed");
    expect(failed).toMatchObject({ kind: "step-failed", op: "create", urn: broken.urn, partial: { id: state?.id } });

    await engine.destroy();
    expect(storedIds()).toEqual([]);
  });

  it("stops at Check failures before any write, naming the property", async () => {
    const engine = newEngine();
    const [, primary] = await registrationsWithSize(4);
    const invalid: Registration = {
      ...(primary as Registration),
      inputs: { ...(primary as Registration).inputs, spec: { size: 11 } },
    };
    const failure = engine.up([invalid]);
    await expect(failure).rejects.toBeInstanceOf(CheckFailedError);
    await expect(failure).rejects.toThrow("spec.size: spec.size must be a number from 1 to 10.");
    expect(engine.state.size).toBe(0);
    expect(storedIds()).toEqual([]);
  });
});
