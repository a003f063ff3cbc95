/**
 * Secrets by construction: a hostile server echoes the bearer token and the request body (raw, JSON-escaped,
 * form-encoded, and as parsed values) into every part of its error documents. No credential may reach any part of
 * the resulting ApiError (message, platformMessage, code, field, issues, cause, String, JSON, util.inspect, stack)
 * nor any onAttempt event, through every error path.
 */
import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import {
  ApiError,
  HttpClient,
  PLATFORM_TEXT_LIMIT,
  SHORT_SECRET_LENGTH,
  capPlatformText,
  platformText,
  redact,
  type AttemptEvent,
  type BodyFormat,
  type HttpRequest,
} from "../../provider/http";
import {
  generatedApiKey,
  generatedPrivateKey,
  sendJson,
  useScriptedServer,
  type ReceivedRequest,
  type ScriptedHandler,
} from "./support";

const server = useScriptedServer();

const apiKey = generatedApiKey();
const privateKey = generatedPrivateKey();
// Characters that JSON and form encoding both rewrite.
const password = `pa ss"w\\rd/+&=${generatedApiKey().slice(-12)}`;
const clientSecret = `cs-${generatedApiKey().slice(-20)} +/=`;

/** Every way a secret could show up in text a user sees. */
function leaks(text: string): string[] {
  const found: string[] = [];
  const check = (label: string, needle: string) => {
    if (needle.length >= 8 && text.includes(needle)) found.push(label);
  };
  for (const [label, secret] of Object.entries({ apiKey, privateKey, password, clientSecret })) {
    check(label, secret);
    check(`${label} (JSON)`, JSON.stringify(secret).slice(1, -1));
    check(`${label} (URI)`, encodeURIComponent(secret));
    check(`${label} (form)`, new URLSearchParams({ v: secret }).toString().slice(2));
  }
  // Every base64 line of the key on its own, and the key's random part of the API key.
  privateKey
    .split("\n")
    .filter((line) => !line.startsWith("-----"))
    .forEach((line, i) => check(`privateKey line ${i + 1}`, line));
  check("apiKey secret part", apiKey.split("_").slice(2).join("_"));
  return found;
}

/** The text of an error every way it can be looked at. */
function everyView(err: ApiError): string {
  return [
    err.message,
    err.platformMessage,
    err.code,
    err.field ?? "",
    JSON.stringify(err.issues),
    String(err.cause),
    String(err),
    JSON.stringify(err),
    inspect(err, { depth: 10, showHidden: true }),
    err.stack ?? "",
    err.remedy ?? "",
  ].join("\n");
}

/** What the hostile server knows of the request: its headers and body, in every encoding it has them. */
function echoOf(req: ReceivedRequest): string {
  let values: string[];
  try {
    values = Object.values(flatten(JSON.parse(req.body) as unknown));
  } catch {
    values = [...new URLSearchParams(req.body).values()];
  }
  return (
    `you sent authorization=${req.headers.authorization ?? ""} basic=${req.headers["x-basic"] ?? ""} ` +
    `raw=${req.body} values=${JSON.stringify(values)} parsed=${values.join(" | ")}`
  );
}

function flatten(value: unknown, out: Record<string, string> = {}, prefix = ""): Record<string, string> {
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) flatten(v, out, `${prefix}.${k}`);
  } else {
    out[prefix] = String(value);
  }
  return out;
}

const interchangeEcho =
  (status: number): ScriptedHandler =>
  (req, res) => {
    const echo = echoOf(req);
    sendJson(res, status, {
      data: null,
      error: {
        code: `BAD_${echo}`,
        message: `Rejected: ${echo}`,
        field: echo,
        details: { issues: [{ path: ["auth", echo], message: echo }] },
      },
    });
  };

const jsonApiEcho: ScriptedHandler = (req, res) => {
  const echo = echoOf(req);
  sendJson(res, 422, {
    errors: [
      { title: echo, detail: `Invalid: ${echo}`, code: echo, status: "422", source: { pointer: `/data/${echo}` } },
    ],
  });
};

const oauthEcho: ScriptedHandler = (req, res) =>
  sendJson(res, 401, { error: "invalid_client", error_description: `Unknown client: ${echoOf(req)}` });

interface Case {
  readonly name: string;
  readonly format: BodyFormat;
  readonly handler: ScriptedHandler;
  readonly request: HttpRequest;
  /** Whether the server's answer contains the echo (so redaction must have happened, visibly). */
  readonly echoes: boolean;
  readonly expected: { status: number | undefined; code?: string; attempts: number };
}

const jwtRegistration: HttpRequest = {
  method: "POST",
  path: "/storefronts/101/sources/jwt-source/credentials",
  body: {
    accountIdentifier: "acct",
    auth: { type: "jwt", privateKey, issuer: "i", subject: "s", keyId: "k", scope: "x" },
  },
  secrets: [privateKey],
};
const basicUpdate: HttpRequest = {
  method: "PUT",
  path: "/advertisers/7",
  body: { auth: { type: "basic", username: "u", password } },
  secrets: [password],
};
const tokenRequest: HttpRequest = {
  method: "POST",
  path: "/oauth/token",
  form: { grant_type: "client_credentials", client_id: "id", client_secret: clientSecret },
  headers: { "x-basic": `Basic ${Buffer.from(`id:${clientSecret}`).toString("base64")}` },
  secrets: [clientSecret],
  anonymous: true,
};

const cases: Case[] = [
  {
    name: "4xx envelope (POST with a private key)",
    format: "interchange",
    handler: interchangeEcho(400),
    request: jwtRegistration,
    echoes: true,
    expected: { status: 400, attempts: 1 },
  },
  {
    name: "5xx after retries (PUT with a password)",
    format: "interchange",
    handler: interchangeEcho(503),
    request: basicUpdate,
    echoes: true,
    expected: { status: 503, attempts: 3 },
  },
  {
    name: "429 over the Retry-After limit",
    format: "interchange",
    handler: (q, r) => {
      r.setHeader("retry-after", "999");
      interchangeEcho(429)(q, r, 1);
    },
    request: basicUpdate,
    echoes: true,
    expected: { status: 429, attempts: 1 },
  },
  {
    name: "JSON:API 422",
    format: "jsonapi",
    handler: jsonApiEcho,
    request: basicUpdate,
    echoes: true,
    expected: { status: 422, attempts: 1 },
  },
  {
    name: "OAuth 401 (form body and Basic header)",
    format: "json",
    handler: oauthEcho,
    request: tokenRequest,
    echoes: true,
    expected: { status: 401, code: "invalid_client", attempts: 1 },
  },
  {
    name: "401 after the token refresh",
    format: "interchange",
    handler: interchangeEcho(401),
    request: { method: "GET", path: "/x" },
    echoes: true,
    expected: { status: 401, attempts: 2 },
  },
  {
    name: "malformed 200 echoing the request",
    format: "interchange",
    handler: (q, r) => sendJson(r, 200, `{"data": "${echoOf(q)}`),
    request: basicUpdate,
    echoes: false,
    expected: { status: 200, code: "MALFORMED_RESPONSE", attempts: 3 },
  },
  {
    name: "non-JSON 500 echoing the request",
    format: "interchange",
    handler: (q, r) => sendJson(r, 500, `<html>${echoOf(q)}</html>`),
    request: jwtRegistration,
    echoes: false,
    expected: { status: 500, code: "HTTP_500", attempts: 1 },
  },
  {
    name: "connection reset",
    format: "interchange",
    handler: (_q, r) => r.socket?.destroy(),
    request: basicUpdate,
    echoes: false,
    expected: { status: undefined, code: "NETWORK_ERROR", attempts: 3 },
  },
  {
    name: "timeout",
    format: "interchange",
    handler: () => {},
    request: jwtRegistration,
    echoes: false,
    expected: { status: undefined, code: "TIMEOUT", attempts: 1 },
  },
];

describe("no secret reaches an error or an attempt event", () => {
  it.each(cases)("$name", async ({ format, handler, request, echoes, expected }) => {
    server.script(handler);
    const events: AttemptEvent[] = [];
    let rotated = false;
    const client = new HttpClient({
      service: "Test Platform",
      baseUrl: `${server.origin}/api/v2/buyer`,
      format,
      timeoutMs: 200,
      retry: { maxRetries: 2, baseDelayMs: 2, maxDelayMs: 4, maxRetryAfterMs: 1_000 },
      // After a 401 the "fresh" token is another real-looking key: both must stay hidden.
      auth: { token: () => (rotated ? apiKey.replace(/.$/, "Z") : apiKey), invalidate: () => (rotated = true) },
      onAttempt: (e) => events.push(e),
    });
    let err: unknown;
    try {
      await client.request(request);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ApiError);
    const apiError = err as ApiError;
    expect(apiError).toMatchObject(expected);
    expect(server.requests).toHaveLength(expected.attempts);
    // The server really did see the secrets (and echo them): the test is not passing vacuously.
    if (!request.anonymous) expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${apiKey}`);
    if (echoes) expect(apiError.message).toContain("[REDACTED]");
    const views = everyView(apiError);
    expect(leaks(views)).toEqual([]);
    expect(views).not.toContain(apiKey.replace(/.$/, "Z"));
    expect(leaks(JSON.stringify(events))).toEqual([]);
    expect(events).toHaveLength(expected.attempts);
  });
});

describe("redact", () => {
  it("replaces each secret, its JSON-escaped and form-encoded forms, and any bearer token", () => {
    const secret = 'a"b\\c d+e/f';
    const text =
      `raw ${secret} json ${JSON.stringify(secret)} form ${new URLSearchParams({ s: secret }).toString()} ` +
      `uri ${encodeURIComponent(secret)} header Bearer abc.def-ghi`;
    expect(redact(text, [secret])).toBe(
      'raw [REDACTED] json "[REDACTED]" form s=[REDACTED] uri [REDACTED] header Bearer [REDACTED]',
    );
  });

  it("replaces every line of a multi-line secret on its own (a PEM key echoed line by line or cut short)", () => {
    const lines = privateKey.split("\n");
    const text = `first line ${lines[1]} and later ${lines[3]}`;
    expect(redact(text, [privateKey])).toBe("first line [REDACTED] and later [REDACTED]");
  });

  it("replaces HTML-escaped, URL-decoded, lower-case percent-encoded and escaped-slash/unicode JSON forms", () => {
    const tail = generatedApiKey().slice(-10);
    const secret = `<p&w'd"/é%2B${tail}`;
    const forms = [
      `&lt;p&amp;w&#39;d&quot;/é%2B${tail}`,
      `&lt;p&amp;w&#x27;d&#34;/é%2B${tail}`,
      `&lt;p&amp;w&apos;d&quot;/é%2B${tail}`,
      `<p&w'd"/é+${tail}`,
      `%3cp%26w'd%22%2f%c3%a9%252B${tail}`,
      `<p&w'd\\"\\/é%2B${tail}`,
      `<p&w'd\\"/\\u00e9%2B${tail}`,
    ];
    // Each form on its own line: every one must go, nothing else may.
    const text = forms.map((f, i) => `form ${i}: (${f})`).join("\n");
    expect(redact(text, [secret])).toBe(forms.map((_, i) => `form ${i}: ([REDACTED])`).join("\n"));
  });

  it("redacts a SAS token's signature on its own, raw and decoded", () => {
    const sas = `sv=2024-11-04&sp=cwd&sr=c&sig=${encodeURIComponent("aB3+/cD4eF5gH6iJ7kL8mN9oP0qR1sT2=")}`;
    const text = "signature aB3%2B%2FcD4eF5gH6iJ7kL8mN9oP0qR1sT2%3D or aB3+/cD4eF5gH6iJ7kL8mN9oP0qR1sT2= did not match";
    expect(redact(text, [sas])).toBe("signature [REDACTED] or [REDACTED] did not match");
  });

  it("redacts secrets shorter than 8 characters where they stand alone, in every form, and never inside a word", () => {
    expect(SHORT_SECRET_LENGTH).toBe(8);
    const text =
      'user bob, "bob", u=bob&p=x, <b>bob</b>, bobsled, kebob, bob_2; key k; keys; pin 7 in 1970; a&amp;b; a%26b';
    expect(redact(text, ["bob", "k", "7", "a&b", "x"])).toBe(
      'user [REDACTED], "[REDACTED]", u=[REDACTED]&p=[REDACTED], <b>[REDACTED]</b>, bobsled, kebob, [REDACTED]_2; ' +
        "key [REDACTED]; keys; pin [REDACTED] in 1970; [REDACTED]; [REDACTED]",
    );
  });

  it("leaves `bearer <word>` prose alone when asked (this package's own messages), still redacting secrets", () => {
    const text = "set auth.token to the API key or bearer token the source issued, not s3cr3t-value";
    expect(redact(text, ["s3cr3t-value"], { bearerTokens: false })).toBe(
      "set auth.token to the API key or bearer token the source issued, not [REDACTED]",
    );
    expect(redact(text, [])).toContain("bearer [REDACTED] the source");
  });

  it("leaves ordinary text alone when no secret occurs and ignores an empty secret", () => {
    expect(redact("nothing to hide here", ["abc", ""])).toBe("nothing to hide here");
  });
});

describe("capping the platform's text", () => {
  it("cuts to PLATFORM_TEXT_LIMIT characters with a note, and a cut text stays as it is", () => {
    expect(PLATFORM_TEXT_LIMIT).toBe(2048);
    const capped = capPlatformText("x".repeat(80_000));
    expect(capped).toBe(`${"x".repeat(2018)} [… 77982 more characters cut]`);
    expect(capped).toHaveLength(2048);
    expect(capPlatformText(capped)).toBe(capped);
    expect(capPlatformText("short")).toBe("short");
  });

  it("redacts before cutting, so no secret straddling the cut keeps its first half", () => {
    const secret = generatedApiKey();
    const text = `${"x".repeat(2000)}${secret}${"y".repeat(5000)}`;
    expect(platformText(text, [secret])).toBe(
      `${"x".repeat(2000)}[REDACTED]${"y".repeat(9)} [… 4991 more characters cut]`,
    );
  });

  it("keeps an ApiError's message within the limit while its fields keep the whole text for later redaction", () => {
    const secret = generatedApiKey();
    const platformMessage = `${"m".repeat(2000)}${secret}${"z".repeat(80_000)}`;
    const err = new ApiError({
      service: "Test Platform",
      method: "PUT",
      path: "/x",
      status: 400,
      code: `BAD_${"c".repeat(500)}`,
      platformMessage,
      field: "f".repeat(1000),
    });
    expect(err.platformMessage).toBe(platformMessage);
    expect(err.message).toBe(
      `Test Platform PUT /x failed: 400 ${capPlatformText(`BAD_${"c".repeat(500)}`, 128)}: ` +
        `${"m".repeat(2000)}${secret.slice(0, 18)} [… ${platformMessage.length - 2018} more characters cut]` +
        ` (field ${capPlatformText("f".repeat(1000), 256)}).`,
    );
    expect(err.message.length).toBeLessThan(2048 + 128 + 256 + 60);
    // Redacting afterwards (an adapter knows more secrets) happens before the cut: no half-secret survives.
    const redacted = err.redacted([secret]);
    expect(redacted.message).toContain(`${"m".repeat(2000)}[REDACTED]${"z".repeat(8)} [… 79992 more characters cut]`);
    expect(redacted.message).not.toContain(secret.slice(0, 18));
    expect(redacted.platformMessage).toBe(`${"m".repeat(2000)}[REDACTED]${"z".repeat(80_000)}`);
    expect(redacted).toMatchObject({ status: 400, method: "PUT", path: "/x", attempts: 1 });
  });

  it("an 80 KB error body becomes an ApiError whose message is capped", async () => {
    server.script((_q, r) =>
      sendJson(r, 400, { data: null, error: { code: "VALIDATION_ERROR", message: "x".repeat(80_000) } }),
    );
    const client = new HttpClient({ service: "Test Platform", baseUrl: server.origin, format: "interchange" });
    const err = await client.request({ method: "GET", path: "/big" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).message).toBe(
      `Test Platform GET /big failed: 400 VALIDATION_ERROR: ${"x".repeat(2018)} [… 77982 more characters cut].`,
    );
  });
});
