/**
 * Read-only organizations and roles of the authenticated user: `/api/organizations`, `/api/organizations/{id}`,
 * `/api/organizations/{id}/roles`, `/api/roles`, `/api/roles/{id}`. Other users' organizations answer 404.
 */
import type { EmulatorResponse, EmulatorRoute } from "../framework";
import { errorResponseFor } from "./errors";
import {
  documentResponse,
  guardApiRequest,
  paginate,
  parseIncludes,
  parseListQuery,
  type ApiContext,
  type ListSpec,
} from "./jsonApi";
import { includedForRoles, serializeOrganization, serializeRole } from "./resources";
import type { CommerceLayerState, OrganizationRecord, RoleRecord } from "./state";

const organizationSpec: ListSpec<OrganizationRecord> = {
  attributes: {
    id: (o) => o.id,
    name: (o) => o.name,
    slug: (o) => o.slug,
    region: (o) => o.region,
    created_at: (o) => o.createdAt,
  },
  includes: [],
};

const roleSpec: ListSpec<RoleRecord> = {
  attributes: {
    id: (r) => r.id,
    name: (r) => r.name,
    kind: (r) => r.kind,
    organization_id: (r) => r.organizationId,
    created_at: (r) => r.createdAt,
  },
  includes: ["organization"],
};

function notFound(type: string, id: string): EmulatorResponse {
  return errorResponseFor(404, "RECORD_NOT_FOUND", `The requested resource was not found: no ${type} with id ${id}.`);
}

function visibleOrganization(ctx: ApiContext, id: string): OrganizationRecord | undefined {
  return ctx.user.organizationIds.includes(id) ? ctx.state.organizations.get(id) : undefined;
}

function listOrganizations(ctx: ApiContext): EmulatorResponse {
  const query = parseListQuery(ctx.req.query, organizationSpec);
  if (!query.ok) return query.response;
  const { page, meta, links } = paginate(ctx.state.organizationsOf(ctx.user), query.value, ctx);
  return documentResponse(200, { data: page.map((o) => serializeOrganization(ctx, o)), meta, links });
}

function retrieveOrganization(ctx: ApiContext): EmulatorResponse {
  const id = ctx.req.params.organizationId ?? "";
  const includes = parseIncludes(ctx.req.query, organizationSpec.includes);
  if (!includes.ok) return includes.response;
  const org = visibleOrganization(ctx, id);
  return org ? documentResponse(200, { data: serializeOrganization(ctx, org) }) : notFound("organizations", id);
}

function roleList(ctx: ApiContext, roles: RoleRecord[]): EmulatorResponse {
  const query = parseListQuery(ctx.req.query, roleSpec);
  if (!query.ok) return query.response;
  const { page, meta, links } = paginate(roles, query.value, ctx);
  const included = includedForRoles(ctx, page, query.value.includes);
  return documentResponse(200, {
    data: page.map((r) => serializeRole(ctx, r, query.value.includes)),
    ...(included ? { included } : {}),
    meta,
    links,
  });
}

function listRoles(ctx: ApiContext): EmulatorResponse {
  return roleList(ctx, ctx.state.rolesOf(ctx.user));
}

function listOrganizationRoles(ctx: ApiContext): EmulatorResponse {
  const id = ctx.req.params.organizationId ?? "";
  if (!visibleOrganization(ctx, id)) return notFound("organizations", id);
  return roleList(
    ctx,
    ctx.state.rolesOf(ctx.user).filter((r) => r.organizationId === id),
  );
}

function retrieveRole(ctx: ApiContext): EmulatorResponse {
  const id = ctx.req.params.roleId ?? "";
  const includes = parseIncludes(ctx.req.query, roleSpec.includes);
  if (!includes.ok) return includes.response;
  const role = ctx.state.roles.get(id);
  if (!role || !ctx.user.organizationIds.includes(role.organizationId)) return notFound("roles", id);
  const included = includedForRoles(ctx, [role], includes.value);
  return documentResponse(200, { data: serializeRole(ctx, role, includes.value), ...(included ? { included } : {}) });
}

/** The organization and role routes. */
export function organizationRoutes(state: CommerceLayerState): EmulatorRoute[] {
  const route = (template: string, handler: (ctx: ApiContext) => EmulatorResponse): EmulatorRoute => ({
    method: "GET",
    template,
    handle: (req) => guardApiRequest(state, req, handler),
  });
  return [
    route("/api/organizations", listOrganizations),
    route("/api/organizations/{organizationId}", retrieveOrganization),
    route("/api/organizations/{organizationId}/roles", listOrganizationRoles),
    route("/api/roles", listRoles),
    route("/api/roles/{roleId}", retrieveRole),
  ];
}
