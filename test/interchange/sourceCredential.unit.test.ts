/**
 * Unit rules of interchange.StorefrontSourceCredential: `check` (every API limit, property paths, a fix in every
 * reason, preview unknowns), `diff` (what updates, what replaces), and the mapping to the register body, which is
 * validated against the vendor's contract.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { UNKNOWN } from "../../provider/resource";
import { parseState } from "../../provider/state";
import {
  registrationBody,
  storefrontSourceCredential as def,
  type StorefrontSourceCredentialInputs,
  type StorefrontSourceCredentialState,
} from "../../provider/interchange/storefrontSourceCredential";
import { registrationSecrets } from "../../provider/interchange/storefronts";
import { assertRequestMatches } from "../support/openapi";

const REGISTER = "/storefronts/{storefrontId}/sources/{sourceId}/credentials";
// Generated per run so no committed string looks like a real credential.
const token = `tok_${randomBytes(24).toString("hex")}`;
const password = randomBytes(18).toString("base64");
const privateKey = generateKeyPairSync("ec", { namedCurve: "P-256" })
  .privateKey.export({ type: "pkcs8", format: "pem" })
  .toString();

const base = { storefrontId: 101, sourceId: "src_apikey", accountIdentifier: "acme-buyer-1" };
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

function failuresOf(news: Record<string, unknown>) {
  return def.check(news).failures;
}

describe("check", () => {
  it.each([
    ["apiKey", { type: "apiKey", token }],
    ["bearer", { type: "bearer", token }],
    ["jwt", jwt],
    ["jwt with algorithm and environment", { ...jwt, algorithm: "RS256", environment: "sandbox" }],
    ["basic", { type: "basic", username: "acme", password }],
    ["basic with an empty password (the API allows it)", { type: "basic", username: "acme", password: "" }],
    ["none", { type: "none" }],
    ["api_key (the platform's name)", { type: "api_key", token }],
    ["apikey (the platform's alias)", { type: "apikey", token }],
    ["{} (the platform's no-auth body)", {}],
  ])("accepts auth %s and defaults adopt to false", (_name, auth) => {
    const result = def.check({ ...base, auth });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({ ...base, auth, adopt: false });
  });

  it("accepts a registration without auth (OAuth sources) and keeps adopt and marketplaceAccount", () => {
    const result = def.check({ ...base, marketplaceAccount: true, adopt: true });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({ ...base, marketplaceAccount: true, adopt: true });
  });

  it.each([
    [{ storefrontId: 0 }, "storefrontId", "at least 1"],
    [{ storefrontId: 1.5 }, "storefrontId", "whole number"],
    [{ storefrontId: "101" }, "storefrontId", "must be a number"],
    [{ storefrontId: undefined }, "storefrontId", "numeric id"],
    [{ sourceId: "" }, "sourceId", "must not be empty"],
    [{ sourceId: undefined }, "sourceId", "non-empty string"],
    [{ accountIdentifier: "" }, "accountIdentifier", "must not be empty"],
    [{ accountIdentifier: "a".repeat(256) }, "accountIdentifier", "at most 255"],
    [{ marketplaceAccount: "yes" }, "marketplaceAccount", "true or false"],
    [{ adopt: 1 }, "adopt", "true or false"],
  ])("rejects %j at %s", (patch, property, reason) => {
    const failures = failuresOf({ ...base, auth: { type: "apiKey", token }, ...patch });
    expect(failures).toHaveLength(1);
    expect(failures[0]?.property).toBe(property);
    expect(failures[0]?.reason).toContain(reason);
    // Every reason says what to do.
    expect(failures[0]?.reason).toMatch(/; (set|use|leave)|true or false/);
  });

  it("accepts an accountIdentifier of exactly 255 characters", () => {
    expect(failuresOf({ ...base, accountIdentifier: "a".repeat(255) })).toEqual([]);
  });

  it.each([
    [{ type: "apiKey", token: "" }, "auth.token", "must not be empty or only whitespace; set it to the API key"],
    [{ type: "bearer" }, "auth.token", "non-empty string"],
    [{ ...jwt, issuer: undefined }, "auth.issuer", "issuer"],
    [{ ...jwt, privateKey: "" }, "auth.privateKey", "PEM private key"],
    [{ ...jwt, tokenEndpointUrl: "not a url" }, "auth.tokenEndpointUrl", "absolute URL"],
    [{ ...jwt, audienceUrl: 5 }, "auth.audienceUrl", "absolute URL"],
    [{ ...jwt, algorithm: "HS256" }, "auth.algorithm", '"ES256" or "RS256"'],
    [{ type: "basic", password }, "auth.username", "user name"],
    [{ type: "basic", username: "acme" }, "auth.password", "password"],
    [{ type: "oauth" }, "auth.type", "leave auth out for OAuth sources"],
    [{ token }, "auth", 'set auth.type ("api_key", "jwt" or "basic")'],
    ["a string", "auth", "must be an object"],
  ])("rejects auth %# at %s", (auth, property, reason) => {
    const failures = failuresOf({ ...base, auth });
    expect(failures.map((f) => f.property)).toEqual([property]);
    expect(failures[0]?.reason).toContain(reason);
  });

  it("rejects fields another auth type takes, naming the field but never its value", () => {
    const failures = failuresOf({ ...base, auth: { type: "basic", username: "acme", password, token } });
    expect(failures).toEqual([
      {
        property: "auth",
        reason: 'auth of type "basic" does not take token; remove it (fields: type, username, password)',
      },
    ]);
  });

  it("never puts a secret value into a reason", () => {
    const bad = [
      { type: "apiKey", token, extra: token },
      { ...jwt, tokenEndpointUrl: privateKey },
      { type: "basic", username: password, password: 42 },
    ];
    for (const auth of bad) {
      const failures = failuresOf({ ...base, auth });
      expect(failures.length).toBeGreaterThan(0);
      const text = JSON.stringify(failures);
      expect(text).not.toContain(token);
      expect(text).not.toContain(privateKey.split("\n")[1]);
      expect(text).not.toContain(password);
    }
  });

  it.each([
    ["storefrontId", { ...base, storefrontId: UNKNOWN, auth: { type: "apiKey", token } }],
    ["sourceId", { ...base, sourceId: UNKNOWN }],
    ["accountIdentifier", { ...base, accountIdentifier: UNKNOWN }],
    ["the whole auth", { ...base, auth: UNKNOWN }],
    ["auth.token", { ...base, auth: { type: "apiKey", token: UNKNOWN } }],
    ["auth.type", { ...base, auth: { type: UNKNOWN, token } }],
    ["jwt auth.audienceUrl", { ...base, auth: { ...jwt, audienceUrl: UNKNOWN } }],
  ])("lets a preview-unknown %s pass and keeps it", (_name, news) => {
    const result = def.check(news);
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({ ...news, adopt: false });
  });

  it("still reports known mistakes next to an unknown value", () => {
    const failures = failuresOf({ ...base, storefrontId: UNKNOWN, accountIdentifier: "" });
    expect(failures.map((f) => f.property)).toEqual(["accountIdentifier"]);
  });
});

describe("check refuses what the API would misread (issue 11, items 10 and 11)", () => {
  const valid = { ...base, auth: { type: "apiKey", token } };

  it.each([
    ["accountIdentifer", "accountIdentifier"],
    ["SourceId", "sourceId"],
    ["storefrontid", "storefrontId"],
    ["marketplaceAcount", "marketplaceAccount"],
  ])("names the unknown key %s and suggests %s", (key, meant) => {
    const failures = failuresOf({ ...valid, [key]: "x" });
    expect(failures).toEqual([
      {
        property: key,
        reason: `"${key}" is not an input of this resource; did you mean ${meant}? Rename it (input names are case-sensitive)`,
      },
    ]);
  });

  it("lists the inputs for an unknown key that is close to none, even when its value is unknown", () => {
    const failures = failuresOf({ ...valid, rotationToken: UNKNOWN });
    expect(failures).toEqual([
      {
        property: "rotationToken",
        reason:
          '"rotationToken" is not an input of this resource; remove it (inputs: storefrontId, sourceId, ' +
          "accountIdentifier, auth, marketplaceAccount, adopt, rotationTriggers, detectOutOfBandRotation, account)",
      },
    ]);
  });

  it("does not count the adapter's __provider as an input", () => {
    const result = def.check({ ...valid, __provider: "exports.handler = ..." });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({ ...valid, adopt: false });
  });

  it.each([
    [{ sourceId: "   " }, "sourceId"],
    [{ accountIdentifier: " \t\n" }, "accountIdentifier"],
    [{ auth: { type: "apiKey", token: "   " } }, "auth.token"],
    [{ auth: { type: "basic", username: "  ", password } }, "auth.username"],
    [{ auth: { ...jwt, issuer: "\t" } }, "auth.issuer"],
    [{ auth: { ...jwt, privateKey: "\n\n" } }, "auth.privateKey"],
  ])("rejects a whitespace-only value %j at %s", (patch, property) => {
    const failures = failuresOf({ ...valid, ...patch });
    expect(failures.map((f) => f.property)).toEqual([property]);
    expect(failures[0]?.reason).toContain(`${property} must not be empty or only whitespace; set it to`);
  });

  it.each([
    "javascript:alert(1)",
    "data:text/html,x",
    "file:///etc/passwd",
    "http://auth.retail.example/token",
    "ftp://auth.retail.example/token",
    " https://auth.retail.example/token",
    "/relative/token",
    `https://auth.retail.example/${"t".repeat(2048)}`,
  ])("rejects the token endpoint %j", (tokenEndpointUrl) => {
    const failures = failuresOf({ ...base, auth: { ...jwt, tokenEndpointUrl } });
    expect(failures.map((f) => f.property)).toEqual(["auth.tokenEndpointUrl"]);
    expect(failures[0]?.reason).toMatch(
      /^auth\.tokenEndpointUrl must be (an absolute URL with https:\/\/|at most 2048)/,
    );
  });

  it.each(["http://127.0.0.1:8080/token", "http://localhost/token", "http://[::1]:9000/token", "https://x.example"])(
    "accepts the token endpoint %j (http only on loopback)",
    (tokenEndpointUrl) => {
      expect(failuresOf({ ...base, auth: { ...jwt, tokenEndpointUrl, audienceUrl: tokenEndpointUrl } })).toEqual([]);
    },
  );

  it("rejects a javascript: audience too", () => {
    const failures = failuresOf({ ...base, auth: { ...jwt, audienceUrl: "javascript:alert(1)" } });
    expect(failures.map((f) => f.property)).toEqual(["auth.audienceUrl"]);
  });

  it.each([".", ".."])("rejects the dot segment %j as sourceId", (sourceId) => {
    const failures = failuresOf({ ...valid, sourceId });
    expect(failures).toEqual([
      {
        property: "sourceId",
        reason:
          'sourceId cannot be "." or ".." (as a URL path segment it would address another route); set it to the ' +
          "inventory source's id within the storefront",
      },
    ]);
  });

  it("accepts ids that only contain dots, slashes or escapes (the client encodes them)", () => {
    for (const sourceId of ["a..b", "...", "a/b", "%2F", "x?y#z"])
      expect(failuresOf({ ...valid, sourceId })).toEqual([]);
  });

  it("bounds sourceId at 255 characters, so a 1 MB value fails at check", () => {
    expect(failuresOf({ ...valid, sourceId: "s".repeat(255) })).toEqual([]);
    for (const sourceId of ["s".repeat(256), "s".repeat(1024 * 1024)]) {
      const failures = failuresOf({ ...valid, sourceId });
      expect(failures.map((f) => f.property)).toEqual(["sourceId"]);
      expect(failures[0]?.reason).toContain("sourceId must be at most 255 characters");
    }
    const failures = failuresOf({ ...valid, accountIdentifier: "a".repeat(1024 * 1024) });
    expect(failures.map((f) => f.property)).toEqual(["accountIdentifier"]);
  });
});

describe("diff", () => {
  const olds: StorefrontSourceCredentialState = {
    ...base,
    auth: { type: "apiKey", token },
    adopt: false,
    credentialId: "7",
    status: "ACTIVE",
    connected: true,
    revocation: "manual",
  };
  const news = (patch: Record<string, unknown>) =>
    ({ ...base, auth: { type: "apiKey", token }, adopt: false, ...patch }) as StorefrontSourceCredentialInputs;

  it("reports no change when only outputs differ from the inputs", () => {
    expect(def.diff({ ...olds, status: "PENDING", connected: false }, news({}))).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
      changedKeys: [],
    });
  });

  it("treats an auth change (rotation) as an update without replacement", () => {
    const result = def.diff(olds, news({ auth: { type: "apiKey", token: `${token}-2` } }));
    expect(result).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false, changedKeys: ["auth"] });
  });

  it("treats a change of auth type as an update too", () => {
    const result = def.diff(olds, news({ auth: { type: "basic", username: "acme", password: token } }));
    expect(result.replaces).toEqual([]);
    expect(result.changedKeys).toEqual(["auth"]);
  });

  it.each([
    [
      { type: "apiKey", token },
      { type: "api_key", token },
    ],
    [
      { type: "api_key", token },
      { type: "bearer", token },
    ],
    [
      { type: "apikey", token },
      { type: "apiKey", token },
    ],
    [{ type: "none" }, {}],
  ])("reports no change when auth %j is only spelt %j", (before, after) => {
    const result = def.diff(parseState(def, { ...olds, auth: before }), news({ auth: after }));
    expect(result).toEqual({ changes: false, replaces: [], deleteBeforeReplace: false, changedKeys: [] });
  });

  it("treats a rotationTriggers change as an update, and an empty map as none", () => {
    expect(def.diff(olds, news({ rotationTriggers: { keyVersion: "2" } })).changedKeys).toEqual(["rotationTriggers"]);
    expect(def.diff(olds, news({ rotationTriggers: {} })).changes).toBe(false);
    const triggered = { ...olds, rotationTriggers: { keyVersion: "2" } };
    expect(def.diff(triggered, news({ rotationTriggers: { keyVersion: "3" } }))).toMatchObject({
      replaces: [],
      changedKeys: ["rotationTriggers"],
    });
  });

  it("compares an absent detectOutOfBandRotation as true", () => {
    expect(def.diff(olds, news({ detectOutOfBandRotation: true })).changes).toBe(false);
    expect(def.diff(olds, news({ detectOutOfBandRotation: false })).changedKeys).toEqual(["detectOutOfBandRotation"]);
  });

  it("treats an adopt change as an update that replaces nothing", () => {
    expect(def.diff(olds, news({ adopt: true }))).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      changedKeys: ["adopt"],
    });
  });

  it("compares an absent adopt/marketplaceAccount as false", () => {
    const { adopt: _adopt, ...withoutAdopt } = olds;
    expect(def.diff(withoutAdopt, news({ marketplaceAccount: false })).changes).toBe(false);
  });

  it.each([
    ["storefrontId", 102],
    ["sourceId", "src_video"],
    ["accountIdentifier", "acme-buyer-2"],
    ["marketplaceAccount", true],
  ])("replaces on %s (create before delete)", (key, value) => {
    expect(def.diff(olds, news({ [key]: value }))).toEqual({
      changes: true,
      replaces: [key],
      deleteBeforeReplace: false,
      changedKeys: [key],
    });
  });

  it("replaces when a replacing input is unknown at preview", () => {
    expect(def.diff(olds, news({ storefrontId: UNKNOWN })).replaces).toEqual(["storefrontId"]);
  });

  it("declares the same replace keys as diff uses", () => {
    expect([...def.replaceOn].sort()).toEqual([
      "account",
      "accountIdentifier",
      "marketplaceAccount",
      "sourceId",
      "storefrontId",
    ]);
  });
});

describe("register body", () => {
  const body = (patch: Record<string, unknown>) => {
    const checked = def.check({ ...base, ...patch });
    expect(checked.failures).toEqual([]);
    const b = registrationBody(checked.inputs);
    assertRequestMatches("interchange", "POST", REGISTER, b);
    return b;
  };

  it("maps apiKey to the API's api_key", () => {
    expect(body({ auth: { type: "apiKey", token } })).toEqual({
      accountIdentifier: "acme-buyer-1",
      auth: { type: "api_key", token },
    });
  });

  it("keeps bearer as bearer", () => {
    expect(body({ auth: { type: "bearer", token } })).toEqual({
      accountIdentifier: "acme-buyer-1",
      auth: { type: "bearer", token },
    });
  });

  it("sends every jwt field, and algorithm/environment only when set", () => {
    expect(body({ auth: jwt })).toEqual({ accountIdentifier: "acme-buyer-1", auth: jwt });
    const full = { ...jwt, algorithm: "ES256", environment: "production" };
    expect(body({ auth: full })).toEqual({ accountIdentifier: "acme-buyer-1", auth: full });
  });

  it("sends basic as is", () => {
    const auth = { type: "basic", username: "acme", password };
    expect(body({ auth })).toEqual({ accountIdentifier: "acme-buyer-1", auth });
  });

  it("sends none as {}", () => {
    expect(body({ auth: { type: "none" } })).toEqual({ accountIdentifier: "acme-buyer-1", auth: {} });
  });

  it("omits auth for OAuth sources", () => {
    const b = body({});
    expect(b).toEqual({ accountIdentifier: "acme-buyer-1" });
    expect("auth" in b).toBe(false);
  });

  it("sends marketplaceAccount only when true", () => {
    expect(body({ marketplaceAccount: true })).toEqual({ accountIdentifier: "acme-buyer-1", marketplaceAccount: true });
    expect(body({ marketplaceAccount: false })).toEqual({ accountIdentifier: "acme-buyer-1" });
  });

  it("sends the platform's own spellings as written: api_key, apikey, and {} for a source without a secret", () => {
    expect(body({ auth: { type: "api_key", token } }).auth).toEqual({ type: "api_key", token });
    expect(body({ auth: { type: "apikey", token } }).auth).toEqual({ type: "apikey", token });
    expect(body({ auth: {} }).auth).toEqual({});
  });

  it("never sends adopt, rotationTriggers or detectOutOfBandRotation", () => {
    const b = body({ adopt: true, rotationTriggers: { keyVersion: "2" }, detectOutOfBandRotation: false });
    expect(Object.keys(b)).toEqual(["accountIdentifier"]);
  });

  it("lists every secret of a body for redaction", () => {
    expect(registrationSecrets(body({ auth: { type: "apiKey", token } }))).toEqual([token]);
    expect(registrationSecrets(body({ auth: jwt }))).toEqual([privateKey]);
    expect(registrationSecrets(body({ auth: { type: "basic", username: "acme", password } }))).toEqual([password]);
    expect(registrationSecrets(body({}))).toEqual([]);
  });
});

describe("check with the previous inputs: a marketplaceAccount change of one registration", () => {
  const previous = { ...base, auth: { type: "apiKey", token }, adopt: false };

  it("is refused at marketplaceAccount with the ways out, when account and source stay", () => {
    const failures = def.check({ ...previous, marketplaceAccount: true }, previous).failures;
    expect(failures.map((f) => f.property)).toEqual(["marketplaceAccount"]);
    expect(failures[0]?.reason).toContain("cannot change from false to true for the same account and source");
    expect(failures[0]?.reason).toContain("Set marketplaceAccount back to false");
    expect(failures[0]?.reason).toContain("use another accountIdentifier");
    expect(failures[0]?.reason).toContain("revoke the registration in the Interchange web app, run `pulumi refresh`");
    const back = def.check({ ...previous }, { ...previous, marketplaceAccount: true }).failures;
    expect(back[0]?.reason).toContain("cannot change from true to false");
  });

  it("passes when another account or source is registered too (a new registration), or nothing changes", () => {
    const moved = { ...previous, accountIdentifier: "acme-buyer-2", marketplaceAccount: true };
    expect(def.check(moved, previous).failures).toEqual([]);
    expect(def.check({ ...previous, marketplaceAccount: false }, previous).failures).toEqual([]);
    expect(def.check({ ...previous, marketplaceAccount: true }, {}).failures).toEqual([]);
    expect(def.check({ ...previous, marketplaceAccount: UNKNOWN }, previous).failures).toEqual([]);
  });
});

describe("definition facts", () => {
  it("marks the whole auth input secret and nothing else", () => {
    expect(def.secretInputs).toEqual(["auth"]);
    expect(def.secretOutputs).toEqual([]);
    expect(def.token).toEqual({ module: "interchange", type: "StorefrontSourceCredential" });
  });

  it("describes every input and output field", () => {
    for (const schema of [def.inputs, def.outputs]) {
      const shape = (schema as unknown as { shape: Record<string, { description?: string }> }).shape;
      for (const [key, field] of Object.entries(shape)) expect(field.description, key).toBeTruthy();
    }
  });
});
