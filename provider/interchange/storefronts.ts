/**
 * The Scope3 Interchange storefront operations (contract: emulator/contracts/interchange-buyer.openapi.yml):
 * registering a buyer's account credential on an inventory source, listing every registered credential, and the
 * storefront views that tell whether the buyer is connected. One zod-checked function per operation; every request
 * goes through the process's one Interchange {@link HttpClient} (retries, redaction, envelopes).
 */
import { z } from "zod";
import type { ProviderContext } from "../context";
import { parsePayload } from "../http";
import { pathSegment } from "../http/path";
import { INTERCHANGE, interchangeHttp } from "./http";

/** `auth` of a registration as the API takes it: one shape per source authentication type, `{}` for none. */
export type SourceCredentialAuthBody =
  | { type: "api_key" | "bearer" | "apikey"; token: string }
  | {
      type: "jwt";
      privateKey: string;
      issuer: string;
      subject: string;
      keyId: string;
      scope: string;
      tokenEndpointUrl: string;
      audienceUrl: string;
      algorithm?: "ES256" | "RS256";
      environment?: string;
    }
  | { type: "basic"; username: string; password: string }
  | Record<string, never>;

/** Body of `POST /storefronts/{storefrontId}/sources/{sourceId}/credentials`. */
export interface RegisterSourceCredentialBody {
  /** The buyer's account at the source (1–255 characters). */
  accountIdentifier: string;
  /** Omitted for OAuth sources. */
  auth?: SourceCredentialAuthBody;
  /** Admin-only: register a marketplace account instead of a client account. */
  marketplaceAccount?: boolean;
}

/** Answer of the register operation (`BuyerCredentialRegistrationResponse`). */
export const registrationResponseSchema = z.object({
  id: z.string().min(1),
  accountIdentifier: z.string(),
  status: z.string(),
  registeredBy: z.string().nullable(),
  createdAt: z.string(),
  oauth: z
    .object({
      authorizationUrl: z.string(),
      storefrontId: z.number().int(),
      sourceId: z.string(),
      sourceName: z.string(),
    })
    .optional(),
});

/** A registration as the register operation answers it. */
export type SourceCredentialRegistration = z.infer<typeof registrationResponseSchema>;

/** A storefront/source pair one credential gives access to (`BuyerCredentialSourceRef`). */
export const credentialSourceSchema = z.object({
  storefrontId: z.number().int(),
  storefrontName: z.string(),
  sourceId: z.string(),
  sourceName: z.string(),
});

/** One registered credential as the list operation answers it (`BuyerCredential`). */
export const sourceCredentialSchema = z.object({
  id: z.string().min(1),
  accountIdentifier: z.string(),
  accountType: z.string(),
  status: z.string(),
  registeredBy: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  sources: z.array(credentialSourceSchema),
});

/** One registered credential of the customer. */
export type SourceCredential = z.infer<typeof sourceCredentialSchema>;

/** The part of `BuyerStorefront` this package uses (other fields are accepted and ignored). */
export const storefrontSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  connected: z.boolean(),
  requiresCredentials: z.boolean(),
  customerAccounts: z.array(z.object({ accountIdentifier: z.string(), status: z.string() })),
});

/** A storefront as the buyer sees it (the fields this package uses). */
export type Storefront = z.infer<typeof storefrontSchema>;

/** The part of `BuyerStorefrontCapabilitiesResponse` this package uses. */
export const storefrontCapabilitiesSchema = z.object({
  storefrontId: z.number().int(),
  agents: z.array(
    z.object({
      sourceId: z.string(),
      sourceName: z.string().nullable(),
      requiresCredentials: z.boolean().nullable(),
      message: z.string().nullable().optional(),
    }),
  ),
});

/** Source-level diagnostics of a storefront: which sources take credentials. */
export type StorefrontCapabilities = z.infer<typeof storefrontCapabilitiesSchema>;

/** A source's authentication type, in the vocabulary of the register body's `auth.type` (`oauth`: omit `auth`). */
export type SourceAuthType = "api_key" | "jwt" | "basic" | "oauth" | "none";

const AUTH_TYPES: Readonly<Record<string, SourceAuthType>> = {
  API_KEY: "api_key",
  JWT: "jwt",
  BASIC_AUTH: "basic",
  OAUTH: "oauth",
  NONE: "none",
};

/**
 * The authentication type of a capability row, or undefined when the row does not say. The contract has no field for
 * it; the row's diagnostic `message` carries it as `Authentication: <TYPE>`, with the agent types the register
 * operation names (`API_KEY`, `JWT`, `BASIC_AUTH`, `OAUTH`, and `NONE`), as the emulator answers. Any other message
 * leaves it unknown rather than guessed.
 */
export function sourceAuthTypeOf(row: StorefrontCapabilities["agents"][number]): SourceAuthType | undefined {
  const match = /^Authentication:\s*([A-Z_]+)\s*$/.exec(row.message ?? "");
  return match ? AUTH_TYPES[match[1]!] : undefined;
}

function storefrontPath(storefrontId: number): string {
  return `/storefronts/${pathSegment(String(storefrontId), "storefrontId")}`;
}

/** The secret values inside a registration body, for redaction from any error text. */
export function registrationSecrets(body: RegisterSourceCredentialBody): string[] {
  const auth = body.auth as Record<string, unknown> | undefined;
  if (!auth) return [];
  return ["token", "privateKey", "password"]
    .map((k) => auth[k])
    .filter((v): v is string => typeof v === "string" && v.length > 0);
}

/**
 * `POST /storefronts/{storefrontId}/sources/{sourceId}/credentials`. Not idempotent (re-registering rotates the
 * stored secret), so the HTTP client never retries it after an ambiguous failure; callers reconcile by listing.
 */
export async function registerSourceCredential(
  ctx: ProviderContext,
  storefrontId: number,
  sourceId: string,
  body: RegisterSourceCredentialBody,
): Promise<SourceCredentialRegistration> {
  const path = `${storefrontPath(storefrontId)}/sources/${pathSegment(sourceId, "sourceId")}/credentials`;
  const res = await interchangeHttp(ctx).request({
    method: "POST",
    path,
    body,
    idempotent: false,
    secrets: registrationSecrets(body),
  });
  return parsePayload(registrationResponseSchema, res.body, { service: INTERCHANGE, method: "POST", path });
}

/** `GET /storefronts/credentials`: every credential of the customer (no pagination exists). */
export async function listSourceCredentials(ctx: ProviderContext): Promise<SourceCredential[]> {
  const path = "/storefronts/credentials";
  const res = await interchangeHttp(ctx).request({ method: "GET", path });
  return parsePayload(z.array(sourceCredentialSchema), res.body, { service: INTERCHANGE, method: "GET", path });
}

/** `GET /storefronts/{storefrontId}`: the storefront with the buyer's rolled-up `connected` state. */
export async function getStorefront(ctx: ProviderContext, storefrontId: number): Promise<Storefront> {
  const path = storefrontPath(storefrontId);
  const res = await interchangeHttp(ctx).request({ method: "GET", path });
  return parsePayload(storefrontSchema, res.body, { service: INTERCHANGE, method: "GET", path });
}

/** `GET /storefronts/{storefrontId}/capabilities`: per-source rows (which sources take credentials). */
export async function getStorefrontCapabilities(
  ctx: ProviderContext,
  storefrontId: number,
): Promise<StorefrontCapabilities> {
  const path = `${storefrontPath(storefrontId)}/capabilities`;
  const res = await interchangeHttp(ctx).request({ method: "GET", path });
  return parsePayload(storefrontCapabilitiesSchema, res.body, { service: INTERCHANGE, method: "GET", path });
}
