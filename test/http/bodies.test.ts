/**
 * How the HTTP client reads bodies, against a scripted server answering exact documents: Interchange envelopes
 * (wrapped and bare), JSON:API documents and errors, OAuth errors; and the ApiError predicates every other module
 * asks instead of inspecting status codes.
 */
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ApiError, ClientErrorCode, HttpClient, parsePayload, type BodyFormat } from "../../provider/http";
import { expectApiError, sendJson, useScriptedServer } from "./support";

const server = useScriptedServer();

function client(format: BodyFormat): HttpClient {
  return new HttpClient({
    service: "Test Platform",
    baseUrl: `${server.origin}/api`,
    format,
    retry: { maxRetries: 0 },
  });
}

/** Answer every request with this status and body, then send one GET through a client of `format`. */
async function answer(format: BodyFormat, status: number, body: unknown): Promise<unknown> {
  server.script((_q, res) => (status === 204 ? (res.writeHead(204), res.end()) : sendJson(res, status, body)));
  return (await client(format).request({ method: "GET", path: "/thing" })).body;
}

function refusal(format: BodyFormat, status: number, body: unknown): Promise<ApiError> {
  return expectApiError(answer(format, status, body));
}

describe("Interchange envelopes", () => {
  it("unwraps {data, error: null} to data", async () => {
    expect(await answer("interchange", 200, { data: { id: "c1", status: "ACTIVE" }, error: null })).toEqual({
      id: "c1",
      status: "ACTIVE",
    });
    expect(await answer("interchange", 200, { data: [{ id: 1 }], error: null, meta: { total: 1 } })).toEqual([
      { id: 1 },
    ]);
    expect(await answer("interchange", 200, { data: null, error: null })).toBeNull();
  });

  it("returns bare bodies (the published examples) as they are", async () => {
    expect(await answer("interchange", 200, { id: "c1", status: "ACTIVE" })).toEqual({ id: "c1", status: "ACTIVE" });
    expect(await answer("interchange", 200, [{ id: "a" }, { id: "b" }])).toEqual([{ id: "a" }, { id: "b" }]);
    // An object with `data` but no `error` key is a payload of its own, not an envelope.
    expect(await answer("interchange", 200, { data: "x" })).toEqual({ data: "x" });
  });

  it("resolves an empty 204 to undefined", async () => {
    expect(await answer("interchange", 204, undefined)).toBeUndefined();
  });

  it("turns a success status carrying an error envelope into UNEXPECTED_RESPONSE", async () => {
    const err = await refusal("interchange", 200, { data: null, error: { code: "X", message: "odd" } });
    expect(err).toMatchObject({ status: 200, code: ClientErrorCode.UnexpectedResponse });
    expect(err.isAmbiguous()).toBe(true);
  });

  it("reads code, message, field and every issue of an error envelope", async () => {
    const err = await refusal("interchange", 400, {
      data: null,
      error: {
        code: "VALIDATION_ERROR",
        message: "Request validation failed",
        field: "accountIdentifier",
        details: {
          issues: [
            { path: ["accountIdentifier"], message: "Required" },
            { path: ["auth", "token"], message: "String must contain at least 1 character(s)" },
            { path: "marketplaceAccount", message: "Expected boolean" },
          ],
        },
      },
    });
    expect(err).toMatchObject({
      status: 400,
      code: "VALIDATION_ERROR",
      platformMessage: "Request validation failed",
      field: "accountIdentifier",
      attempts: 1,
      method: "GET",
      path: "/api/thing",
      service: "Test Platform",
    });
    expect(err.issues).toEqual([
      { path: "accountIdentifier", message: "Required" },
      { path: "auth.token", message: "String must contain at least 1 character(s)" },
      { path: "marketplaceAccount", message: "Expected boolean" },
    ]);
    expect(err.message).toBe(
      "Test Platform GET /api/thing failed: 400 VALIDATION_ERROR: Request validation failed (field accountIdentifier).",
    );
    expect(err.isValidation()).toBe(true);
  });

  it("names the Terms-of-Service gate and what to do about it", async () => {
    const err = await refusal("interchange", 403, {
      data: null,
      error: { code: "TOS_ACCEPTANCE_REQUIRED", message: "Accept the terms" },
    });
    expect(err.isForbidden()).toBe(true);
    expect(err.remedy).toBe(
      "The customer has not accepted the Terms of Service, and only a direct ADMIN or SUPER_ADMIN user of that " +
        "customer can: such a user signs in to the Interchange web app and accepts them there; then try again.",
    );
  });

  it("falls back to HTTP_<status> when an error has no details", async () => {
    const err = await refusal("interchange", 409, {});
    expect(err).toMatchObject({ status: 409, code: "HTTP_409", platformMessage: "the platform gave no error details" });
    const empty = await refusal("interchange", 404, "");
    expect(empty).toMatchObject({ status: 404, code: "HTTP_404" });
  });
});

describe("JSON:API documents", () => {
  const doc = {
    data: { id: "AbCdEf", type: "api_credentials", attributes: { name: "ci" }, relationships: {} },
    links: { self: "https://example/api/api_credentials/AbCdEf" },
    included: [{ id: "r1", type: "roles" }],
  };

  it("returns the whole document (data, links, included, meta)", async () => {
    expect(await answer("jsonapi", 200, doc)).toEqual(doc);
  });

  it("reads the first error's code, its pointer as field, and every error as an issue", async () => {
    const err = await refusal("jsonapi", 422, {
      errors: [
        {
          title: "can't be blank",
          detail: "name - can't be blank",
          code: "VALIDATION_ERROR",
          status: "422",
          source: { pointer: "/data/attributes/name" },
          meta: { error: "blank" },
        },
        {
          title: "is not included in the list",
          detail: "kind - is not included in the list",
          code: "VALIDATION_ERROR",
          status: "422",
          source: { pointer: "/data/attributes/kind" },
        },
        { title: "role is required", code: "VALIDATION_ERROR", status: "422" },
      ],
    });
    expect(err).toMatchObject({
      status: 422,
      code: "VALIDATION_ERROR",
      field: "/data/attributes/name",
      platformMessage: "name - can't be blank; kind - is not included in the list; role is required",
    });
    expect(err.issues).toEqual([
      { path: "/data/attributes/name", message: "name - can't be blank" },
      { path: "/data/attributes/kind", message: "kind - is not included in the list" },
      { path: "", message: "role is required" },
    ]);
    expect(err.isValidation()).toBe(true);
  });

  it("reads a JSON:API 404 as not found", async () => {
    const err = await refusal("jsonapi", 404, {
      errors: [
        {
          title: "Record not found",
          detail: "The requested resource was not found",
          code: "RECORD_NOT_FOUND",
          status: "404",
        },
      ],
    });
    expect(err).toMatchObject({ status: 404, code: "RECORD_NOT_FOUND", field: undefined });
    expect(err.isNotFound()).toBe(true);
  });
});

describe("OAuth token endpoint errors", () => {
  it("reads {error, error_description}", async () => {
    const err = await refusal("json", 401, {
      error: "invalid_client",
      error_description: "Client authentication failed",
    });
    expect(err).toMatchObject({ status: 401, code: "invalid_client", platformMessage: "Client authentication failed" });
    expect(err.isUnauthorized()).toBe(true);
  });

  it("uses the error itself when there is no description", async () => {
    const err = await refusal("json", 400, { error: "unsupported_grant_type" });
    expect(err).toMatchObject({
      status: 400,
      code: "unsupported_grant_type",
      platformMessage: "unsupported_grant_type",
    });
  });

  it("returns plain JSON successes whole", async () => {
    const token = { access_token: "eyJ.x.y", token_type: "bearer", expires_in: 7200, scope: "provisioning-api" };
    expect(await answer("json", 200, token)).toEqual(token);
  });
});

describe("ApiError predicates", () => {
  function withStatus(status: number | undefined, code = "X"): ApiError {
    return new ApiError({ service: "S", method: "GET", path: "/p", status, code, platformMessage: "m" });
  }
  const table: Array<[number | undefined, string, string[]]> = [
    [400, "X", ["isValidation"]],
    [401, "X", ["isUnauthorized"]],
    [403, "X", ["isForbidden"]],
    [404, "X", ["isNotFound"]],
    [409, "X", ["isConflict"]],
    [422, "X", ["isValidation"]],
    [429, "X", ["isRateLimited"]],
    [500, "X", ["isAmbiguous"]],
    [503, "X", ["isAmbiguous"]],
    [undefined, ClientErrorCode.Timeout, ["isAmbiguous"]],
    [undefined, ClientErrorCode.Network, ["isAmbiguous"]],
    [200, ClientErrorCode.MalformedResponse, ["isAmbiguous"]],
    [undefined, ClientErrorCode.UnexpectedResponse, ["isAmbiguous"]],
    [308, ClientErrorCode.RedirectNotFollowed, []],
  ];
  const predicates = [
    "isNotFound",
    "isConflict",
    "isUnauthorized",
    "isForbidden",
    "isRateLimited",
    "isValidation",
    "isAmbiguous",
  ] as const;

  it.each(table)("status %s code %s answers true only to %j", (status, code, expected) => {
    const err = withStatus(status, code);
    expect(predicates.filter((p) => err[p]())).toEqual(expected);
  });

  it("is an Error named ApiError with its attempt count in the message", () => {
    const err = new ApiError({
      service: "S",
      method: "PUT",
      path: "/p",
      status: 503,
      code: "C",
      platformMessage: "m",
      attempts: 3,
    });
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe("ApiError");
    expect(String(err)).toBe("ApiError: S PUT /p failed after 3 attempts: 503 C: m.");
  });
});

describe("parsePayload", () => {
  const schema = z.object({ id: z.string(), status: z.enum(["ACTIVE", "PENDING"]) });

  it("returns the parsed payload", () => {
    expect(parsePayload(schema, { id: "a", status: "ACTIVE" }, { service: "S", method: "GET", path: "/p" })).toEqual({
      id: "a",
      status: "ACTIVE",
    });
  });

  it("names the paths that do not match, never their values", () => {
    let err: unknown;
    try {
      parsePayload(schema, { id: 42, status: "super-secret-value" }, { service: "S", method: "GET", path: "/p" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    const apiError = err as ApiError;
    expect(apiError.code).toBe(ClientErrorCode.UnexpectedResponse);
    expect(apiError.platformMessage).toBe(
      "the response does not have the documented shape (id: invalid_type, status: invalid_value)",
    );
    expect(JSON.stringify(apiError) + apiError.message).not.toContain("super-secret-value");
  });
});
