/**
 * The Commerce Layer Provisioning API client for organizations and their roles (read-only): one function per
 * operation, JSON:API documents read here (zod-checked), everything else (token, retries, errors) in the shared HTTP
 * client.
 */
import { z } from "zod";
import { ApiError, parsePayload, type HttpClient } from "../http";
import { pathSegment } from "../http/path";
import { MAX_PAGE_SIZE } from "./apiCredentials";
import { COMMERCE_LAYER } from "./http";

/** An organization as the platform reports it, in this package's names. */
export interface Organization {
  readonly id: string;
  readonly name: string;
  /** Undefined when the platform does not send it. */
  readonly slug: string | undefined;
  readonly domain: string | undefined;
  readonly region: string | undefined;
}

/** A role of an organization. */
export interface Role {
  readonly id: string;
  readonly name: string;
  /** `admin`, `read_only` or `custom`. */
  readonly kind: string;
}

const optionalText = z.string().nullable().optional();

const organizationObject = z.object({
  id: z.string().min(1),
  type: z.literal("organizations"),
  attributes: z.object({
    name: z.string(),
    slug: optionalText,
    domain: optionalText,
    region: optionalText,
  }),
});

const roleObject = z.object({
  id: z.string().min(1),
  type: z.literal("roles"),
  // The contract documents `kind` on every role; a role without one is read as `custom` rather than refused.
  attributes: z.object({ name: z.string(), kind: z.string().nullable().optional() }),
});

const pageInfo = {
  meta: z.object({ record_count: z.number().int(), page_count: z.number().int() }).partial().optional(),
  links: z.object({ next: z.string().nullable().optional() }).partial().optional(),
};

const organizationDocument = z.object({ data: organizationObject });
const organizationList = z.object({ data: z.array(organizationObject), ...pageInfo });
const roleList = z.object({ data: z.array(roleObject), ...pageInfo });

const nonNull = (v: string | null | undefined): string | undefined => v ?? undefined;

function organizationFrom(resource: z.infer<typeof organizationObject>): Organization {
  const a = resource.attributes;
  return { id: resource.id, name: a.name, slug: nonNull(a.slug), domain: nonNull(a.domain), region: nonNull(a.region) };
}

const organizationPath = (id: string): string => `/organizations/${pathSegment(id, "organizationId")}`;

/** `GET /organizations/{id}`; undefined when it does not exist or the provisioning user cannot see it. */
export async function retrieveOrganization(http: HttpClient, id: string): Promise<Organization | undefined> {
  const path = organizationPath(id);
  try {
    const { body } = await http.request({ method: "GET", path });
    return organizationFrom(
      parsePayload(organizationDocument, body, { service: COMMERCE_LAYER, method: "GET", path }).data,
    );
  } catch (err) {
    if (err instanceof ApiError && err.isNotFound()) return undefined;
    throw err;
  }
}

/** Every page of a paginated list, `parse` reading one page's document. */
async function allPages<T>(
  http: HttpClient,
  path: string,
  parse: (body: unknown) => { items: T[]; pageCount: number | undefined; next: boolean },
): Promise<T[]> {
  const found: T[] = [];
  for (let page = 1; ; page++) {
    const { body } = await http.request({
      method: "GET",
      path,
      query: { "page[number]": page, "page[size]": MAX_PAGE_SIZE },
    });
    const { items, pageCount, next } = parse(body);
    found.push(...items);
    const more = pageCount !== undefined ? page < pageCount : next && items.length > 0;
    if (!more) return found;
  }
}

/** `GET /organizations`: every organization the provisioning user can see (all pages). */
export function listOrganizations(http: HttpClient): Promise<Organization[]> {
  const path = "/organizations";
  return allPages(http, path, (body) => {
    const doc = parsePayload(organizationList, body, { service: COMMERCE_LAYER, method: "GET", path });
    return { items: doc.data.map(organizationFrom), pageCount: doc.meta?.page_count, next: Boolean(doc.links?.next) };
  });
}

/** `GET /organizations/{id}/roles`: every role of the organization (all pages). */
export function listOrganizationRoles(http: HttpClient, organizationId: string): Promise<Role[]> {
  const path = `${organizationPath(organizationId)}/roles`;
  return allPages(http, path, (body) => {
    const doc = parsePayload(roleList, body, { service: COMMERCE_LAYER, method: "GET", path });
    return {
      items: doc.data.map((r) => ({ id: r.id, name: r.attributes.name, kind: r.attributes.kind ?? "custom" })),
      pageCount: doc.meta?.page_count,
      next: Boolean(doc.links?.next),
    };
  });
}
