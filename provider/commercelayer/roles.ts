/**
 * The Commerce Layer Provisioning API client for an organization's roles (`GET /organizations/{id}/roles`, all pages),
 * and the process-wide memo that makes one call per organization serve every credential of a `pulumi up`.
 */
import { z } from "zod";
import type { ProviderContext } from "../context";
import { ApiError, parsePayload, type HttpClient } from "../http";
import { pathSegment } from "../http/path";
import { RefusedError } from "../resource";
import { MAX_PAGE_SIZE } from "./apiCredentials";
import { COMMERCE_LAYER, commerceLayerHttp } from "./http";

/** A role of an organization, in this package's names. */
export interface Role {
  readonly id: string;
  readonly name: string;
  /** `admin`, `read_only` or `custom`. */
  readonly kind: string;
}

const roleObject = z.object({
  id: z.string().min(1),
  type: z.literal("roles"),
  attributes: z.object({ name: z.string(), kind: z.string().nullable().optional() }),
});
const roleList = z.object({
  data: z.array(roleObject),
  meta: z.object({ page_count: z.number().int() }).partial().optional(),
  links: z.object({ next: z.string().nullable().optional() }).partial().optional(),
});

/**
 * `GET /organizations/{organizationId}/roles`, every page; undefined when the organization does not exist or is not
 * visible to the provisioning user (404).
 */
export async function listOrganizationRoles(http: HttpClient, organizationId: string): Promise<Role[] | undefined> {
  const path = `/organizations/${pathSegment(organizationId, "organizationId")}/roles`;
  const roles: Role[] = [];
  for (let page = 1; ; page++) {
    let body: unknown;
    try {
      ({ body } = await http.request({
        method: "GET",
        path,
        query: { "page[number]": page, "page[size]": MAX_PAGE_SIZE },
      }));
    } catch (err) {
      if (err instanceof ApiError && err.isNotFound()) return undefined;
      throw err;
    }
    const doc = parsePayload(roleList, body, { service: COMMERCE_LAYER, method: "GET", path });
    roles.push(...doc.data.map((r) => ({ id: r.id, name: r.attributes.name, kind: r.attributes.kind ?? "custom" })));
    const pageCount = doc.meta?.page_count;
    const more = pageCount !== undefined ? page < pageCount : Boolean(doc.links?.next) && doc.data.length > 0;
    if (!more) return roles;
  }
}

/**
 * The roles of an organization, read once per account and organization in this process: every credential of a
 * `pulumi up` (they run in parallel) shares the one request. A failed read is not kept, so the next caller retries.
 */
export function organizationRoles(ctx: ProviderContext, organizationId: string): Promise<Role[] | undefined> {
  const reads = ctx.memo("commercelayer.organizationRoles", () => new Map<string, Promise<Role[] | undefined>>());
  const cached = reads.get(organizationId);
  if (cached) return cached;
  const read = listOrganizationRoles(commerceLayerHttp(ctx), organizationId);
  reads.set(organizationId, read);
  read.catch(() => reads.delete(organizationId));
  return read;
}

/**
 * Refuse, before any write, a `roleId` that is not a role of the organization, listing the valid ones. An
 * organization the provisioning user cannot see is refused too (naming `organizationId`).
 */
export async function checkRoleOfOrganization(
  ctx: ProviderContext,
  organizationId: string,
  roleId: string,
): Promise<void> {
  const roles = await organizationRoles(ctx, organizationId);
  if (roles === undefined) {
    throw new RefusedError(
      `Commerce Layer organization ${organizationId} (organizationId) does not exist or is not visible to this ` +
        "provisioning client. Use the id of an organization the client's user belongs to (Commerce Layer " +
        "dashboard, organization settings), or configure the client of a user who belongs to it.",
    );
  }
  if (roles.some((r) => r.id === roleId)) return;
  const valid = roles.map((r) => `"${r.name}" (${r.kind}) ${r.id}`).join(", ");
  throw new RefusedError(
    `roleId "${roleId}" is not a role of Commerce Layer organization ${organizationId}. Set roleId to one of its ` +
      `roles: ${valid || "none found"}. Nothing was written.`,
  );
}
