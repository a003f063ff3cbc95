/**
 * `/api/api_credentials`: create, list, retrieve, update and delete API credentials of the authenticated user's
 * organizations, with Commerce Layer's rules (integration credentials need a role, sales channels and webapps
 * cannot have one, `expires_in` 7200–31536000 with per-kind defaults, `kind`/`mode`/`custom`/`organization` fixed
 * at creation).
 */
import type { EmulatorResponse, EmulatorRoute } from "../framework";
import { errorDocument, errorResponseFor, jsonApiError, validationError, type JsonApiError } from "./errors";
import {
  documentResponse,
  guardApiRequest,
  isJsonObject,
  paginate,
  parseIncludes,
  parseListQuery,
  parseResourceDocument,
  type ApiContext,
  type ListSpec,
} from "./jsonApi";
import { includedForApiCredentials, serializeApiCredential } from "./resources";
// The documented kinds are vendor documentation, one list shared with the resource (see appKinds.ts).
import { API_CREDENTIAL_KINDS, isDocumentedKind } from "../../provider/commercelayer/appKinds";
import {
  defaultExpiresIn,
  newResourceId,
  randomBase64Url,
  scopesFor,
  type ApiCredentialRecord,
  type CommerceLayerState,
} from "./state";

/** Smallest and largest `expires_in` Commerce Layer accepts (seconds). */
export const EXPIRES_IN_RANGE = { min: 7200, max: 31536000 } as const;

const CREATE_ATTRIBUTES = [
  "name",
  "kind",
  "redirect_uri",
  "expires_in",
  "mode",
  "custom",
  "reference",
  "reference_origin",
  "metadata",
] as const;
const UPDATE_ATTRIBUTES = ["name", "redirect_uri", "expires_in", "reference", "reference_origin", "metadata"] as const;
const CREATE_ONLY_ATTRIBUTES = ["kind", "mode", "custom"] as const;
const READ_ONLY_ATTRIBUTES = ["confidential", "client_id", "client_secret", "scopes", "created_at", "updated_at"];
const INCLUDES = ["organization", "role"] as const;

const listSpec: ListSpec<ApiCredentialRecord> = {
  attributes: {
    id: (c) => c.id,
    name: (c) => c.name,
    kind: (c) => c.kind,
    mode: (c) => c.mode,
    custom: (c) => c.custom,
    confidential: (c) => c.confidential,
    client_id: (c) => c.clientId,
    reference: (c) => c.reference,
    reference_origin: (c) => c.referenceOrigin,
    organization_id: (c) => c.organizationId,
    role_id: (c) => c.roleId,
    created_at: (c) => c.createdAt,
    updated_at: (c) => c.updatedAt,
  },
  includes: INCLUDES,
};

const attrPointer = (name: string): string => `/data/attributes/${name}`;
const relPointer = (name: string): string => `/data/relationships/${name}`;

/** Parsed, type-checked attribute values of a create or update request (only those sent). */
interface AttributeValues {
  name?: string;
  kind?: string;
  redirect_uri?: string | null;
  expires_in?: number | null;
  mode?: "test" | "live" | null;
  custom?: boolean | null;
  reference?: string | null;
  reference_origin?: string | null;
  metadata?: Record<string, unknown> | null;
}

/** What a relationship member asked for: absent, cleared (`data: null`) or a resource id. */
type RelationshipValue = { kind: "absent" } | { kind: "null" } | { kind: "id"; id: string };

/** 400 errors for attributes that may not be sent at all (unknown, read-only, or fixed at creation on PATCH). */
function disallowedAttributes(attributes: Record<string, unknown>, allowed: readonly string[]): JsonApiError[] {
  const errors: JsonApiError[] = [];
  for (const name of Object.keys(attributes)) {
    if (allowed.includes(name)) continue;
    let detail = `${name} is not allowed: it is not an attribute of api_credentials.`;
    if (READ_ONLY_ATTRIBUTES.includes(name)) detail = `${name} is not allowed: it is read-only.`;
    else if ((CREATE_ONLY_ATTRIBUTES as readonly string[]).includes(name)) {
      detail = `${name} is not allowed: it is fixed at creation; create a new API credential to change it.`;
    }
    errors.push(
      jsonApiError(400, "PARAM_NOT_ALLOWED", detail, { title: "Param not allowed", pointer: attrPointer(name) }),
    );
  }
  return errors;
}

/** Type- and range-check the attributes that were sent; 422 errors name each attribute. */
function checkAttributes(attributes: Record<string, unknown>): { values: AttributeValues; errors: JsonApiError[] } {
  const values: AttributeValues = {};
  const errors: JsonApiError[] = [];
  const nullableString = (name: "redirect_uri" | "reference" | "reference_origin"): void => {
    if (!(name in attributes)) return;
    const v = attributes[name];
    if (v === null || typeof v === "string") values[name] = v;
    else errors.push(validationError(attrPointer(name), "is invalid", "invalid", "must be a string or null"));
  };

  if ("name" in attributes) {
    const v = attributes.name;
    if (typeof v === "string" && v.trim() !== "") values.name = v;
    else if (v === null || v === "" || typeof v === "string") {
      errors.push(validationError(attrPointer("name"), "can't be blank", "blank", "send a non-empty name"));
    } else errors.push(validationError(attrPointer("name"), "is invalid", "invalid", "must be a string"));
  }
  if ("kind" in attributes) {
    const v = attributes.kind;
    if (typeof v === "string" && isDocumentedKind(v)) values.kind = v;
    else if (v === null || v === "") {
      errors.push(validationError(attrPointer("kind"), "can't be blank", "blank", "send the credential kind"));
    } else {
      errors.push(
        validationError(
          attrPointer("kind"),
          "is not included in the list",
          "inclusion",
          `use one of ${API_CREDENTIAL_KINDS.join(", ")}`,
        ),
      );
    }
  }
  nullableString("redirect_uri");
  if (typeof values.redirect_uri === "string" && !/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(values.redirect_uri)) {
    errors.push(validationError(attrPointer("redirect_uri"), "is invalid", "invalid", "must be an absolute URI"));
  }
  if ("expires_in" in attributes) {
    const v = attributes.expires_in;
    if (v === null) values.expires_in = null;
    else if (typeof v !== "number" || !Number.isInteger(v)) {
      errors.push(
        validationError(
          attrPointer("expires_in"),
          "is not a number",
          "not_an_integer",
          "must be an integer of seconds",
        ),
      );
    } else if (v < EXPIRES_IN_RANGE.min) {
      errors.push(
        validationError(
          attrPointer("expires_in"),
          `must be greater than or equal to ${EXPIRES_IN_RANGE.min}`,
          "greater_than_or_equal_to",
        ),
      );
    } else if (v > EXPIRES_IN_RANGE.max) {
      errors.push(
        validationError(
          attrPointer("expires_in"),
          `must be less than or equal to ${EXPIRES_IN_RANGE.max}`,
          "less_than_or_equal_to",
        ),
      );
    } else values.expires_in = v;
  }
  if ("mode" in attributes) {
    const v = attributes.mode;
    if (v === null || v === "test" || v === "live") values.mode = v;
    else
      errors.push(validationError(attrPointer("mode"), "is not included in the list", "inclusion", "use test or live"));
  }
  if ("custom" in attributes) {
    const v = attributes.custom;
    if (v === null || typeof v === "boolean") values.custom = v;
    else errors.push(validationError(attrPointer("custom"), "is invalid", "invalid", "must be true or false"));
  }
  nullableString("reference");
  nullableString("reference_origin");
  if ("metadata" in attributes) {
    const v = attributes.metadata;
    if (v === null || isJsonObject(v)) values.metadata = v;
    else
      errors.push(
        validationError(attrPointer("metadata"), "is invalid", "invalid", "must be an object of key-value pairs"),
      );
  }
  return { values, errors };
}

/** Parse the `relationships` member: shape errors (400) and the id or null each relationship carries. */
function parseRelationships(
  relationships: Record<string, unknown>,
  allowed: ReadonlyArray<{ name: string; type: string }>,
  fixedAtCreation: readonly string[],
): { values: Record<string, RelationshipValue>; errors: JsonApiError[] } {
  const values: Record<string, RelationshipValue> = {};
  const errors: JsonApiError[] = [];
  for (const name of allowed.map((a) => a.name)) values[name] = { kind: "absent" };
  for (const [name, member] of Object.entries(relationships)) {
    const spec = allowed.find((a) => a.name === name);
    if (!spec) {
      const detail = fixedAtCreation.includes(name)
        ? `${name} is not allowed: it is fixed at creation; create a new API credential to change it.`
        : `${name} is not allowed: it is not a relationship you can set on api_credentials.`;
      errors.push(
        jsonApiError(400, "PARAM_NOT_ALLOWED", detail, { title: "Param not allowed", pointer: relPointer(name) }),
      );
      continue;
    }
    const linkage = isJsonObject(member) ? member.data : undefined;
    if (linkage === null) {
      values[name] = { kind: "null" };
      continue;
    }
    if (!isJsonObject(linkage) || typeof linkage.id !== "string" || typeof linkage.type !== "string") {
      errors.push(
        jsonApiError(400, "INVALID_LINKS_OBJECT", `${name} must be {"data": {"type": "${spec.type}", "id": "..."}}.`, {
          title: "Invalid Links Object",
          pointer: relPointer(name),
        }),
      );
      continue;
    }
    if (linkage.type !== spec.type) {
      errors.push(
        jsonApiError(400, "TYPE_MISMATCH", `${linkage.type} is not a valid type for ${name}: use "${spec.type}".`, {
          title: "Type Mismatch",
          pointer: `${relPointer(name)}/data/type`,
        }),
      );
      continue;
    }
    values[name] = { kind: "id", id: linkage.id };
  }
  return { values, errors };
}

/** Commerce Layer's rules on the role of a credential of a given kind (422 on `/data/relationships/role`). */
function roleRuleErrors(kind: string, roleId: string | null): JsonApiError[] {
  if (kind === "integration" && roleId === null) {
    return [
      validationError(
        relPointer("role"),
        "can't be blank",
        "blank",
        "integration credentials need a role (admin, read_only or a custom role of the organization)",
      ),
    ];
  }
  if ((kind === "sales_channel" || kind === "webapp") && roleId !== null) {
    return [validationError(relPointer("role"), "must be blank", "present", `${kind} credentials cannot have a role`)];
  }
  return [];
}

function notFound(id: string): EmulatorResponse {
  return errorResponseFor(
    404,
    "RECORD_NOT_FOUND",
    `The requested resource was not found: no api_credentials with id ${id}.`,
  );
}

function findVisible(ctx: ApiContext, id: string): ApiCredentialRecord | undefined {
  const cred = ctx.state.apiCredentials.get(id);
  return cred && ctx.user.organizationIds.includes(cred.organizationId) ? cred : undefined;
}

function single(ctx: ApiContext, status: number, cred: ApiCredentialRecord, includes: string[], withSecret: boolean) {
  const included = includedForApiCredentials(ctx, [cred], includes);
  return documentResponse(status, {
    data: serializeApiCredential(ctx, cred, { includes, withSecret }),
    ...(included ? { included } : {}),
  });
}

function createApiCredential(ctx: ApiContext): EmulatorResponse {
  const includes = parseIncludes(ctx.req.query, INCLUDES);
  if (!includes.ok) return includes.response;
  const doc = parseResourceDocument(ctx.req, "api_credentials");
  if (!doc.ok) return doc.response;
  const attributes = (doc.value.attributes as Record<string, unknown> | undefined) ?? {};
  const relationships = (doc.value.relationships as Record<string, unknown> | undefined) ?? {};

  const rels = parseRelationships(
    relationships,
    [
      { name: "organization", type: "organizations" },
      { name: "role", type: "roles" },
    ],
    [],
  );
  const badRequest = [...disallowedAttributes(attributes, CREATE_ATTRIBUTES), ...rels.errors];
  if (badRequest.length > 0) return errorDocument(badRequest);

  const { values, errors } = checkAttributes(attributes);
  if (!("name" in attributes))
    errors.push(validationError(attrPointer("name"), "can't be blank", "blank", "send a name"));
  if (!("kind" in attributes))
    errors.push(validationError(attrPointer("kind"), "can't be blank", "blank", "send a kind"));

  const orgRel = rels.values.organization ?? { kind: "absent" };
  let organizationId: string | undefined;
  if (orgRel.kind !== "id") {
    errors.push(
      validationError(
        relPointer("organization"),
        "must exist",
        "blank",
        'send {"data": {"type": "organizations", "id": "..."}}',
      ),
    );
  } else if (!ctx.state.organizations.has(orgRel.id) || !ctx.user.organizationIds.includes(orgRel.id)) {
    errors.push(
      validationError(
        relPointer("organization"),
        "must exist",
        "blank",
        `no organization ${orgRel.id} among this user's organizations`,
      ),
    );
  } else organizationId = orgRel.id;

  const roleRel = rels.values.role ?? { kind: "absent" };
  let roleId: string | null = null;
  if (roleRel.kind === "id") {
    const role = ctx.state.roles.get(roleRel.id);
    if (!role || (organizationId !== undefined && role.organizationId !== organizationId)) {
      errors.push(
        validationError(relPointer("role"), "must exist", "blank", `no role ${roleRel.id} in the organization`),
      );
    } else roleId = role.id;
  }
  if (values.kind !== undefined && !errors.some((e) => e.source?.pointer === relPointer("role"))) {
    const claimedRole = roleRel.kind === "id" ? roleRel.id : null;
    errors.push(...roleRuleErrors(values.kind, claimedRole));
  }
  if (errors.length > 0 || values.name === undefined || values.kind === undefined || organizationId === undefined) {
    return errorDocument(errors);
  }

  const now = new Date().toISOString();
  const kind = values.kind;
  const record: ApiCredentialRecord = {
    id: newResourceId(),
    name: values.name,
    kind,
    confidential: kind !== "sales_channel",
    redirectUri: values.redirect_uri ?? null,
    clientId: randomBase64Url(32),
    clientSecret: randomBase64Url(32),
    scopes: scopesFor(kind),
    expiresIn: values.expires_in ?? defaultExpiresIn(kind),
    mode: values.mode ?? "test",
    custom: values.custom ?? false,
    reference: values.reference ?? null,
    referenceOrigin: values.reference_origin ?? null,
    metadata: values.metadata === undefined ? {} : values.metadata,
    organizationId,
    roleId,
    createdAt: now,
    updatedAt: now,
  };
  ctx.state.apiCredentials.set(record.id, record);
  ctx.state.history.push({ event: "created", id: record.id, name: record.name, at: now });
  // The secret is always in the create answer: it is the one moment a client is sure to see it.
  return single(ctx, 201, record, includes.value, true);
}

function listApiCredentials(ctx: ApiContext): EmulatorResponse {
  const query = parseListQuery(ctx.req.query, listSpec);
  if (!query.ok) return query.response;
  const { page, meta, links } = paginate(ctx.state.apiCredentialsOf(ctx.user), query.value, ctx);
  const withSecret = ctx.state.settings.clientSecretOnRead;
  const included = includedForApiCredentials(ctx, page, query.value.includes);
  return documentResponse(200, {
    data: page.map((c) => serializeApiCredential(ctx, c, { includes: query.value.includes, withSecret })),
    ...(included ? { included } : {}),
    meta,
    links,
  });
}

function retrieveApiCredential(ctx: ApiContext): EmulatorResponse {
  const id = ctx.req.params.apiCredentialId ?? "";
  const includes = parseIncludes(ctx.req.query, INCLUDES);
  if (!includes.ok) return includes.response;
  const cred = findVisible(ctx, id);
  if (!cred) return notFound(id);
  return single(ctx, 200, cred, includes.value, ctx.state.settings.clientSecretOnRead);
}

function updateApiCredential(ctx: ApiContext): EmulatorResponse {
  const id = ctx.req.params.apiCredentialId ?? "";
  const includes = parseIncludes(ctx.req.query, INCLUDES);
  if (!includes.ok) return includes.response;
  const cred = findVisible(ctx, id);
  if (!cred) return notFound(id);
  const doc = parseResourceDocument(ctx.req, "api_credentials", id);
  if (!doc.ok) return doc.response;
  const attributes = (doc.value.attributes as Record<string, unknown> | undefined) ?? {};
  const relationships = (doc.value.relationships as Record<string, unknown> | undefined) ?? {};

  const rels = parseRelationships(relationships, [{ name: "role", type: "roles" }], ["organization"]);
  const badRequest = [...disallowedAttributes(attributes, UPDATE_ATTRIBUTES), ...rels.errors];
  if (badRequest.length > 0) return errorDocument(badRequest);

  const { values, errors } = checkAttributes(attributes);
  const roleRel = rels.values.role ?? { kind: "absent" };
  let roleId = cred.roleId;
  if (roleRel.kind === "null") roleId = null;
  if (roleRel.kind === "id") {
    const role = ctx.state.roles.get(roleRel.id);
    if (!role || role.organizationId !== cred.organizationId) {
      errors.push(
        validationError(relPointer("role"), "must exist", "blank", `no role ${roleRel.id} in the organization`),
      );
    } else roleId = role.id;
  }
  if (!errors.some((e) => e.source?.pointer === relPointer("role"))) errors.push(...roleRuleErrors(cred.kind, roleId));
  if (errors.length > 0) return errorDocument(errors);

  if (values.name !== undefined) cred.name = values.name;
  if (values.redirect_uri !== undefined) cred.redirectUri = values.redirect_uri;
  if (values.expires_in !== undefined) cred.expiresIn = values.expires_in ?? defaultExpiresIn(cred.kind);
  if (values.reference !== undefined) cred.reference = values.reference;
  if (values.reference_origin !== undefined) cred.referenceOrigin = values.reference_origin;
  if (values.metadata !== undefined) cred.metadata = values.metadata;
  cred.roleId = roleId;
  cred.updatedAt = new Date().toISOString();
  return single(ctx, 200, cred, includes.value, ctx.state.settings.clientSecretOnRead);
}

function deleteApiCredential(ctx: ApiContext): EmulatorResponse {
  const id = ctx.req.params.apiCredentialId ?? "";
  const record = findVisible(ctx, id);
  if (!record) return notFound(id);
  ctx.state.apiCredentials.delete(id);
  ctx.state.history.push({ event: "deleted", id, name: record.name, at: new Date().toISOString() });
  return { status: 204 };
}

/** The API credential routes. */
export function apiCredentialRoutes(state: CommerceLayerState): EmulatorRoute[] {
  const route = (method: string, template: string, handler: (ctx: ApiContext) => EmulatorResponse): EmulatorRoute => ({
    method,
    template,
    handle: (req) => guardApiRequest(state, req, handler),
  });
  return [
    route("POST", "/api/api_credentials", createApiCredential),
    route("GET", "/api/api_credentials", listApiCredentials),
    route("GET", "/api/api_credentials/{apiCredentialId}", retrieveApiCredential),
    route("PATCH", "/api/api_credentials/{apiCredentialId}", updateApiCredential),
    route("DELETE", "/api/api_credentials/{apiCredentialId}", deleteApiCredential),
  ];
}
