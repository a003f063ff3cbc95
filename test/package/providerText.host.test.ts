/**
 * The serialized provider (`__provider`) as a user's program produces it: the fixture programs copied into a project
 * that has the built package under node_modules (run from test/fixtures they would load the repository's own dist/
 * through the package's self-reference, and the serializer copies modules outside node_modules by value). Each kind's
 * text is one `require` of its provider module, a few hundred bytes, with no path and no secret; the texts that
 * stacks written by 0.1.0 carry (test/fixtures/upgrade/provider-0.1.0.json, serialized from 0.1.0 installed the same
 * way) still run through Pulumi's real dynamic-provider host. Needs `npm run build` first (`npm test` builds).
 */
import { copyFileSync, readFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDynamicProviderHost, urn, type DynamicProviderHost } from "../../engine/host";
import { runProgram } from "../../engine/program";
import { prepareProject, type PulumiProject } from "../../engine/project";
import { Secret } from "../../engine/secrets";
import { KEYS, useEmulator } from "../support/emulator";
import { storedCredentials } from "../interchange/dataDeliverySupport";

const FIXTURES = resolve(__dirname, "..", "fixtures");
/** Each kind's type token, fixture program and provider module (providers/<module>). */
const KINDS = [
  ["pulumi-nodejs:dynamic/interchange:StorefrontSourceCredential", "sourceCredential.js", "storefrontSourceCredential"],
  ["pulumi-nodejs:dynamic/interchange:DataDeliveryCredential", "dataDelivery.js", "dataDeliveryCredential"],
  ["pulumi-nodejs:dynamic/commercelayer:ApiCredential", "commercelayer.js", "apiCredential"],
] as const;
/** The lifecycle tests use data-delivery credentials: their delete removes the object (a source credential stays). */
const LIFECYCLE_TYPE = KINDS[1][0];
const PROGRAM_SECRETS = { "fixture:token": "provider-text-suite-token", "fixture:sasToken": "sv=provider-text-sas" };
const OLD_TEXTS = JSON.parse(readFileSync(join(FIXTURES, "upgrade", "provider-0.1.0.json"), "utf8")) as Record<
  string,
  string
>;

const emulator = useEmulator({ interchangeRateLimitPerMinute: 0 });
let project: PulumiProject;
const texts = new Map<string, string>();
const lifecycleInputs: Record<string, unknown>[] = [];

beforeAll(async () => {
  project = await prepareProject();
  for (const [type, program] of KINDS) {
    const copy = join(project.dir, program);
    copyFileSync(join(FIXTURES, "programs", program), copy);
    const run = await runProgram({
      project,
      program: copy,
      config: Object.fromEntries(Object.entries(PROGRAM_SECRETS).map(([k, v]) => [k, new Secret(v)])),
    });
    const registration = run.registrations.find((r) => r.type === type);
    if (!registration?.providerText) throw new Error(`the fixture program ${program} registered no ${type}`);
    texts.set(type, registration.providerText);
    if (type === LIFECYCLE_TYPE) lifecycleInputs.push(registration.inputs);
  }
});

afterAll(async () => {
  await project?.cleanup();
});

describe("__provider as a user's program serializes it", () => {
  it.each(KINDS)("%s: one require of its provider module, ≤ 400 bytes, no path, no secret", (type, _p, module) => {
    const text = texts.get(type) ?? "";
    const specifier = `pulumi-platform-credentials/dist/provider/pulumi/providers/${module}.js`;
    expect(text).toBe(
      [
        "exports.handler = __f0;",
        `const provider = require(${JSON.stringify(specifier)});`,
        "",
        "function __f0() {",
        "  return (function() {",
        "    with({ this: undefined, arguments: undefined }) {",
        "",
        "return () => provider;",
        "",
        "    }",
        "  }).apply(undefined, undefined).apply(this, arguments);",
        "}",
        "",
      ].join("\n"),
    );
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(400);
    for (const path of [project.dir, tmpdir(), homedir(), resolve(__dirname, "..", "..")]) {
      expect(text.includes(path), `__provider contains ${path}`).toBe(false);
    }
    for (const secret of [...Object.values(PROGRAM_SECRETS), KEYS.acme]) {
      expect(text.includes(secret), "__provider contains a secret").toBe(false);
    }
  });

  it("is a fraction of the 0.1.0 text it replaces", () => {
    for (const [type] of KINDS) {
      expect(OLD_TEXTS[type]).toContain('require("pulumi-platform-credentials/dist/provider/pulumi/adapter")');
      expect(Buffer.byteLength(texts.get(type) ?? "") * 8).toBeLessThan(Buffer.byteLength(OLD_TEXTS[type] ?? ""));
    }
  });
});

describe("through the real dynamic-provider host", () => {
  let host: DynamicProviderHost;
  afterAll(async () => {
    await host?.close();
  });

  async function freshHost(): Promise<DynamicProviderHost> {
    await host?.close();
    host = await startDynamicProviderHost(project);
    await host.configure({
      "interchange:apiKey": new Secret(KEYS.acme),
      "interchange:baseUrl": emulator.current.interchangeUrl,
      "platform-credentials:httpMaxRetries": "2",
    });
    return host;
  }

  /** The names of advertiser 12345's stored credentials (ids of this kind are `<advertiser>/<name>`). */
  async function storedIds(): Promise<string[]> {
    return (await storedCredentials(emulator.current, "12345")).map((c) => `12345/${c.name}`);
  }

  it("the new text runs check, create, read and delete", async () => {
    const h = await freshHost();
    const resourceUrn = urn(LIFECYCLE_TYPE, "new-text");
    const checked = await h.check(resourceUrn, {}, lifecycleInputs[0]!);
    expect(checked.failures).toEqual([]);
    const created = await h.create(resourceUrn, checked.inputs);
    expect(created.outputs["__provider"]).toBe(texts.get(LIFECYCLE_TYPE));
    expect(await storedIds()).toContain(created.id);
    const read = await h.read(created.id, resourceUrn, created.outputs, checked.inputs);
    expect(read.outputs["status"]).toBe("VALIDATED");
    await h.delete(created.id, resourceUrn, read.outputs);
    expect(await storedIds()).not.toContain(created.id);
  });

  it("a resource created by 0.1.0's text is checked and diffed by the new text, refreshed and deleted by its own", async () => {
    // What the engine does after an upgrade: check and diff use the program's new text, read and delete the text in
    // the resource's stored outputs (a `same` step keeps the old outputs).
    let h = await freshHost();
    const resourceUrn = urn(LIFECYCLE_TYPE, "old-text");
    const oldText = OLD_TEXTS[LIFECYCLE_TYPE]!;
    const oldChecked = await h.check(resourceUrn, {}, { ...lifecycleInputs[0]!, __provider: oldText });
    expect(oldChecked.failures).toEqual([]);
    const created = await h.create(resourceUrn, oldChecked.inputs);
    expect(created.outputs["__provider"]).toBe(oldText);

    h = await freshHost();
    const newInputs = { ...lifecycleInputs[0]!, __provider: texts.get(LIFECYCLE_TYPE) };
    const checked = await h.check(resourceUrn, oldChecked.inputs, newInputs);
    expect(checked.failures).toEqual([]);
    expect((await h.diff(created.id, resourceUrn, created.outputs, checked.inputs, oldChecked.inputs)).changes).toBe(
      "none",
    );
    const read = await h.read(created.id, resourceUrn, created.outputs, checked.inputs);
    expect(read.outputs["__provider"]).toBe(oldText);
    expect(read.outputs["status"]).toBe("VALIDATED");
    await h.delete(created.id, resourceUrn, read.outputs);
    expect(await storedIds()).not.toContain(created.id);
  });
});
