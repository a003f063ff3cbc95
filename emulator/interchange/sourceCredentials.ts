/**
 * Storefront source credentials: `POST /storefronts/{storefrontId}/sources/{sourceId}/credentials`
 * registers an account for the agent behind a source, `GET /storefronts/credentials` lists every credential of the
 * customer. There is no get-one or delete: out-of-band changes (OAuth consent, revocation in the web app, an agent
 * unlinked from its sources) are administration routes here.
 */
import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { EmulatorResponse } from "../framework";
import { storefrontIdParam, type InterchangeCall } from "./access";
import { InterchangeFailure, issuesOf, parseJsonBody, success, validationFailure } from "./envelope";
import type { InventorySource, SourceAuthType, SourceCredential } from "./model";
import { credentialSources } from "./storefronts";
import type { InterchangeStore } from "./store";

/**
 * `now` as an ISO time, at least 1 ms after `previous`: a re-registration or a consent always shows as a change of
 * `updatedAt`, however soon it follows the registration (clients tell a fresh registration by createdAt = updatedAt).
 */
function bumped(previous: string, now: Date): string {
  return new Date(Math.max(now.getTime(), Date.parse(previous) + 1)).toISOString();
}

/** Host of the fake OAuth consent pages; `.invalid` can never resolve, so nothing leaves the machine. */
export const OAUTH_CONSENT_HOST = "consent.interchange-emulator.invalid";

// The contract's body with `auth` left open: which auth variant is acceptable depends on the source (below).
const registerBodySchema = z.object({
  accountIdentifier: z
    .string({ error: (i) => (i.input === undefined ? "is required" : "must be a string") })
    .min(1, "must not be empty")
    .max(255, "must be at most 255 characters"),
  auth: z.record(z.string(), z.unknown(), { error: "must be an object" }).optional(),
  marketplaceAccount: z.boolean({ error: "must be a boolean" }).optional(),
});

const required = (what: string) => ({
  error: (issue: { input: unknown }) =>
    issue.input === undefined ? `${what} is required` : `${what} must be a string`,
});

const authSchemas: Record<Exclude<SourceAuthType, "OAUTH">, z.ZodType<Record<string, unknown>>> = {
  API_KEY: z.object({
    type: z.enum(["api_key", "apikey", "bearer"], { error: 'must be "api_key", "apikey" or "bearer" for this source' }),
    token: z.string(required("token")).min(1, "token must not be empty"),
  }),
  JWT: z.object({
    type: z.literal("jwt", { error: 'must be "jwt" for this source' }),
    privateKey: z.string(required("privateKey")).min(1, "privateKey must not be empty"),
    issuer: z.string(required("issuer")).min(1, "issuer must not be empty"),
    subject: z.string(required("subject")).min(1, "subject must not be empty"),
    keyId: z.string(required("keyId")).min(1, "keyId must not be empty"),
    scope: z.string(required("scope")).min(1, "scope must not be empty"),
    tokenEndpointUrl: z.url({ error: "tokenEndpointUrl must be an absolute URL" }),
    audienceUrl: z.url({ error: "audienceUrl must be an absolute URL" }),
    algorithm: z.enum(["ES256", "RS256"], { error: 'algorithm must be "ES256" or "RS256"' }).optional(),
    environment: z.string().optional(),
  }),
  BASIC_AUTH: z.object({
    type: z.literal("basic", { error: 'must be "basic" for this source' }),
    username: z.string(required("username")).min(1, "username must not be empty"),
    password: z.string(required("password")),
  }),
  NONE: z.strictObject({}, { error: "this source takes no secret: send auth as {}" }),
};

const authExamples: Record<Exclude<SourceAuthType, "OAUTH">, string> = {
  API_KEY: '{"type": "api_key", "token": ...}',
  JWT: '{"type": "jwt", "privateKey", "issuer", "subject", "keyId", "scope", "tokenEndpointUrl", "audienceUrl"}',
  BASIC_AUTH: '{"type": "basic", "username", "password"}',
  NONE: "{}",
};

function checkAuth(source: InventorySource, auth: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (source.authType === "OAUTH") {
    if (auth !== undefined) {
      throw validationFailure([
        {
          path: "auth",
          message: `source ${source.id} uses OAuth: omit auth and complete consent at the authorizationUrl`,
        },
      ]);
    }
    return null;
  }
  // A source without a secret also accepts a registration that leaves `auth` out (the contract does not require it).
  if (auth === undefined && source.authType === "NONE") return {};
  if (auth === undefined) {
    throw validationFailure([
      {
        path: "auth",
        message: `is required for ${source.authType} source ${source.id}: send ${authExamples[source.authType]}`,
      },
    ]);
  }
  const parsed = authSchemas[source.authType].safeParse(auth);
  if (!parsed.success) throw validationFailure(issuesOf(parsed.error, ["auth"]));
  return parsed.data;
}

function oauthInfo(storefrontId: number, source: InventorySource, credential: SourceCredential) {
  const url = new URL(`https://${OAUTH_CONSENT_HOST}/oauth/authorize`);
  url.searchParams.set("consent", credential.consentToken ?? "");
  url.searchParams.set("source", source.id);
  return { authorizationUrl: url.toString(), storefrontId, sourceId: source.id, sourceName: source.name };
}

/** `POST /storefronts/{storefrontId}/sources/{sourceId}/credentials`. */
export function registerSourceCredential(store: InterchangeStore, call: InterchangeCall): EmulatorResponse {
  const storefrontId = storefrontIdParam(call.req);
  const storefront = store.visibleStorefront(call.customer.id, storefrontId);
  const sourceId = call.req.params.sourceId ?? "";
  const source = storefront.sources.find((s) => s.id === sourceId);
  if (!source) {
    throw new InterchangeFailure(404, "NOT_FOUND", `Source ${sourceId} was not found on storefront ${storefrontId}.`);
  }
  const parsed = registerBodySchema.safeParse(parseJsonBody(call.req.body));
  if (!parsed.success) throw validationFailure(issuesOf(parsed.error));
  const body = parsed.data;
  if (!source.requiresCredentials) {
    throw validationFailure([
      {
        path: "sourceId",
        message: `source ${source.id} does not take credentials (requiresCredentials: false); register nothing`,
      },
    ]);
  }
  const auth = checkAuth(source, body.auth);
  if (body.marketplaceAccount === true && !call.key.admin) {
    throw new InterchangeFailure(
      403,
      "FORBIDDEN",
      "marketplaceAccount is an admin-only flag; leave it out (or false) to register a client account.",
      "marketplaceAccount",
    );
  }
  const now = call.now.toISOString();
  const oauth = source.authType === "OAUTH";
  const existing = store.state.sourceCredentials.find(
    (c) =>
      c.customer === call.customer.id && c.agentId === source.agentId && c.accountIdentifier === body.accountIdentifier,
  );
  let credential: SourceCredential;
  if (existing) {
    if (store.state.settings.reregistration === "conflict") {
      throw new InterchangeFailure(
        409,
        "CONFLICT",
        `Account ${body.accountIdentifier} is already registered for source ${source.id} (credential ${existing.id}).`,
        "accountIdentifier",
      );
    }
    // Rotation (an emulator choice: the contract leaves it open): same id, the secret replaced, updatedAt bumped.
    existing.auth = auth;
    existing.updatedAt = bumped(existing.updatedAt, call.now);
    existing.orphaned = false;
    if (oauth) {
      existing.status = "PENDING";
      existing.consentToken = randomBytes(12).toString("hex");
    }
    credential = existing;
  } else {
    credential = {
      id: store.newId(),
      customer: call.customer.id,
      agentId: source.agentId,
      storefrontId,
      sourceId: source.id,
      accountIdentifier: body.accountIdentifier,
      accountType: body.marketplaceAccount === true ? "MARKETPLACE" : "CLIENT",
      status: oauth ? "PENDING" : "ACTIVE",
      registeredBy: call.key.user,
      createdAt: now,
      updatedAt: now,
      auth,
      ...(oauth ? { consentToken: randomBytes(12).toString("hex") } : {}),
      orphaned: false,
    };
    store.state.sourceCredentials.push(credential);
  }
  return success(201, {
    id: credential.id,
    accountIdentifier: credential.accountIdentifier,
    status: credential.status,
    registeredBy: credential.registeredBy,
    createdAt: credential.createdAt,
    ...(credential.status === "PENDING" ? { oauth: oauthInfo(storefrontId, source, credential) } : {}),
  });
}

/** A credential as `GET /storefronts/credentials` lists it. */
export function buyerCredential(store: InterchangeStore, credential: SourceCredential): Record<string, unknown> {
  return {
    id: credential.id,
    accountIdentifier: credential.accountIdentifier,
    accountType: credential.accountType,
    status: credential.status,
    registeredBy: credential.registeredBy,
    createdAt: credential.createdAt,
    updatedAt: credential.updatedAt,
    sources: credentialSources(store, credential),
  };
}

/** `GET /storefronts/credentials`: every credential of the customer, no pagination. */
export function listSourceCredentials(store: InterchangeStore, call: InterchangeCall): EmulatorResponse {
  const rows = store.state.sourceCredentials.filter((c) => c.customer === call.customer.id);
  return success(
    200,
    rows.map((c) => buyerCredential(store, c)),
  );
}

/** Find a credential by id or by the consent token of its authorization URL. */
export function findForConsent(
  store: InterchangeStore,
  request: { credentialId?: string; authorizationUrl?: string },
): SourceCredential | undefined {
  if (request.credentialId !== undefined) {
    return store.state.sourceCredentials.find((c) => c.id === request.credentialId);
  }
  let token: string | null = null;
  try {
    token = new URL(request.authorizationUrl ?? "").searchParams.get("consent");
  } catch {
    return undefined;
  }
  return token ? store.state.sourceCredentials.find((c) => c.consentToken === token) : undefined;
}

/** What a person's consent on the OAuth page does: the PENDING credential turns ACTIVE by itself. */
export function grantConsent(credential: SourceCredential, now: Date): void {
  if (credential.status !== "PENDING") return;
  credential.status = "ACTIVE";
  delete credential.consentToken;
  credential.updatedAt = bumped(credential.updatedAt, now);
}
