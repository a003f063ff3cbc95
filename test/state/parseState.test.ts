/**
 * The adapters' one parse of a stored state (provider/state.ts): values of a field's type kept exactly as stored,
 * values of another type left out without a word, keys no schema declares passed through, UNKNOWN let through.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { apiCredential } from "../../provider/commercelayer/apiCredential";
import { dataDeliveryCredential } from "../../provider/interchange/dataDeliveryCredential";
import { storefrontSourceCredential } from "../../provider/interchange/storefrontSourceCredential";
import { BugError, UNKNOWN, type ResourceDefinition } from "../../provider/resource";
import { parseState, stateInputs, stateOutputs } from "../../provider/state";

/* eslint-disable @typescript-eslint/no-require-imports */
// The adapter from the build, as the hosts load it (its registry requires the built definitions).
const adapter = require("../../dist/provider/pulumi/adapter") as typeof import("../../provider/pulumi/adapter");
/* eslint-enable @typescript-eslint/no-require-imports */

const SAS = "sv=2024-05-04&sr=c&sp=cwd&sig=parse-state-secret";

/** A data-delivery state as this version stores it. */
const azureState = {
  advertiserId: "12345",
  name: "lld-azure",
  destination: { type: "AZURE_BLOB", storageAccountName: "acct", containerName: "reports", sasToken: SAS },
  waitForProbe: true,
  probeTimeoutSeconds: 120,
  validateOnRefresh: true,
  adopt: false,
  credentialId: "77",
  destinationType: "AZURE_BLOB",
  status: "VALIDATED",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-02T00:00:00.000Z",
};

/** A storefront source credential's checked inputs. */
const storefrontInputs = {
  storefrontId: 101,
  sourceId: "src_apikey",
  accountIdentifier: "acme-buyer-1",
  auth: { type: "api_key", token: "t" },
  adopt: false,
};

/** A definition whose fields have a default, a transform-like normalization and a pipe, to see none re-applied. */
function definitionWith(
  inputs: z.ZodType<object>,
  outputs: z.ZodType<object> = z.object({}),
): ResourceDefinition<object, object> {
  return { ...apiCredential, token: { module: "test", type: `T${Math.random()}` }, inputs, outputs } as never;
}

afterEach(() => vi.restoreAllMocks());

describe("parseState", () => {
  it("keeps a state of the declared types as it is stored, without copying it", () => {
    expect(parseState(dataDeliveryCredential, azureState)).toBe(azureState);
    const storefront = {
      ...storefrontInputs,
      auth: { type: "apiKey", token: "t" },
      credentialId: "c1",
      registeredBy: null,
      sources: [{ storefrontId: 101, storefrontName: "S", sourceId: "src_apikey", sourceName: "API key" }],
      oauth: { authorizationUrl: "https://consent", storefrontId: 101, sourceId: "src_oauth", sourceName: "O" },
      revocation: "manual",
    };
    expect(parseState(storefrontSourceCredential, storefront)).toBe(storefront);
  });

  it("checks types, not check's rules: what the platform answered stays", () => {
    // An Azure destination whose SAS token is not known ("" after a rotation elsewhere), a name longer than check
    // takes, a token lifetime below the input's minimum: all stored by this version from the platform's answers.
    const unknownToken = { ...azureState, destination: { ...azureState.destination, sasToken: "" } };
    expect(parseState(dataDeliveryCredential, unknownToken)).toBe(unknownToken);
    const platform = { name: "n".repeat(1000), expiresIn: 3600, redirectUri: "urn:ietf:wg:oauth:2.0:oob" };
    expect(parseState(apiCredential, platform)).toBe(platform);
  });

  it("applies no default and no normalization a second time", () => {
    const def = definitionWith(
      z.object({
        flag: z.boolean().default(true),
        label: z.string().trim().toLowerCase(),
        count: z.string().pipe(z.coerce.number()),
      }),
    );
    const stored = { label: "  Kept As Stored  ", count: 3 };
    const parsed = parseState(def, stored);
    expect(parsed).toBe(stored);
    expect(parsed).toEqual({ label: "  Kept As Stored  ", count: 3 });
    expect("flag" in parsed).toBe(false);
    // A state without the options written before they existed gets no defaults either: the definitions fall back.
    const { waitForProbe: _w, probeTimeoutSeconds: _p, ...older } = azureState;
    expect(parseState(dataDeliveryCredential, older)).toEqual(older);
  });

  it("leaves out values of another type (an older shape, a hand edit) and keeps every other key", () => {
    const raw = {
      ...azureState,
      probeTimeoutSeconds: "120",
      status: "GONE",
      destination: { type: "AZURE_BLOB", storageAccountName: "acct" },
      sources: "src_apikey",
    };
    const snapshot = structuredClone(raw);
    const parsed = parseState(dataDeliveryCredential, raw);
    const { probeTimeoutSeconds: _p, status: _s, destination: _d, ...rest } = raw;
    expect(parsed).toEqual(rest);
    // `sources` is no field of a data-delivery credential: passed through.
    expect(parsed.sources).toBe("src_apikey");
    expect(raw).toEqual(snapshot);
    // A key present in inputs and outputs has both types: `mode` is an enum in both, `expiresIn` a number.
    expect(parseState(apiCredential, { mode: "staging", expiresIn: "7200", name: "n" })).toEqual({ name: "n" });
    // A stored null where the schema has none (Commerce Layer's unset string) is as unset.
    expect(parseState(apiCredential, { redirectUri: null, reference: "r" })).toEqual({ reference: "r" });
  });

  it("passes through keys no schema declares, a __proto__ key as an own property", () => {
    const raw = JSON.parse('{"credentialId":7,"__proto__":{"polluted":true},"fromNewerVersion":{"a":[1]}}') as Record<
      string,
      unknown
    >;
    const parsed = parseState(dataDeliveryCredential, raw);
    expect(Object.keys(parsed)).toEqual(["__proto__", "fromNewerVersion"]);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(parsed, "__proto__")?.value).toEqual({ polluted: true });
    expect(parsed.fromNewerVersion).toEqual({ a: [1] });
  });

  it("lets UNKNOWN through wherever a value may be (a preview's value not known yet)", () => {
    const raw = {
      ...azureState,
      name: UNKNOWN,
      destination: { type: "AZURE_BLOB", storageAccountName: UNKNOWN, containerName: "c", sasToken: UNKNOWN },
      rotationTriggers: { month: UNKNOWN },
    };
    expect(parseState(dataDeliveryCredential, raw)).toBe(raw);
    expect(parseState(storefrontSourceCredential, { auth: UNKNOWN, sources: [UNKNOWN] })).toEqual({
      auth: UNKNOWN,
      sources: [UNKNOWN],
    });
  });

  it("drops a secret of another shape silently: no error, no log, nowhere in the result", () => {
    const writes = [
      vi.spyOn(console, "log"),
      vi.spyOn(console, "warn"),
      vi.spyOn(console, "error"),
      vi.spyOn(console, "info"),
      vi.spyOn(console, "debug"),
      vi.spyOn(process.stdout, "write"),
      vi.spyOn(process.stderr, "write"),
    ];
    const states = [
      parseState(dataDeliveryCredential, { ...azureState, destination: { type: "AZURE_BLOB", sasToken: SAS } }),
      parseState(storefrontSourceCredential, { auth: SAS, storefrontId: 101 }),
      parseState(storefrontSourceCredential, { auth: { type: "apiKey", token: { value: SAS } } }),
      parseState(apiCredential, { clientSecret: [SAS], clientId: { id: SAS } }),
    ];
    expect(JSON.stringify(states)).not.toContain("parse-state-secret");
    for (const write of writes) expect(write).not.toHaveBeenCalled();
  });

  it("refuses, naming the field, a schema whose stored values have no type to check", () => {
    const def = definitionWith(z.object({ when: z.date() }));
    expect(() => parseState(def, {})).toThrow(BugError);
    expect(() => parseState(def, {})).toThrow(/state field test:T[\d.]+ when has a date schema/);
    const transformed = definitionWith(z.object({ size: z.string().transform((s) => s.length) }));
    expect(() => parseState(transformed, {})).toThrow(/size has a pipe schema/);
  });

  it("finds the fields of a refined or piped inputs object", () => {
    const refined = definitionWith(z.object({ a: z.string() }).refine(() => true));
    expect(parseState(refined, { a: 1, b: 2 })).toEqual({ b: 2 });
    const preprocessed = definitionWith(z.preprocess((v) => v, z.object({ a: z.string() })));
    expect(parseState(preprocessed, { a: 1, b: 2 })).toEqual({ b: 2 });
  });
});

describe("stateInputs and stateOutputs", () => {
  it("split a state into its inputs (with a value) and the rest", () => {
    const state = parseState(dataDeliveryCredential, { ...azureState, rotationTriggers: undefined, extra: 1 });
    expect(stateInputs(dataDeliveryCredential, state)).toEqual({
      advertiserId: "12345",
      name: "lld-azure",
      destination: azureState.destination,
      waitForProbe: true,
      probeTimeoutSeconds: 120,
      validateOnRefresh: true,
      adopt: false,
    });
    expect(stateOutputs(dataDeliveryCredential, state)).toEqual({
      credentialId: "77",
      destinationType: "AZURE_BLOB",
      status: "VALIDATED",
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-02T00:00:00.000Z",
      extra: 1,
    });
  });
});

describe("the adapter parses each stored state once, before the definition sees it", () => {
  const kind = "interchange:StorefrontSourceCredential";
  const news = storefrontInputs;
  const stored = { ...news, credentialId: "c1", status: "ACTIVE", revocation: "manual" };

  it("diffs stored values of another type (a hand edit) as absent, which the definition reads as their default", async () => {
    const noChange = { changes: false, replaces: [], deleteBeforeReplace: false };
    expect(await adapter.diff(kind, "c1", stored, news)).toEqual(noChange);
    // Read raw, "false" would differ from the program's absent (false) marketplaceAccount: a replacement.
    expect(await adapter.diff(kind, "c1", { ...stored, marketplaceAccount: "false" }, news)).toEqual(noChange);
    expect(await adapter.diff(kind, "c1", { ...stored, detectOutOfBandRotation: "yes" }, news)).toEqual(noChange);
    // A value of the declared type still counts.
    expect(await adapter.diff(kind, "c1", { ...stored, marketplaceAccount: true }, news)).toMatchObject({
      replaces: ["marketplaceAccount"],
    });
  });
});
