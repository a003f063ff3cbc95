/**
 * Commerce Layer's token endpoint, `POST /oauth/token` with the `client_credentials` grant: the client id and
 * secret come in a JSON body, or in a form body (`application/x-www-form-urlencoded`) with HTTP Basic auth (or
 * form fields). Answers `{access_token, token_type: "bearer", expires_in, scope: "provisioning-api", created_at}`
 * where the token looks like a JWT. Failures use the JSON:API `errors` document with the OAuth error name as
 * `title` (`invalid_client`, `unsupported_grant_type`, ...), which is how Commerce Layer's auth API reports them.
 */
import type { EmulatorRequest, EmulatorResponse, EmulatorRoute } from "../framework";
import { errorResponseFor } from "./errors";
import { isJsonObject } from "./jsonApi";
import { randomBase64Url, type CommerceLayerState } from "./state";

/** Scope of every provisioning token. */
export const PROVISIONING_SCOPE = "provisioning-api";

interface TokenRequest {
  grantType: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  scope: string | undefined;
}

function stringField(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Client id and secret from an HTTP Basic header (each part form-url-encoded, RFC 6749 §2.3.1). */
function basicCredentials(header: string | undefined): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  try {
    return {
      clientId: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, " ")),
      clientSecret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, " ")),
    };
  } catch {
    return undefined;
  }
}

function oauthError(status: number, oauthName: string, code: string, detail: string): EmulatorResponse {
  const res = errorResponseFor(status, code, detail, { title: oauthName });
  // Token answers are plain JSON, like Commerce Layer's auth API; `no-store` as RFC 6749 §5.1 requires.
  return { ...res, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } };
}

function parseTokenRequest(req: EmulatorRequest): TokenRequest | EmulatorResponse {
  const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  let fields: Record<string, unknown>;
  if (contentType === "application/json") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body.toString("utf8"));
    } catch {
      return oauthError(400, "invalid_request", "BAD_REQUEST", "The request body is not valid JSON.");
    }
    if (!isJsonObject(parsed)) {
      return oauthError(400, "invalid_request", "BAD_REQUEST", "The request body must be a JSON object.");
    }
    fields = parsed;
  } else if (contentType === "application/x-www-form-urlencoded") {
    fields = Object.fromEntries(new URLSearchParams(req.body.toString("utf8")));
  } else {
    return oauthError(
      415,
      "invalid_request",
      "UNSUPPORTED_MEDIA_TYPE",
      "Send the token request as application/json or application/x-www-form-urlencoded.",
    );
  }
  const basic = basicCredentials(req.headers.authorization);
  return {
    grantType: stringField(fields.grant_type),
    clientId: basic?.clientId ?? stringField(fields.client_id),
    clientSecret: basic?.clientSecret ?? stringField(fields.client_secret),
    scope: stringField(fields.scope),
  };
}

/** A JWT-looking access token: base64url header and payload (`exp`, `scope`, ...) and a random signature. */
function newAccessToken(userId: string, issuedAt: number, expiresAt: number): string {
  const header = { alg: "HS512", typ: "JWT" };
  const payload = {
    iss: "https://auth.commercelayer.io",
    application: { kind: "user" },
    user: { id: userId },
    scope: PROVISIONING_SCOPE,
    iat: Math.floor(issuedAt / 1000),
    exp: Math.floor(expiresAt / 1000),
    rand: Math.random(),
  };
  const part = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part(header)}.${part(payload)}.${randomBase64Url(32)}`;
}

/** Handle `POST /oauth/token`. */
export function issueToken(state: CommerceLayerState, req: EmulatorRequest): EmulatorResponse {
  const parsed = parseTokenRequest(req);
  if (!("grantType" in parsed)) return parsed;
  if (parsed.grantType !== "client_credentials") {
    return oauthError(
      400,
      "unsupported_grant_type",
      "BAD_REQUEST",
      `grant_type ${JSON.stringify(parsed.grantType ?? "")} is not supported here: use client_credentials.`,
    );
  }
  if (parsed.scope !== undefined && parsed.scope !== "" && parsed.scope !== PROVISIONING_SCOPE) {
    return oauthError(
      400,
      "invalid_scope",
      "BAD_REQUEST",
      `scope ${JSON.stringify(parsed.scope)} is not valid for provisioning tokens: omit it or use ${PROVISIONING_SCOPE}.`,
    );
  }
  const user =
    parsed.clientId !== undefined && parsed.clientSecret !== undefined
      ? state.findUserByClient(parsed.clientId, parsed.clientSecret)
      : undefined;
  if (!user) {
    return oauthError(
      401,
      "invalid_client",
      "UNAUTHORIZED",
      "Client authentication failed: unknown client_id, wrong client_secret, or no client credentials sent. " +
        "Use the provisioning API credentials of a Commerce Layer user.",
    );
  }
  const now = Date.now();
  const lifetime = state.settings.tokenLifetimeSeconds;
  const expiresAt = now + lifetime * 1000;
  const accessToken = newAccessToken(user.id, now, expiresAt);
  state.tokens.set(accessToken, { userId: user.id, expiresAt });
  return {
    status: 200,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" },
    json: {
      access_token: accessToken,
      token_type: "bearer",
      expires_in: Math.round(lifetime),
      scope: PROVISIONING_SCOPE,
      created_at: Math.floor(now / 1000),
    },
  };
}

/** The token endpoint route. */
export function tokenRoutes(state: CommerceLayerState): EmulatorRoute[] {
  return [{ method: "POST", template: "/oauth/token", handle: (req) => issueToken(state, req) }];
}

/** `POST /_emulator/commercelayer/tokens/expire`: every issued token is refused from now on. */
export function expireTokensRoute(state: CommerceLayerState): EmulatorRoute {
  return {
    method: "POST",
    template: "/tokens/expire",
    handle: () => {
      const now = Date.now();
      let expired = 0;
      for (const record of state.tokens.values()) {
        if (record.expiresAt > now) expired++;
        record.expiresAt = now;
      }
      return { status: 200, json: { expired } };
    },
  };
}
