/**
 * Secret marks on values whose keys contain `.` or `[n]` survive the provider plugin over gRPC: Check, Create, Read
 * and Update send back every value the engine sent secret, at the very key it sat under (metadata keys are free
 * text). The plugin is launched through Pulumi's plugin runner and drives the emulator's Commerce Layer API; the
 * values are generated per run so a leak into the plugin's logs is searchable. Needs a build (`npx tsc -p
 * tsconfig.json`).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isSecret, Secret } from "../../engine/secrets";
import { useEmulator } from "../support/emulator";
import { startPluginPath } from "./drivers";
import { pluginUrn, type PluginProcess } from "./pluginClient";

const URN = pluginUrn("platform-credentials:commercelayer:ApiCredential", "dotted-metadata");
const emulator = useEmulator();
let plugin: PluginProcess;
let close: () => Promise<void>;

const lead = `lead-${randomBytes(12).toString("hex")}`;
const tag = `tag-${randomBytes(12).toString("hex")}`;
const rotatedLead = `lead-${randomBytes(12).toString("hex")}`;

beforeAll(async () => {
  const started = await startPluginPath(emulator.current);
  plugin = started.plugin;
  close = started.close;
}, 60_000);

afterAll(async () => {
  await close?.();
});

const inputs = (teamLead: string) => ({
  organizationId: "BlueBrnd01",
  name: "dotted-metadata",
  kind: "integration",
  roleId: "BlueRead01",
  metadata: { "team.lead": new Secret(teamLead), "tags[0]": new Secret(tag), owner: "platform-team" },
});

/** The metadata map of a property map, asserting each key's mark: the two odd keys secret, `owner` plain. */
function expectMarkedMetadata(props: Record<string, unknown>, teamLead: string): void {
  const metadata = props["metadata"] as Record<string, unknown>;
  expect(metadata["team.lead"]).toEqual(new Secret(teamLead));
  expect(metadata["tags[0]"]).toEqual(new Secret(tag));
  expect(metadata["owner"]).toBe("platform-team");
  expect(isSecret(metadata["owner"])).toBe(false);
  // Nothing was invented at the dotted reading of the keys.
  expect(Object.keys(metadata).filter((k) => k === "team" || k === "tags")).toEqual([]);
}

describe("secret marks on keys containing `.` and `[n]`", () => {
  it("survive Check, Create, Read and Update through the plugin over gRPC", async () => {
    const checked = await plugin.check(URN, {}, inputs(lead));
    expect(checked.failures).toEqual([]);
    expectMarkedMetadata(checked.inputs, lead);

    const created = await plugin.create(URN, checked.inputs);
    expectMarkedMetadata(created.outputs, lead);
    expect(isSecret(created.outputs["clientSecret"])).toBe(true);

    const read = await plugin.read(created.id, URN, created.outputs);
    expect(read.id).toBe(created.id);
    expectMarkedMetadata(read.outputs, lead);
    expectMarkedMetadata(read.inputs ?? {}, lead);

    const news = await plugin.check(URN, checked.inputs, inputs(rotatedLead));
    expectMarkedMetadata(news.inputs, rotatedLead);
    const diff = await plugin.diff(created.id, URN, read.outputs, news.inputs);
    expect(diff).toMatchObject({ changes: "some", replaces: [] });
    const updated = await plugin.update(created.id, URN, read.outputs, news.inputs);
    expectMarkedMetadata(updated.outputs, rotatedLead);

    await plugin.delete(created.id, URN, updated.outputs);
    for (const value of [lead, tag, rotatedLead]) expect(plugin.logs()).not.toContain(value);
  });
});
