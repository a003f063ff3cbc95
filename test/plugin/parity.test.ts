/**
 * The shared lifecycle table (test/support/lifecycleTable.ts) run through both paths against the emulator: Pulumi's
 * real dynamic-provider host with the package's serialized shims, and the provider plugin launched through Pulumi's
 * plugin runner. Each path must meet the table's expectations, and both must produce the same outcome.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runProgram } from "../../engine/program";
import { prepareProject, type PulumiProject } from "../../engine/project";
import { reveal } from "../../engine/secrets";
import { defaultInterchangeSeed } from "../../emulator/seed";
import { startEmulator, type RunningEmulator } from "../../emulator/server";
import { lifecycleTable, walkLifecycle, type LifecycleCase, type LifecycleOutcome } from "../support/lifecycleTable";
import { startDynamicPath, startPluginPath, type StartedPath } from "./drivers";

let emulator: RunningEmulator;
let project: PulumiProject;
const providerTexts: Record<string, string> = {};

beforeAll(async () => {
  // Probes finish in 20 ms instead of 200 ms: the walk waits for two of them per path.
  emulator = await startEmulator({
    host: "127.0.0.1",
    port: 0,
    seed: { interchange: { ...defaultInterchangeSeed, settings: { probeDelayMs: 20 } } },
  });
  project = await prepareProject();
  const run = await runProgram({ project, program: join(__dirname, "fixtures", "dynamicResources.js") });
  for (const reg of run.registrations) {
    const kind = reg.type.replace(/^pulumi-nodejs:dynamic\//, "");
    if (reg.providerText) providerTexts[kind] = reg.providerText;
  }
}, 60_000);

afterAll(async () => {
  await emulator?.close();
  await project?.cleanup();
});

/**
 * `path` decides the secret marks expected: the plugin accepts secrets and marks its secret outputs itself; the
 * dynamic-provider host accepts none and returns plain values (the engine marks them, proven in test/e2e).
 */
function expectTableOutcome(row: LifecycleCase, outcome: LifecycleOutcome, path: "dynamic" | "plugin"): void {
  expect(outcome.validFailures).toEqual([]);
  expect(outcome.invalidFailures.map((f) => f.property)).toEqual(row.invalid.failedProperties);
  for (const failure of outcome.invalidFailures) expect(failure.reason).toContain(failure.property);
  // Expected values carry the plugin's secret marks; the dynamic host's plain answers are compared without them.
  const expected = <T>(value: T): T => (path === "plugin" ? value : reveal<T>(value));
  expect(outcome.created).toMatchObject(expected(row.createdOutputs));
  expect(outcome.diffSame).toEqual({ changes: "none", replaces: [], deleteBeforeReplace: false });
  expect(outcome.diffUpdate).toEqual({ changes: "some", replaces: [], deleteBeforeReplace: false });
  expect(outcome.diffReplace.changes).toBe("some");
  expect(outcome.diffReplace.replaces).toEqual(row.replace.replaces);
  expect(outcome.updated).toMatchObject(expected(row.update.outputs));
  expect(outcome.read).toMatchObject(expected(row.update.outputs));
  expect(outcome.readKeptId).toBe(true);
  expect(outcome.goneAfterDelete).toBe(row.goneAfterDelete);
  const secrets = path === "plugin" ? [...row.secretOutputs].sort() : [];
  expect(outcome.secretKeys).toEqual({ created: secrets, updated: secrets, read: secrets });
}

async function walkThrough(start: () => Promise<StartedPath>, row: LifecycleCase): Promise<LifecycleOutcome> {
  // A fresh platform and a fresh process per walk: no registration, token or cache carries over between paths.
  emulator.reset();
  const path = await start();
  try {
    return await walkLifecycle(path.driver, row);
  } finally {
    await path.close();
  }
}

describe.each(lifecycleTable.map((row) => [row.kind, row] as const))("%s", (_kind, row) => {
  const outcomes: { dynamic?: LifecycleOutcome; plugin?: LifecycleOutcome } = {};

  it(`dynamic path: ${row.title}`, async () => {
    outcomes.dynamic = await walkThrough(() => startDynamicPath(project, providerTexts, emulator), row);
    expectTableOutcome(row, outcomes.dynamic, "dynamic");
  }, 60_000);

  it(`plugin path: ${row.title}`, async () => {
    outcomes.plugin = await walkThrough(() => startPluginPath(emulator), row);
    expectTableOutcome(row, outcomes.plugin, "plugin");
  }, 60_000);

  it("both paths produce the same outcome", () => {
    expect(outcomes.plugin).toBeDefined();
    // Everything but the secret marks (see expectTableOutcome) is the same on both paths.
    expect(reveal({ ...outcomes.plugin, secretKeys: undefined })).toEqual({
      ...outcomes.dynamic,
      secretKeys: undefined,
    });
  });
});
