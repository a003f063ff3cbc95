/**
 * Ids in request paths (issue 11, item 11): every id the clients put into a URL is exactly one path segment, so no
 * id can change the route. A scripted server records the request target exactly as it arrived; ids made of `/`,
 * `..`, `%2F`, `?` and `#` must arrive percent-encoded inside their own segment, and `.` or `..` (which every URL
 * parser resolves, encoded or not) must be refused before any request is sent.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { retrieveApiCredential, deleteApiCredential } from "../../provider/commercelayer/apiCredentials";
import { resolveSettings } from "../../provider/config";
import { ProviderContext } from "../../provider/context";
import { HttpClient } from "../../provider/http";
import { pathSegment } from "../../provider/http/path";
import { getAdvertiser, validateDataDeliveryCredential } from "../../provider/interchange/advertisers";
import { getStorefront, registerSourceCredential } from "../../provider/interchange/storefronts";
import { RefusedError } from "../../provider/resource";
import { sendJson, useScriptedServer } from "./support";

const server = useScriptedServer();
const notFound = { data: null, error: { code: "NOT_FOUND", message: "Not found" } };

beforeEach(() => {
  // A 404 is never retried: one request per call, and the test reads the path it arrived on.
  server.script((_req, res) => sendJson(res, 404, notFound));
});

function interchange(): ProviderContext {
  const values: Record<string, string> = {
    "interchange:apiKey": "scope3_paths_test",
    "interchange:baseUrl": `${server.origin}/api/v2/buyer`,
    "platform-credentials:httpMaxRetries": "0",
  };
  return new ProviderContext(resolveSettings((key) => values[key], {}));
}

function commerceLayer(): HttpClient {
  return new HttpClient({
    service: "Commerce Layer",
    baseUrl: `${server.origin}/api`,
    format: "jsonapi",
    auth: { token: () => "cl-paths-test" },
    retry: { maxRetries: 0 },
  });
}

/** The request target (path and query) of the one request the call made; the call itself fails with the 404. */
async function targetOf(call: () => Promise<unknown>): Promise<string> {
  await call().catch(() => undefined);
  expect(server.requests).toHaveLength(1);
  return server.requests[0]!.url;
}

const HOSTILE = "a/../b%2F?c=1#d";
const HOSTILE_SEGMENT = "a%2F..%2Fb%252F%3Fc%3D1%23d";

describe("an id with /, .., %2F, ? and # stays one encoded path segment", () => {
  it("sourceId of a registration", async () => {
    const target = await targetOf(() =>
      registerSourceCredential(interchange(), 101, HOSTILE, { accountIdentifier: "acct" }),
    );
    expect(target).toBe(`/api/v2/buyer/storefronts/101/sources/${HOSTILE_SEGMENT}/credentials`);
  });

  it("advertiserId of a read", async () => {
    const target = await targetOf(() => getAdvertiser(interchange(), HOSTILE));
    expect(target).toBe(`/api/v2/buyer/advertisers/${HOSTILE_SEGMENT}`);
  });

  it("advertiserId and name of a validate call", async () => {
    const target = await targetOf(() => validateDataDeliveryCredential(interchange(), HOSTILE, "../x?#"));
    expect(target).toBe(`/api/v2/buyer/advertisers/${HOSTILE_SEGMENT}/data-delivery-credentials/..%2Fx%3F%23/validate`);
  });

  it("a Commerce Layer credential id, with the query the client adds kept apart", async () => {
    const target = await targetOf(() => retrieveApiCredential(commerceLayer(), HOSTILE));
    expect(target).toBe(`/api/api_credentials/${HOSTILE_SEGMENT}?include=organization%2Crole`);
  });

  it("dots inside a longer id are sent as they are", async () => {
    const target = await targetOf(() => getAdvertiser(interchange(), "a..b"));
    expect(target).toBe("/api/v2/buyer/advertisers/a..b");
  });
});

describe("an id that is '.', '..' or empty is refused before any request", () => {
  const calls: [string, (id: string) => Promise<unknown>][] = [
    ["getAdvertiser", (id) => getAdvertiser(interchange(), id)],
    ["validateDataDeliveryCredential (advertiserId)", (id) => validateDataDeliveryCredential(interchange(), id, "n")],
    ["validateDataDeliveryCredential (name)", (id) => validateDataDeliveryCredential(interchange(), "12345", id)],
    ["registerSourceCredential", (id) => registerSourceCredential(interchange(), 101, id, { accountIdentifier: "a" })],
    ["retrieveApiCredential", (id) => retrieveApiCredential(commerceLayer(), id)],
    ["deleteApiCredential", (id) => deleteApiCredential(commerceLayer(), id)],
  ];
  const cases = calls.flatMap(([name, call]) => ["..", ".", ""].map((id) => [name, id, call] as const));

  it.each(cases)("%s with %j", async (_name, id, call) => {
    const err = await call(id).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RefusedError);
    expect((err as Error).message).toContain(`${JSON.stringify(id)} cannot be sent as a URL path segment`);
    expect(server.requests).toHaveLength(0);
  });

  it("a storefront read with an ordinary numeric id still goes out", async () => {
    expect(await targetOf(() => getStorefront(interchange(), 101))).toBe("/api/v2/buyer/storefronts/101");
  });

  it("an unpaired surrogate is refused with its own reason", () => {
    expect(() => pathSegment("a\uD800", "advertiserId")).toThrow(/unpaired UTF-16 surrogate/);
  });
});
