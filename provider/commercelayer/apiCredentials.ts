/**
 * The Commerce Layer Provisioning API client for API credentials: one function per operation, JSON:API documents
 * built and read here (zod-checked), everything else (token, retries, errors) in the shared HTTP client.
 *
 * Responses name to-one relationship types in the singular (`organization`, `role`) while requests use the plural
 * (`organizations`, `roles`), as the contract shows; both spellings are accepted when reading.
 */
import { z } from "zod";
import { ApiError, parsePayload, type HttpClient } from "../http";
import { pathSegment } from "../http/path";
import { COMMERCE_LAYER } from "./http";

/** What a new API credential is created with. */
export interface NewApiCredential {
  readonly organizationId: string;
  readonly name: string;
  readonly kind: string;
  readonly mode?: "test" | "live" | undefined;
  /** API attribute `custom`. */
  readonly custom?: boolean | undefined;
  readonly redirectUri?: string | undefined;
  readonly expiresIn?: number | undefined;
  readonly reference?: string | undefined;
  readonly referenceOrigin?: string | undefined;
  /** Any JSON object (nested values included), sent as given. */
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  readonly roleId?: string | undefined;
}

/**
 * The mutable part of an API credential (what PATCH accepts). A key left out is not sent; `null` clears the
 * attribute (or removes the role).
 */
export interface ApiCredentialChanges {
  readonly name?: string;
  readonly redirectUri?: string | null;
  readonly expiresIn?: number | null;
  readonly reference?: string | null;
  readonly referenceOrigin?: string | null;
  readonly metadata?: Readonly<Record<string, unknown>> | null;
  readonly roleId?: string | null;
}

/** An API credential as the platform reports it, in this package's names. */
export interface ApiCredential {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly confidential: boolean | undefined;
  readonly redirectUri: string | undefined;
  readonly clientId: string;
  /** Undefined when the platform did not send it (it may appear only in the create answer). */
  readonly clientSecret: string | undefined;
  readonly scopes: string | undefined;
  readonly expiresIn: number | undefined;
  readonly mode: string | undefined;
  readonly custom: boolean | undefined;
  readonly reference: string | undefined;
  readonly referenceOrigin: string | undefined;
  /** Undefined when the platform reports none (null or `{}`). */
  readonly metadata: Readonly<Record<string, unknown>> | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Undefined when the answer carried no organization linkage. */
  readonly organizationId: string | undefined;
  /** `null` when the credential has no role. */
  readonly roleId: string | null;
}

const PATH = "/api_credentials";
/** Asked for on every request so relationship linkage is present even where the API only sends it when included. */
const INCLUDE = "organization,role";
/** Largest page Commerce Layer serves. */
export const MAX_PAGE_SIZE = 25;

const linkage = (types: readonly [string, ...string[]]) =>
  z
    .object({
      data: z
        .object({ type: z.enum(types), id: z.string().min(1) })
        .nullable()
        .optional(),
    })
    .optional();

const resourceObject = z.object({
  id: z.string().min(1),
  type: z.literal("api_credentials"),
  attributes: z.object({
    name: z.string(),
    kind: z.string(),
    confidential: z.boolean().nullable().optional(),
    redirect_uri: z.string().nullable().optional(),
    client_id: z.string().min(1),
    client_secret: z.string().min(1).nullable().optional(),
    scopes: z.string().nullable().optional(),
    expires_in: z.number().int().nullable().optional(),
    mode: z.string().nullable().optional(),
    custom: z.boolean().nullable().optional(),
    created_at: z.string(),
    updated_at: z.string(),
    reference: z.string().nullable().optional(),
    reference_origin: z.string().nullable().optional(),
    metadata: z.record(z.string(), z.unknown()).nullable().optional(),
  }),
  relationships: z
    .object({
      organization: linkage(["organization", "organizations"]),
      role: linkage(["role", "roles"]),
    })
    .optional(),
});

const singleDocument = z.object({ data: resourceObject });
const listDocument = z.object({
  data: z.array(resourceObject),
  meta: z.object({ record_count: z.number().int(), page_count: z.number().int() }).partial().optional(),
  links: z.object({ next: z.string().nullable().optional() }).partial().optional(),
});

type ResourceObject = z.infer<typeof resourceObject>;

const nonNull = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

/** Map a JSON:API resource object to an {@link ApiCredential}. */
export function apiCredentialFrom(resource: ResourceObject): ApiCredential {
  const a = resource.attributes;
  const metadata = nonNull(a.metadata);
  return {
    id: resource.id,
    name: a.name,
    kind: a.kind,
    confidential: nonNull(a.confidential),
    redirectUri: nonNull(a.redirect_uri),
    clientId: a.client_id,
    clientSecret: nonNull(a.client_secret),
    scopes: nonNull(a.scopes),
    expiresIn: nonNull(a.expires_in),
    mode: nonNull(a.mode),
    custom: nonNull(a.custom),
    reference: nonNull(a.reference),
    referenceOrigin: nonNull(a.reference_origin),
    metadata: metadata && Object.keys(metadata).length > 0 ? metadata : undefined,
    createdAt: a.created_at,
    updatedAt: a.updated_at,
    organizationId: resource.relationships?.organization?.data?.id,
    roleId: resource.relationships?.role?.data?.id ?? null,
  };
}

/** The `POST /api_credentials` document for a new credential (attributes left undefined are not sent). */
export function createDocument(input: NewApiCredential): Record<string, unknown> {
  const attributes = definedOnly({
    name: input.name,
    kind: input.kind,
    mode: input.mode,
    custom: input.custom,
    redirect_uri: input.redirectUri,
    expires_in: input.expiresIn,
    reference: input.reference,
    reference_origin: input.referenceOrigin,
    metadata: input.metadata,
  });
  return {
    data: {
      type: "api_credentials",
      attributes,
      relationships: {
        organization: { data: { type: "organizations", id: input.organizationId } },
        ...(input.roleId !== undefined ? { role: { data: { type: "roles", id: input.roleId } } } : {}),
      },
    },
  };
}

/** The `PATCH /api_credentials/{id}` document: only the given mutable attributes and, when given, the role. */
export function updateDocument(id: string, changes: ApiCredentialChanges): Record<string, unknown> {
  const attributes = definedOnly({
    name: changes.name,
    redirect_uri: changes.redirectUri,
    expires_in: changes.expiresIn,
    reference: changes.reference,
    reference_origin: changes.referenceOrigin,
    metadata: changes.metadata,
  });
  const data: Record<string, unknown> = { type: "api_credentials", id, attributes };
  if (changes.roleId !== undefined) {
    // JSON:API removes a to-one relationship with `data: null`.
    data.relationships = { role: { data: changes.roleId === null ? null : { type: "roles", id: changes.roleId } } };
  }
  return { data };
}

function definedOnly(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(values)) if (values[key] !== undefined) out[key] = values[key];
  return out;
}

function parseSingle(body: unknown, method: string, path: string): ApiCredential {
  return apiCredentialFrom(parsePayload(singleDocument, body, { service: COMMERCE_LAYER, method, path }).data);
}

const itemPath = (id: string): string => `${PATH}/${pathSegment(id, "The API credential id")}`;

/** `POST /api_credentials`: create a credential; the answer is the one place its client secret is sure to appear. */
export async function createApiCredential(http: HttpClient, input: NewApiCredential): Promise<ApiCredential> {
  const { body } = await http.request({
    method: "POST",
    path: PATH,
    query: { include: INCLUDE },
    body: createDocument(input),
  });
  return parseSingle(body, "POST", PATH);
}

/** `GET /api_credentials/{id}`; undefined when the credential does not exist (or is not visible to this user). */
export async function retrieveApiCredential(http: HttpClient, id: string): Promise<ApiCredential | undefined> {
  try {
    const { body } = await http.request({ method: "GET", path: itemPath(id), query: { include: INCLUDE } });
    return parseSingle(body, "GET", itemPath(id));
  } catch (err) {
    if (err instanceof ApiError && err.isNotFound()) return undefined;
    throw err;
  }
}

/** `PATCH /api_credentials/{id}` with the given changes. */
export async function updateApiCredential(
  http: HttpClient,
  id: string,
  changes: ApiCredentialChanges,
): Promise<ApiCredential> {
  const { body } = await http.request({
    method: "PATCH",
    path: itemPath(id),
    query: { include: INCLUDE },
    body: updateDocument(id, changes),
  });
  return parseSingle(body, "PATCH", itemPath(id));
}

/** `DELETE /api_credentials/{id}`; false when it was already gone. */
export async function deleteApiCredential(http: HttpClient, id: string): Promise<boolean> {
  try {
    await http.request({ method: "DELETE", path: itemPath(id) });
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.isNotFound()) return false;
    throw err;
  }
}

/**
 * Every credential named exactly `name` visible to the provisioning user (`filter[q][name_eq]`, all pages).
 * Callers pick the organization themselves: the organization filter is not documented for this endpoint.
 */
export async function listApiCredentialsNamed(http: HttpClient, name: string): Promise<ApiCredential[]> {
  const found: ApiCredential[] = [];
  for (let page = 1; ; page++) {
    const { body } = await http.request({
      method: "GET",
      path: PATH,
      query: {
        "filter[q][name_eq]": name,
        include: INCLUDE,
        "page[number]": page,
        "page[size]": MAX_PAGE_SIZE,
      },
    });
    const doc = parsePayload(listDocument, body, { service: COMMERCE_LAYER, method: "GET", path: PATH });
    found.push(...doc.data.map(apiCredentialFrom));
    const pageCount = doc.meta?.page_count;
    const more = pageCount !== undefined ? page < pageCount : Boolean(doc.links?.next) && doc.data.length > 0;
    if (!more) return found;
  }
}
