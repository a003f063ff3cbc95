/**
 * How organizations, roles and API credentials look on the wire: JSON:API resource objects shaped like the
 * contract's `*Response` schemas. Note the contract's quirk kept on purpose: inside responses, to-one
 * relationship linkage uses the singular types `organization`/`role`, while resource objects (and requests) use
 * the plural `organizations`/`roles`.
 */
import type { ApiContext } from "./jsonApi";
import type { ApiCredentialRecord, OrganizationRecord, RoleRecord } from "./state";

/** A serialized JSON:API resource object. */
export interface ResourceObject {
  readonly id: string;
  readonly type: string;
  readonly links: { readonly self: string };
  readonly attributes: Record<string, unknown>;
  readonly relationships: Record<string, unknown>;
}

function selfLink(ctx: ApiContext, type: string, id: string): string {
  return `${ctx.origin}/api/${type}/${id}`;
}

function relationshipLinks(self: string, name: string): { self: string; related: string } {
  return { self: `${self}/relationships/${name}`, related: `${self}/${name}` };
}

/**
 * A to-one relationship. Linkage (`data`) is present when the settings say always, or the client included it;
 * an empty relationship never carries `data: null` because the contract types `data` as a non-nullable object.
 */
function toOne(
  ctx: ApiContext,
  self: string,
  name: string,
  linkage: { type: string; id: string | null },
  includes: readonly string[],
): Record<string, unknown> {
  const withData = ctx.state.settings.relationshipData === "always" || includes.includes(name);
  return {
    links: relationshipLinks(self, name),
    ...(withData && linkage.id !== null ? { data: { type: linkage.type, id: linkage.id } } : {}),
  };
}

/** An organization resource. */
export function serializeOrganization(ctx: ApiContext, org: OrganizationRecord): ResourceObject {
  const self = selfLink(ctx, "organizations", org.id);
  const credentialCount = [...ctx.state.apiCredentials.values()].filter((c) => c.organizationId === org.id).length;
  return {
    id: org.id,
    type: "organizations",
    links: { self },
    attributes: {
      name: org.name,
      slug: org.slug,
      domain: `${org.slug}.commercelayer.io`,
      support_phone: null,
      support_email: null,
      logo_url: null,
      favicon_url: null,
      primary_color: null,
      contrast_color: null,
      gtm_id: null,
      gtm_id_test: null,
      region: org.region,
      can_switch_live: false,
      subscription_info: {
        plan_type: "growth",
        limits: { markets: 5, skus: 10000, organizations: 2, memberships: 5 },
        totals: { organizations: ctx.user.organizationIds.length, api_credentials: credentialCount },
      },
      config: null,
      created_at: org.createdAt,
      updated_at: org.createdAt,
      reference: null,
      reference_origin: null,
      metadata: {},
    },
    relationships: {
      memberships: { links: relationshipLinks(self, "memberships") },
      roles: { links: relationshipLinks(self, "roles") },
      permissions: { links: relationshipLinks(self, "permissions") },
      api_credentials: { links: relationshipLinks(self, "api_credentials") },
    },
  };
}

/** A role resource. */
export function serializeRole(ctx: ApiContext, role: RoleRecord, includes: readonly string[] = []): ResourceObject {
  const self = selfLink(ctx, "roles", role.id);
  return {
    id: role.id,
    type: "roles",
    links: { self },
    attributes: {
      name: role.name,
      kind: role.kind,
      created_at: role.createdAt,
      updated_at: role.createdAt,
      reference: null,
      reference_origin: null,
      metadata: {},
    },
    relationships: {
      organization: toOne(ctx, self, "organization", { type: "organization", id: role.organizationId }, includes),
      permissions: { links: relationshipLinks(self, "permissions") },
      memberships: { links: relationshipLinks(self, "memberships") },
      api_credentials: { links: relationshipLinks(self, "api_credentials") },
      versions: { links: relationshipLinks(self, "versions") },
    },
  };
}

/** An API credential resource; `withSecret` decides whether `client_secret` is shown. */
export function serializeApiCredential(
  ctx: ApiContext,
  cred: ApiCredentialRecord,
  options: { includes?: readonly string[]; withSecret: boolean },
): ResourceObject {
  const self = selfLink(ctx, "api_credentials", cred.id);
  const includes = options.includes ?? [];
  return {
    id: cred.id,
    type: "api_credentials",
    links: { self },
    attributes: {
      name: cred.name,
      kind: cred.kind,
      confidential: cred.confidential,
      redirect_uri: cred.redirectUri,
      client_id: cred.clientId,
      ...(options.withSecret ? { client_secret: cred.clientSecret } : {}),
      scopes: cred.scopes,
      expires_in: cred.expiresIn,
      mode: cred.mode,
      custom: cred.custom,
      created_at: cred.createdAt,
      updated_at: cred.updatedAt,
      reference: cred.reference,
      reference_origin: cred.referenceOrigin,
      metadata: cred.metadata,
    },
    relationships: {
      organization: toOne(ctx, self, "organization", { type: "organization", id: cred.organizationId }, includes),
      role: toOne(ctx, self, "role", { type: "role", id: cred.roleId }, includes),
    },
  };
}

/**
 * The `included` member for API credentials: each distinct organization and role they point at, when named in
 * `include`. Undefined when nothing was asked, so the member is left out.
 */
export function includedForApiCredentials(
  ctx: ApiContext,
  creds: readonly ApiCredentialRecord[],
  includes: readonly string[],
): ResourceObject[] | undefined {
  if (includes.length === 0) return undefined;
  const included = new Map<string, ResourceObject>();
  for (const cred of creds) {
    const org = ctx.state.organizations.get(cred.organizationId);
    if (includes.includes("organization") && org && !included.has(`organizations/${org.id}`)) {
      included.set(`organizations/${org.id}`, serializeOrganization(ctx, org));
    }
    const role = cred.roleId !== null ? ctx.state.roles.get(cred.roleId) : undefined;
    if (includes.includes("role") && role && !included.has(`roles/${role.id}`)) {
      included.set(`roles/${role.id}`, serializeRole(ctx, role));
    }
  }
  return [...included.values()];
}

/** The `included` member for roles (`include=organization`). */
export function includedForRoles(
  ctx: ApiContext,
  roles: readonly RoleRecord[],
  includes: readonly string[],
): ResourceObject[] | undefined {
  if (!includes.includes("organization")) return undefined;
  const included = new Map<string, ResourceObject>();
  for (const role of roles) {
    const org = ctx.state.organizations.get(role.organizationId);
    if (org && !included.has(org.id)) included.set(org.id, serializeOrganization(ctx, org));
  }
  return [...included.values()];
}
