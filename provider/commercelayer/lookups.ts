/**
 * Lookups of Commerce Layer objects (provider/lookup.ts): an organization with its roles, and one role of an
 * organization by name or kind, read through the Provisioning API with the account's provisioning client.
 */
import { z } from "zod";
import { pathSegmentText } from "../check";
import type { ProviderContext } from "../context";
import { ApiError } from "../http";
import { lookupAccountInput } from "../config";
import { LookupError, type LookupDefinition } from "../lookup";
import { commerceLayerHttp } from "./http";
import { listOrganizationRoles, listOrganizations, retrieveOrganization, type Role } from "./organizations";

/** The kinds of Commerce Layer roles. */
export const ROLE_KINDS = ["admin", "read_only", "custom"] as const;

const organizationId = () =>
  pathSegmentText("organizationId", "set it to the organization's id (e.g. BlueBrnd01)", 64).describe(
    "Id of the Commerce Layer organization (e.g. `BlueBrnd01`).",
  );

const roleSchema = z.object({
  roleId: z.string().describe("Id of the role (the `roleId` of an ApiCredential)."),
  name: z.string().describe("The role's name."),
  kind: z.string().describe("`admin`, `read_only` or `custom`."),
});

/** The arguments of `commercelayer.getOrganization`. */
export const getOrganizationArgs = z.object({
  organizationId: organizationId(),
  account: lookupAccountInput("commercelayer"),
});

/** The arguments of `commercelayer.getOrganization`. */
export type GetOrganizationArgs = z.output<typeof getOrganizationArgs>;

/** The result of `commercelayer.getOrganization`. */
export const getOrganizationResult = z.object({
  organizationId: z.string().describe("Id of the organization."),
  name: z.string().describe("The organization's name."),
  slug: z.string().optional().describe("The organization's slug; absent when the platform gives none."),
  domain: z.string().optional().describe("The organization's domain; absent when the platform gives none."),
  region: z.string().optional().describe("The region the organization is hosted in (e.g. `eu-west-1`)."),
  roles: z
    .array(roleSchema)
    .describe("Every role of the organization: its `admin` and `read_only` roles and any custom ones."),
});

/** The result of `commercelayer.getOrganization`. */
export type GetOrganizationResult = z.output<typeof getOrganizationResult>;

/** The arguments of `commercelayer.getRole`. */
export const getRoleArgs = z
  .object({
    organizationId: organizationId(),
    name: z
      .string({ error: "name must be a string; set it to the role's name, or give kind instead" })
      .min(1, { error: "name must not be empty; set it to the role's name, or give kind instead" })
      .optional()
      .describe("The role's name (exact match). Give `name` or `kind`, not both."),
    kind: z
      .enum(ROLE_KINDS, {
        error: `kind must be one of ${ROLE_KINDS.join(", ")}; or give the role's name instead`,
      })
      .optional()
      .describe(
        "The role's kind: `admin` or `read_only` (every organization has one of each), or `custom` when the " +
          "organization has exactly one custom role. Give `name` or `kind`, not both.",
      ),
    account: lookupAccountInput("commercelayer"),
  })
  .superRefine((args, ctx) => {
    if ((args.name === undefined) === (args.kind === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: [args.name === undefined ? "name" : "kind"],
        message:
          args.name === undefined
            ? "give the role's name or its kind (admin, read_only, custom)"
            : "give name or kind, not both: remove one",
      });
    }
  });

/** The arguments of `commercelayer.getRole`. */
export type GetRoleArgs = z.output<typeof getRoleArgs>;

/** The result of `commercelayer.getRole`. */
export const getRoleResult = roleSchema.extend({
  organizationId: z.string().describe("Id of the organization the role belongs to."),
});

/** The result of `commercelayer.getRole`. */
export type GetRoleResult = z.output<typeof getRoleResult>;

/**
 * The error for an organization the provisioning user cannot see, naming the ones it can (one more call, made only
 * on this path).
 */
async function unknownOrganization(ctx: ProviderContext, id: string): Promise<LookupError> {
  const visible = await listOrganizations(commerceLayerHttp(ctx));
  const list = visible.map((o) => `${o.id} (${o.name})`).join(", ");
  return new LookupError(
    `Commerce Layer organization ${JSON.stringify(id)} does not exist or is not visible to this provisioning client; ` +
      `set organizationId to ${visible.length ? `one of: ${list}` : "an organization of the client (it sees none)"}.`,
  );
}

/** The roles of an organization, or the error naming the organizations the client can see. */
async function rolesOf(ctx: ProviderContext, organizationId: string): Promise<Role[]> {
  try {
    return await listOrganizationRoles(commerceLayerHttp(ctx), organizationId);
  } catch (err) {
    if (err instanceof ApiError && err.isNotFound()) throw await unknownOrganization(ctx, organizationId);
    throw err;
  }
}

const describeRoles = (roles: readonly Role[]): string =>
  roles.map((r) => `${JSON.stringify(r.name)} (${r.kind}, ${r.id})`).join(", ") || "none";

const roleResult = (role: Role) => ({ roleId: role.id, name: role.name, kind: role.kind });

/** `commercelayer.getOrganization`: an organization and its roles. */
export const organizationLookup: LookupDefinition<GetOrganizationArgs, GetOrganizationResult> = {
  token: { module: "commercelayer", name: "getOrganization" },
  description:
    "Reads a Commerce Layer organization visible to the provisioning client, with every role it has (id, name, " +
    "kind), e.g. to pick the roleId of an integration credential. Manages nothing; runs in previews too.",
  args: getOrganizationArgs,
  result: getOrganizationResult,
  async read(ctx, args) {
    // Both at once; a missing organization fails both, and the organization's answer decides the message.
    const [organization, roles] = await Promise.allSettled([
      retrieveOrganization(commerceLayerHttp(ctx), args.organizationId),
      listOrganizationRoles(commerceLayerHttp(ctx), args.organizationId),
    ]);
    if (organization.status === "rejected") throw organization.reason;
    if (organization.value === undefined) throw await unknownOrganization(ctx, args.organizationId);
    if (roles.status === "rejected") throw roles.reason;
    const org = organization.value;
    return {
      organizationId: org.id,
      name: org.name,
      ...(org.slug !== undefined ? { slug: org.slug } : {}),
      ...(org.domain !== undefined ? { domain: org.domain } : {}),
      ...(org.region !== undefined ? { region: org.region } : {}),
      roles: roles.value.map(roleResult),
    };
  },
};

/** `commercelayer.getRole`: one role of an organization, by name or by kind. */
export const roleLookup: LookupDefinition<GetRoleArgs, GetRoleResult> = {
  token: { module: "commercelayer", name: "getRole" },
  description:
    "Finds one role of a Commerce Layer organization by its name or its kind (`admin`, `read_only`, or `custom` " +
    "when there is one custom role), e.g. for the roleId of an integration credential. Fails naming the valid role " +
    "names and kinds when none (or several) match. Manages nothing; runs in previews too.",
  args: getRoleArgs,
  result: getRoleResult,
  async read(ctx, args) {
    const roles = await rolesOf(ctx, args.organizationId);
    const by = args.name !== undefined ? "name" : "kind";
    const wanted = (args.name ?? args.kind)!;
    const matches = roles.filter((r) => (by === "name" ? r.name === wanted : r.kind === wanted));
    const where = `organization ${args.organizationId}`;
    if (matches.length === 0) {
      throw new LookupError(
        `No role with ${by} ${JSON.stringify(wanted)} in ${where}; set ${by} to one of its roles: ` +
          `${describeRoles(roles)}.`,
      );
    }
    if (matches.length > 1) {
      throw new LookupError(
        `${matches.length} roles have ${by} ${JSON.stringify(wanted)} in ${where}: ${describeRoles(matches)}; ` +
          (by === "kind" ? "give the role's name instead of its kind." : "use the role's id directly."),
      );
    }
    return { ...roleResult(matches[0]!), organizationId: args.organizationId };
  },
};
