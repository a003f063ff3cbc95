/**
 * interchange.StorefrontSourceCredential through Pulumi's real dynamic-provider host over gRPC, with the provider
 * text serialized by a real program run under mocks (test/fixtures/programs/sourceCredential.js) from a project that
 * has the built package installed. Needs `npx tsc -p tsconfig.json` first (`npm test` builds).
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDynamicProviderHost, urn, ProviderError, type DynamicProviderHost } from "../../engine/host";
import { runProgram, type Registration } from "../../engine/program";
import { prepareProject, type PulumiProject } from "../../engine/project";
import { isSecret, reveal, Secret, UNKNOWN_VALUE } from "../../engine/secrets";
import { admin, KEYS, useEmulator } from "../support/emulator";

const TYPE = "pulumi-nodejs:dynamic/interchange:StorefrontSourceCredential";
const PROGRAM = resolve(__dirname, "..", "fixtures", "programs", "sourceCredential.js");
const URN = urn(TYPE, "acme-source");

const emulator = useEmulator({ interchangeRateLimitPerMinute: 0 });
let project: PulumiProject;
let host: DynamicProviderHost;
// One program run serves most tests (program runs are the slow part); tests vary its inputs where the program
// wiring is not what they prove.
let base: Registration;
let baseToken: string;
// Everything secret this suite handed out; none of it may appear in plain text anywhere.
const secretsSeen: string[] = [];

const newToken = (): string => {
  const token = `tok_${randomBytes(24).toString("hex")}`;
  secretsSeen.push(token);
  return token;
};

beforeAll(async () => {
  project = await prepareProject();
  baseToken = newToken();
  base = await program({ "fixture:token": new Secret(baseToken) });
});

/** The base registration's inputs with another apiKey token (as a program with that token would send them). */
function withNewToken(patch: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...base.inputs, auth: new Secret({ type: "apiKey", token: newToken() }), ...patch };
}

afterAll(async () => {
  await host?.close();
  await project?.cleanup();
});

/**
 * A new host process, as each `pulumi` command starts one. The dynamic host configures a provider once per
 * process, and the provider reuses list answers for a short window inside a process: a new process is what makes
 * a refresh see an out-of-band change made a moment ago (and isolates tests from each other's emulator resets).
 */
async function configureHost(): Promise<void> {
  await host?.close();
  host = await startDynamicProviderHost(project);
  await host.configure({
    "interchange:apiKey": new Secret(KEYS.acme),
    "interchange:baseUrl": emulator.current.interchangeUrl,
    "platform-credentials:httpMaxRetries": "2",
    "platform-credentials:httpTimeoutSeconds": "5",
  });
}

async function program(config: Record<string, string | Secret<string>>): Promise<Registration> {
  const run = await runProgram({ project, program: PROGRAM, config });
  const registration = run.registrations.find((r) => r.type === TYPE);
  if (!registration) throw new Error(`the program registered no ${TYPE}`);
  return registration;
}

async function storedCredentials(): Promise<{ id: string; auth: unknown }[]> {
  const res = await admin(emulator.current, "GET", "/state");
  return (res.body as { interchange: { sourceCredentials: { id: string; auth: unknown }[] } }).interchange
    .sourceCredentials;
}

function expectNoSecretIn(text: string, where: string): void {
  for (const secret of [...secretsSeen, KEYS.acme])
    expect(text.includes(secret), `${where} contains a secret`).toBe(false);
}

describe("program wiring under mocks", () => {
  it("registers the dynamic type with auth secret-wrapped and a small provider text free of secrets and paths", async () => {
    const registration = base;
    const token = baseToken;
    expect(registration.type).toBe(TYPE);
    expect(registration.custom).toBe(true);
    expect(isSecret(registration.inputs.auth)).toBe(true);
    expect(reveal(registration.inputs.auth)).toEqual({ type: "apiKey", token });
    expect(isSecret(registration.inputs.accountIdentifier)).toBe(false);
    expect(registration.additionalSecretOutputs).toEqual([]);

    const text = registration.providerText ?? "";
    expect(text.length).toBeGreaterThan(0);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(4096);
    expect(text).toContain('require("pulumi-platform-credentials/dist/provider/pulumi/adapter")');
    expect(text).toContain("interchange:StorefrontSourceCredential");
    expectNoSecretIn(text, "__provider");
    for (const path of [process.cwd(), project.dir, homedir(), resolve(__dirname, "..", "..")]) {
      expect(text.includes(path), `__provider contains ${path}`).toBe(false);
    }
    expect(text).not.toMatch(/\/(work|tmp|home|root|Users)\//);
  });
});

describe("lifecycle through the real host", () => {
  it("check → create → read → update (rotation, 0 replaces) → read → delete → read gone", async () => {
    await configureHost();
    const first = base;

    const checked = await host.check(URN, {}, first.inputs);
    expect(checked.failures).toEqual([]);
    expect(checked.inputs.adopt).toBe(false);
    // The host returns plain values (it accepts no secrets); the engine keeps `auth` secret (test/e2e).
    expect(checked.inputs.auth).toEqual(reveal(first.inputs.auth));

    const created = await host.create(URN, checked.inputs);
    const stored = await storedCredentials();
    expect(stored.map((c) => c.id)).toEqual([created.id]);
    expect(created.outputs).toMatchObject({
      credentialId: created.id,
      status: "ACTIVE",
      accountType: "CLIENT",
      revocation: "manual",
      connected: false,
      storefrontId: 101,
      sourceId: "src_apikey",
    });
    // `auth` comes back under the same name, which is what makes the engine mark the output secret.
    expect(created.outputs.auth).toEqual(checked.inputs.auth);
    expect(typeof created.outputs.__provider).toBe("string");

    const read = await host.read(created.id, URN, created.outputs, checked.inputs);
    expect(read.id).toBe(created.id);
    expect(read.outputs.status).toBe("ACTIVE");
    expect(read.outputs.auth).toEqual(checked.inputs.auth);

    const rotatedToken = newToken();
    const second = await program({ "fixture:token": new Secret(rotatedToken) });
    const rechecked = await host.check(URN, checked.inputs, second.inputs);
    expect(rechecked.failures).toEqual([]);
    const diff = await host.diff(created.id, URN, read.outputs, rechecked.inputs, checked.inputs);
    expect(diff).toMatchObject({ changes: "some", replaces: [], deleteBeforeReplace: false });

    const updated = await host.update(created.id, URN, read.outputs, rechecked.inputs, { oldInputs: checked.inputs });
    expect(updated.outputs.credentialId).toBe(created.id);
    expect(updated.outputs.auth).toEqual(reveal(second.inputs.auth));
    const afterUpdate = await storedCredentials();
    expect(afterUpdate).toHaveLength(1);
    expect(afterUpdate[0]?.auth).toEqual({ type: "api_key", token: rotatedToken });

    const reread = await host.read(created.id, URN, updated.outputs, rechecked.inputs);
    expect(reread.id).toBe(created.id);
    expect(reread.outputs.updatedAt).toBe(updated.outputs.updatedAt);

    await admin(emulator.current, "DELETE", "/requests");
    await host.delete(created.id, URN, reread.outputs, rechecked.inputs);
    // The API cannot revoke: delete made no call and the credential is still registered.
    expect((await admin(emulator.current, "GET", "/requests")).body).toEqual({});
    expect(await storedCredentials()).toHaveLength(1);

    // A person revokes it in the web app; `pulumi refresh` (a new provider process, so no list reused from this
    // one's short window) drops it with a blank id.
    expect((await admin(emulator.current, "DELETE", `/interchange/credentials/${created.id}`)).status).toBe(200);
    await configureHost();
    const logsBefore = host.logs();
    const gone = await host.read(created.id, URN, reread.outputs, rechecked.inputs);
    expect(gone.id).toBe("");

    for (const outputs of [created.outputs, read.outputs, updated.outputs, reread.outputs]) {
      // Every output but `auth` (secret in the engine's state, by its secret input of the same name) is plain.
      expectNoSecretIn(JSON.stringify({ ...outputs, auth: undefined }), "the outputs other than auth");
    }
    expectNoSecretIn(logsBefore + host.logs(), "the host's logs");
  });

  it.each([
    ["storefrontId", { storefrontId: 102, sourceId: "src_video" }, ["sourceId", "storefrontId"]],
    ["sourceId", { sourceId: "src_none" }, ["sourceId"]],
    ["accountIdentifier", { accountIdentifier: "acme-buyer-2" }, ["accountIdentifier"]],
    ["marketplaceAccount", { marketplaceAccount: true }, ["marketplaceAccount"]],
  ])("replaces on a %s change", async (_name, patch, replaces) => {
    await configureHost();
    const checked = await host.check(URN, {}, base.inputs);
    const created = await host.create(URN, checked.inputs);
    const rechecked = await host.check(URN, checked.inputs, { ...base.inputs, ...patch });
    const diff = await host.diff(created.id, URN, created.outputs, rechecked.inputs, checked.inputs);
    expect(diff.changes).toBe("some");
    expect(diff.replaces.sort()).toEqual(replaces);
    expect(diff.deleteBeforeReplace).toBe(false);
  });

  it("lets preview unknowns through check and reports bad inputs with their property path", async () => {
    await configureHost();
    const registration = base;
    const preview = await host.check(URN, {}, { ...registration.inputs, accountIdentifier: UNKNOWN_VALUE });
    expect(preview.failures).toEqual([]);
    expect(preview.inputs.accountIdentifier).toBe(UNKNOWN_VALUE);

    const bad = await host.check(URN, {}, { ...registration.inputs, storefrontId: 0, accountIdentifier: "" });
    expect(bad.failures.map((f) => f.property).sort()).toEqual(["accountIdentifier", "storefrontId"]);
    expect(bad.failures.every((f) => /; (set|use)/.test(f.reason))).toBe(true);
  });

  it("refuses to take over an existing registration without adopt, with a secret-free message", async () => {
    await configureHost();
    await host.create(URN, (await host.check(URN, {}, base.inputs)).inputs);
    const checked = await host.check(URN, {}, withNewToken());
    let error: unknown;
    try {
      await host.create(URN, checked.inputs);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toContain("Set `adopt: true`");
    expectNoSecretIn((error as Error).message, "the error message");
    expect(await storedCredentials()).toHaveLength(1);
  });

  it("shows an OAuth registration PENDING with its consent URL, then ACTIVE on refresh after consent", async () => {
    await configureHost();
    const registration = await program({ "fixture:sourceId": "src_oauth" });
    expect(registration.inputs.auth).toBeUndefined();
    const checked = await host.check(URN, {}, registration.inputs);
    const created = await host.create(URN, checked.inputs);
    expect(created.outputs.status).toBe("PENDING");
    const url = created.outputs.oauthAuthorizationUrl as string;
    expect(url).toMatch(/^https:\/\//);

    const pending = await host.read(created.id, URN, created.outputs, checked.inputs);
    expect(pending.outputs.oauthAuthorizationUrl).toBe(url);

    const consent = await admin(emulator.current, "POST", "/interchange/oauth/consent", { credentialId: created.id });
    expect(consent.status).toBe(200);
    await configureHost(); // `pulumi refresh` runs in a new provider process
    const active = await host.read(created.id, URN, pending.outputs, checked.inputs);
    expect(active.outputs.status).toBe("ACTIVE");
    expect(active.outputs.oauthAuthorizationUrl).toBeUndefined();
  });

  it("keeps a JWT private key out of the logs, errors and plain outputs", async () => {
    await configureHost();
    const privateKey = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    secretsSeen.push(privateKey, privateKey.split("\n")[1] ?? privateKey);
    const jwt = {
      type: "jwt",
      privateKey,
      issuer: "svc@retail.example",
      subject: "acme-buyer-1",
      keyId: "key-1",
      scope: "ads.write",
      tokenEndpointUrl: "https://auth.retail.example/token",
      audienceUrl: "https://api.retail.example/",
    };
    const inputs = { ...base.inputs, sourceId: "src_jwt", auth: new Secret(jwt) };
    const checked = await host.check(URN, {}, inputs);
    expect(checked.inputs.auth).toEqual(jwt);
    const created = await host.create(URN, checked.inputs);
    expect(created.outputs.auth).toEqual(jwt);
    expectNoSecretIn(JSON.stringify({ ...created.outputs, auth: undefined }), "the outputs other than auth");

    // The same key on the basic-auth source is refused before the register call (the source's row states its
    // authentication type): the message must not echo it.
    let error: unknown;
    try {
      await host.create(URN, (await host.check(URN, {}, { ...inputs, sourceId: "src_basic" })).inputs);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as Error).message).toContain(
      "authenticates with HTTP basic authentication, but auth is a JWT-bearer service account",
    );
    expectNoSecretIn((error as Error).message, "the error message");
    expectNoSecretIn(host.logs(), "the host's logs");
  });
});
