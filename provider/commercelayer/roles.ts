/**
 * The check of a credential's `roleId` against its organization's roles, with the per-process memo that makes one
 * roles read per organization serve every credential of a `pulumi up` (the read itself is in organizations.ts).
 */
import type { ProviderContext } from "../context";
import { ApiError } from "../http";
import { RefusedError } from "../resource";
import { commerceLayerHttp } from "./http";
import { listOrganizationRoles, type Role } from "./organizations";

/** The organization's roles; undefined when it does not exist or the provisioning user cannot see it (404). */
async function rolesOrUndefined(ctx: ProviderContext, organizationId: string): Promise<Role[] | undefined> {
  try {
    return await listOrganizationRoles(commerceLayerHttp(ctx), organizationId);
  } catch (err) {
    if (err instanceof ApiError && err.isNotFound()) return undefined;
    throw err;
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
  const read = rolesOrUndefined(ctx, organizationId);
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
