/**
 * Platform text that reaches the engine (the `statusError` output, partial-failure reasons, API error messages) is
 * redacted against every secret of the resource and of the provider configuration, and capped, through Pulumi's real
 * dynamic-provider host with serialized shims taken from real program runs. The secrets are generated per run and
 * flow in as the engine sends them (secret inputs, secret stack config); each test first makes sure the platform
 * really did quote them, then that no form of them reached outputs, messages or the host's logs.
 * Needs a build (`npx tsc -p tsconfig.json`).
 */
import { randomBytes } from "node:crypto";
import type { ServerResponse } from "node:http";
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
import { prepareProject, type PulumiProject } from "../../engine/project";
import { reveal, Secret } from "../../engine/secrets";
import { defaultCommerceLayerSeed } from "../../emulator/commercelayer";
import { defaultInterchangeSeed } from "../../emulator/seed";
import { KEYS, requestJson, useEmulator } from "../support/emulator";
import { generatedPrivateKey, sendJson, startScriptedServer, type ScriptedServer } from "../http/support";
import { sasToken } from "./dataDeliverySupport";

const DELIVERY = "pulumi-nodejs:dynamic/interchange:DataDeliveryCredential";
const SOURCE = "pulumi-nodejs:dynamic/interchange:StorefrontSourceCredential";
const API_CREDENTIAL = "pulumi-nodejs:dynamic/commercelayer:ApiCredential";
const PROGRAMS = join(__dirname, "..", "fixtures", "programs");

// The provisioning client's secret is generated too: it is the provider configuration's secret in these tests.
const clSecret = `cls_${randomBytes(24).toString("base64url")}`;
const clUser = defaultCommerceLayerSeed.users[0]!;
const emulator = useEmulator({
  interchangeRateLimitPerMinute: 0,
  seed: {
    interchange: { ...defaultInterchangeSeed, settings: { probeDelayMs: 20 } },
    commercelayer: { ...defaultCommerceLayerSeed, users: [{ ...clUser, clientSecret: clSecret }] },
  },
});

let project: PulumiProject;
let host: DynamicProviderHost;
let azure: Registration;
let source: Registration;
let apiCredential: Registration;

beforeAll(async () => {
  project = await prepareProject();
  const [azureRun, sourceRun, clRun] = await Promise.all([
    runProgram({
      project,
      program: join(PROGRAMS, "dataDelivery.js"),
      config: {
        "fixture:type": "AZURE_BLOB",
        "fixture:name": "lld-azure",
        "fixture:probeTimeoutSeconds": "10",
        "fixture:sasToken": new Secret(sasToken()),
      },
    }),
    runProgram({ project, program: join(PROGRAMS, "sourceCredential.js"), config: {} }),
    runProgram({ project, program: join(PROGRAMS, "commercelayer.js"), config: {} }),
  ]);
  azure = azureRun.registrations.find((r) => r.type === DELIVERY) as Registration;
  source = sourceRun.registrations.find((r) => r.type === SOURCE) as Registration;
  apiCredential = clRun.registrations.find((r) => r.type === API_CREDENTIAL) as Registration;
  // A call that hangs (the ~80 KB message) fails at this deadline instead of the default two minutes.
  host = await startDynamicProviderHost(project, { callTimeoutMs: 20_000 });
  await host.configure({
    "interchange:apiKey": new Secret(KEYS.acme),
    "interchange:baseUrl": emulator.current.interchangeUrl,
    "commercelayer:clientId": clUser.clientId,
    "commercelayer:clientSecret": new Secret(clSecret),
    "commercelayer:authUrl": emulator.current.commerceLayerAuthUrl,
    "commercelayer:baseUrl": emulator.current.commerceLayerApiUrl,
    "platform-credentials:httpMaxRetries": "0",
  });
}, 60_000);

afterAll(async () => {
  await host?.close();
  await project?.cleanup();
});

/** Check then Create, as the engine does; resolves with what Create threw. */
async function createFails(type: string, name: string, inputs: PropertyMap): Promise<unknown> {
  const checked = await host.check(urn(type, name), {}, inputs);
  expect(checked.failures).toEqual([]);
  return host.create(urn(type, name), checked.inputs).then(
    () => undefined,
    (e: unknown) => e,
  );
}

/** The forms a platform may quote a value in. */
function formsOf(value: string): string[] {
  const html = value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
  const forms = [
    value,
    JSON.stringify(value).slice(1, -1),
    encodeURIComponent(value),
    new URLSearchParams({ v: value }).toString().slice(2),
    html.replace(/'/g, "&#39;"),
  ];
  try {
    forms.push(decodeURIComponent(value));
  } catch {
    // not encoded
  }
  return [...new Set(forms)];
}

/** Every form of every secret found in `text`, by label; `minLength` skips forms a short secret shares with words. */
function leaks(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets).flatMap(([label, secret]) =>
    formsOf(secret)
      .filter((form) =>
        new RegExp(`(?<![A-Za-z0-9])${form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9])`).test(text),
      )
      .map((form) => `${label} as ${JSON.stringify(form)}`),
  );
}

const withoutSecretInputs = (outputs: PropertyMap): PropertyMap => {
  const { destination: _destination, auth: _auth, __provider: _provider, ...rest } = outputs;
  return rest;
};

describe("statusError and probe reasons (issue 11, item 6)", () => {
  it("a FAILED Azure probe quoting the blob URL with its SAS query is redacted in outputs, reasons and logs", async () => {
    const expired = sasToken({ se: "2020-01-01T00:00:00Z" });
    const signature = new URLSearchParams(expired).get("sig") as string;
    const destination = reveal<Record<string, unknown>>(azure.inputs["destination"]);
    const inputs = { ...azure.inputs, destination: { ...destination, sasToken: new Secret(expired) } };
    const err = await createFails(DELIVERY, "expired", inputs);
    expect(err).toBeInstanceOf(PartialFailureError);
    const failure = err as PartialFailureError;

    // The platform's text did carry the token: the emulator stores it as the probe reported it.
    const state = (await requestJson(`${emulator.current.adminUrl}/state`)).body as {
      interchange: { advertisers: Array<{ id: string; credentials: Array<{ name: string; statusError?: string }> }> };
    };
    const stored = state.interchange.advertisers.find((a) => a.id === "12345")?.credentials;
    expect(stored?.find((c) => c.name === "lld-azure")?.statusError).toContain(`?${expired} (403)`);

    const redacted =
      "Azure SAS token expired at 2020-01-01T00:00:00.000Z. Probe request: PUT " +
      "https://acmereports.blob.core.windows.net/lld/scope3-probe?[REDACTED] (403).";
    expect(failure.id).toBe("12345/lld-azure");
    expect(failure.outputs["status"]).toBe("FAILED");
    expect(failure.outputs["statusError"]).toBe(redacted);
    expect(failure.reasons).toEqual([expect.stringContaining(`FAILED: ${redacted} Renew the SAS token`)]);
    expect(failure.message).toBe(failure.reasons[0]);

    // Refresh re-validates: the fresh statusError is redacted against the token in state.
    const read = await host.read(failure.id, urn(DELIVERY, "expired"), failure.outputs);
    expect(read.outputs["statusError"]).toBe(redacted);

    const secrets = { expired, signature, decodedSignature: decodeURIComponent(signature) };
    expect(leaks(JSON.stringify(withoutSecretInputs(failure.outputs)), secrets)).toEqual([]);
    expect(leaks(JSON.stringify(withoutSecretInputs(read.outputs)), secrets)).toEqual([]);
    expect(leaks(`${failure.message}\n${failure.reasons.join("\n")}`, secrets)).toEqual([]);
    expect(leaks(host.logs(), secrets)).toEqual([]);
    await host.delete(failure.id, urn(DELIVERY, "expired"), read.outputs);
  });
});

describe("every leaf of a secret input, every form, every length (issue 11, item 8)", () => {
  const username = "ops"; // shorter than any redaction threshold a name-length rule would pick
  const password = `p&ss<w>"rd'/+ ${randomBytes(9).toString("base64url")}`;
  const issuer = `svc-${randomBytes(6).toString("hex")}@acme-iam.example`;
  const keyId = `kid/${randomBytes(6).toString("hex")}+1`;
  const privateKey = generatedPrivateKey();

  /** A 400 on the registration POST whose message quotes `text`, as a platform echoing the request would. */
  function echoOnRegister(sourceId: string, text: string): void {
    emulator.current.addFault({
      method: "POST",
      path: `/api/v2/buyer/storefronts/101/sources/${sourceId}/credentials`,
      status: 400,
      code: "VALIDATION_ERROR",
      message: text,
    });
  }

  it("basic auth: a 3-character username and a password echoed exact, JSON, URI, form, HTML-escaped and decoded", async () => {
    const html = password.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    const echoed = [
      `user ${username}`,
      `exact ${password}`,
      `json "${JSON.stringify(password).slice(1, -1)}"`,
      `uri ${encodeURIComponent(password)}`,
      `form password=${new URLSearchParams({ p: password }).toString().slice(2)}&user=${username}`,
      `html <b>${html.replace(/"/g, "&quot;").replace(/'/g, "&#39;")}</b>`,
      `decoded ${decodeURIComponent(encodeURIComponent(password).replace(/%2B/g, "+"))}`,
    ].join("; ");
    echoOnRegister("src_basic", `Rejected ${echoed}`);
    const err = await createFails(SOURCE, "basic", {
      ...source.inputs,
      sourceId: "src_basic",
      auth: new Secret({ type: "basic", username, password }),
    });
    expect(err).toBeInstanceOf(ProviderError);
    const message = (err as Error).message;
    expect(message).toContain(
      '400 VALIDATION_ERROR: Rejected user [REDACTED]; exact [REDACTED]; json "[REDACTED]"; uri [REDACTED]; ' +
        "form password=[REDACTED]&user=[REDACTED]; html <b>[REDACTED]</b>; decoded [REDACTED]",
    );
    expect(leaks(message, { username, password })).toEqual([]);
    expect(leaks(host.logs(), { username, password })).toEqual([]);
  });

  it("jwt auth: issuer, keyId and the private key (whole and line by line) are redacted, not only the key", async () => {
    const line = privateKey.split("\n")[2] as string;
    echoOnRegister(
      "src_jwt",
      `Signature check failed for iss=${issuer} kid=${encodeURIComponent(keyId)} (${keyId}); key line ${line}; ` +
        `key ${JSON.stringify(privateKey)}`,
    );
    const err = await createFails(SOURCE, "jwt", {
      ...source.inputs,
      sourceId: "src_jwt",
      auth: new Secret({
        type: "jwt",
        privateKey,
        issuer,
        subject: "sync-bot",
        keyId,
        scope: "inventory.write",
        tokenEndpointUrl: "https://auth.source.example/token",
        audienceUrl: "https://api.source.example/",
      }),
    });
    expect(err).toBeInstanceOf(ProviderError);
    const message = (err as Error).message;
    expect(message).toContain(
      "400 VALIDATION_ERROR: Signature check failed for iss=[REDACTED] kid=[REDACTED] ([REDACTED]); " +
        'key line [REDACTED]; key "[REDACTED]"',
    );
    expect(leaks(message, { issuer, keyId, privateKey, line })).toEqual([]);
    expect(leaks(host.logs(), { issuer, keyId, privateKey, line })).toEqual([]);
  });

  it("the provider configuration's Commerce Layer client secret is redacted from an API error it was not sent with", async () => {
    emulator.current.addFault({
      method: "POST",
      path: "/api/api_credentials",
      status: 422,
      code: "VALIDATION_ERROR",
      message: `Provisioning client ${clUser.clientId} (secret ${clSecret}) may not create credentials`,
    });
    const err = await createFails(API_CREDENTIAL, "erp", apiCredential.inputs);
    expect(err).toBeInstanceOf(ProviderError);
    const message = (err as Error).message;
    expect(message).toContain(
      `422 VALIDATION_ERROR: Provisioning client ${clUser.clientId} (secret [REDACTED]) may not create credentials`,
    );
    expect(leaks(`${message}\n${host.logs()}`, { clSecret })).toEqual([]);
  });
});

describe("platform text of ~80 KB (issue 11, item 9)", () => {
  it("a ~80 KB API error message: Create answers at once with the message capped at 2 KB", async () => {
    emulator.current.addFault({
      method: "PUT",
      path: "/api/v2/buyer/advertisers/12345",
      status: 400,
      code: "VALIDATION_ERROR",
      message: "x".repeat(80_000),
    });
    const startedAt = performance.now();
    const inputs = { ...azure.inputs, name: "lld-huge-error" };
    const err = await createFails(DELIVERY, "huge-error", inputs);
    expect(performance.now() - startedAt).toBeLessThan(5_000);
    expect(err).toBeInstanceOf(ProviderError);
    expect((err as ProviderError).method).toBe("Create");
    const message = (err as Error).message;
    expect(message).toContain(
      `PUT /api/v2/buyer/advertisers/12345 failed: 400 VALIDATION_ERROR: ${"x".repeat(2018)} [… 77982 more characters cut].`,
    );
    expect(message.length).toBeLessThan(2_600);
  });

  describe("a ~80 KB probe failure quoting the SAS token across the cut", () => {
    let scripted: ScriptedServer;
    let scriptedHost: DynamicProviderHost;
    const sas = sasToken();
    const url = "PUT https://acmereports.blob.core.windows.net/lld/scope3-probe?";
    // The token starts before the 2 KB cut and ends after it: only redacting first keeps all of it out.
    const statusError = `${"x".repeat(1957 - url.length)}${url}${sas} ${"y".repeat(80_000)}`;

    beforeAll(async () => {
      let credentials: unknown[] = [];
      const advertiser = (res: ServerResponse) =>
        sendJson(res, 200, { data: { id: "12345", dataDelivery: { credentials } }, error: null });
      scripted = await startScriptedServer((req, res) => {
        if (req.url === "/api/v2/buyer/advertisers/12345" && req.method === "PUT") {
          const body = JSON.parse(req.body) as {
            dataDelivery: { credentials: Array<{ name: string; config: object }> };
          };
          const now = new Date().toISOString();
          credentials = body.dataDelivery.credentials.map((entry) => {
            const { auth: _auth, ...config } = entry.config as Record<string, unknown>;
            return {
              credentialId: "7001",
              name: entry.name,
              destinationType: config["type"],
              config,
              status: "FAILED",
              statusError,
              createdAt: now,
              updatedAt: now,
            };
          });
          return advertiser(res);
        }
        if (req.url === "/api/v2/buyer/advertisers/12345" && req.method === "GET") return advertiser(res);
        return sendJson(res, 404, { data: null, error: { code: "NOT_FOUND", message: "not scripted" } });
      });
      scriptedHost = await startDynamicProviderHost(project, { callTimeoutMs: 20_000 });
      await scriptedHost.configure({
        "interchange:apiKey": new Secret(KEYS.acme),
        "interchange:baseUrl": `${scripted.origin}/api/v2/buyer`,
        "platform-credentials:httpMaxRetries": "0",
      });
    }, 30_000);

    afterAll(async () => {
      await scriptedHost?.close();
      await scripted?.close();
    });

    it("Create answers at once with a partial failure whose statusError and reason are redacted, then capped", async () => {
      const destination = reveal<Record<string, unknown>>(azure.inputs["destination"]);
      const inputs = { ...azure.inputs, destination: { ...destination, sasToken: new Secret(sas) } };
      const checked = await scriptedHost.check(urn(DELIVERY, "huge-probe"), {}, inputs);
      const startedAt = performance.now();
      const err = await scriptedHost.create(urn(DELIVERY, "huge-probe"), checked.inputs).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(performance.now() - startedAt).toBeLessThan(5_000);
      expect(err).toBeInstanceOf(PartialFailureError);
      const failure = err as PartialFailureError;
      const capped = `${"x".repeat(1957 - url.length)}${url}[REDACTED] ${"y".repeat(50)} [… 79950 more characters cut]`;
      expect(failure.outputs["statusError"]).toBe(capped);
      expect(failure.reasons).toEqual([expect.stringContaining(`FAILED: ${capped} Fix access to the destination`)]);
      expect(failure.message.length).toBeLessThan(2_600);
      const secrets = { sas, signature: new URLSearchParams(sas).get("sig") as string };
      expect(leaks(JSON.stringify(withoutSecretInputs(failure.outputs)), secrets)).toEqual([]);
      expect(leaks(failure.message, secrets)).toEqual([]);
      expect(leaks(scriptedHost.logs(), secrets)).toEqual([]);
    });
  });
});
