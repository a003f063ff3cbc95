/**
 * `commercelayer.ApiCredential`: an OAuth API credential (client id/secret) of a Commerce Layer organization,
 * managed through the Provisioning API. Its schema, check and diff rules, and lifecycle; the HTTP calls live in
 * apiCredentials.ts.
 *
 * Duplicate names: Commerce Layer allows several credentials with the same name in one organization, and so does
 * this resource: without `adopt`, create always makes a new credential. With `adopt: true`, create takes over the
 * one credential of that name in the organization (and refuses when there are several).
 *
 * Lost create answers: POST is not idempotent and names are not unique, so each create sends its own random marker
 * in `metadata` ({@link CREATE_MARKER_KEY}) and a lost answer is reconciled by that marker and every sent attribute
 * only. When not even a list can tell whether the credential exists, the resource stays in the stack under the
 * provisional id `unconfirmed:<marker>`, which read, update and delete resolve by the marker.
 */
import { createHash, randomUUID } from "node:crypto";
import { z } from "zod";
import { MAX_URL_LENGTH, checkWithSchema, requiredText, rotationTriggersInput, withSchemaDefaults } from "../check";
import { accountInput } from "../config";
import type { ProviderContext } from "../context";
import { ApiError, retry, type HttpClient } from "../http";
import {
  PartialFailure,
  RefusedError,
  UNKNOWN,
  inputKeys,
  sameValue,
  type CheckFailure,
  type CheckResult,
  type Created,
  type DiffResult,
  type ReadResult,
  type ResourceDefinition,
  type State,
  type StateOf,
} from "../resource";
import {
  createApiCredential,
  deleteApiCredential,
  listApiCredentialsNamed,
  retrieveApiCredential,
  updateApiCredential,
  type ApiCredential,
  type ApiCredentialChanges,
  type NewApiCredential,
} from "./apiCredentials";
import { commerceLayerHttp } from "./http";
import { API_CREDENTIAL_KINDS, DASHBOARD_APP_KINDS, type ApiCredentialKind } from "./appKinds";
import { checkRoleOfOrganization } from "./roles";

export { API_CREDENTIAL_KINDS, DASHBOARD_APP_KINDS, type ApiCredentialKind };

/** Kinds that must not have a role (Commerce Layer answers 422 on `/data/relationships/role`). */
export const ROLELESS_KINDS: readonly string[] = ["sales_channel", "webapp"];

/** Kinds that must have a role. */
export const ROLE_REQUIRED_KINDS: readonly string[] = ["integration"];

/** Smallest and largest access-token lifetime Commerce Layer accepts, in seconds. */
export const EXPIRES_IN_RANGE = { min: 7200, max: 31536000 } as const;

/**
 * The `metadata` key under which each create stores its own random marker (a UUID). Commerce Layer stores and returns
 * `metadata` as it was sent, so after a lost create answer the credential this create made is recognised by that
 * marker (and every sent attribute), never by its name or a time window. Reserved: `check` refuses it in the
 * `metadata` input, and the provider leaves it out of the `metadata` it reports.
 */
export const CREATE_MARKER_KEY = "pulumi-platform-credentials:create";

/**
 * The `metadata` key under which a create stores the fingerprint of its `rotationTriggers` (a SHA-256 of their sorted
 * JSON). `adopt` takes over only a credential whose fingerprint matches the program's triggers: the credential a
 * rotation replaces (other triggers, or none) is never adopted by its own replacement. Reserved like
 * {@link CREATE_MARKER_KEY}.
 */
export const ROTATION_MARKER_KEY = "pulumi-platform-credentials:rotation";

/** Every metadata key the provider reserves for itself. */
export const RESERVED_METADATA_KEYS: readonly string[] = [CREATE_MARKER_KEY, ROTATION_MARKER_KEY];

/**
 * Prefix of the id a create leaves in state when Commerce Layer may have created the credential but neither its
 * answer nor a list could say which one (`unconfirmed:<marker>`). Read, update and delete resolve it by the marker.
 */
export const UNCONFIRMED_ID_PREFIX = "unconfirmed:";

// Redirect URIs may use an app's own scheme (`myapp://callback`), so any absolute URI with a scheme is accepted,
// the same test Commerce Layer applies.
const ABSOLUTE_URI = /^[a-z][a-z0-9+.-]*:\/\/\S+$/i;
/** Schemes that run or embed content where a redirect lands, never an OAuth callback (`javascript://%0a...`). */
const SCRIPT_SCHEMES = /^(javascript|vbscript|data|file|blob):/i;

/**
 * Longest name, reference and id accepted. The Provisioning API contract states no maximum; this bound (far above
 * real values) turns a pasted blob into a check failure instead of a 1 MB request.
 */
const MAX_TEXT_LENGTH = 255;

/** Whether `value` is what JSON can carry: strings, finite numbers, booleans, null, arrays and plain objects of them. */
function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value);
  if (Array.isArray(value)) return value.every(isJsonValue);
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    // An undefined member is dropped when the object is sent, as JSON.stringify does.
    return Object.values(value).every((v) => v === undefined || isJsonValue(v));
  }
  return false;
}

const jsonValue = z.unknown().refine(isJsonValue, {
  error:
    "metadata values must be JSON: strings, finite numbers, booleans, null, arrays or objects of them (no dates, " +
    "functions or NaN; convert a date with toISOString())",
});

const inputsSchema = z.object({
  organizationId: requiredText(
    "organizationId",
    "use the organization's id (10 characters, e.g. XGZwpOSrWL)",
    MAX_TEXT_LENGTH,
  ).describe(
    "Id of the Commerce Layer organization that owns the credential (e.g. `XGZwpOSrWL`). Changing it replaces the " +
      "credential.",
  ),
  name: requiredText("name", "use the credential's display name", MAX_TEXT_LENGTH).describe(
    `Display name of the credential (at most ${MAX_TEXT_LENGTH} characters; not unique on Commerce Layer). Updated ` +
      "in place.",
  ),
  // The contract types `kind` as a plain string (no enum, no pattern): the dashboard apps one can fork grow over
  // time, so any kind passes here and Commerce Layer itself refuses one it does not know (422 naming `kind`).
  kind: requiredText(
    "kind",
    `use sales_channel, integration, webapp or a dashboard app kind such as ${DASHBOARD_APP_KINDS.slice(0, 4).join(", ")}`,
    MAX_TEXT_LENGTH,
  ).describe(
    "Kind of client: `sales_channel`, `integration`, `webapp`, or the kind of a dashboard app to fork " +
      `(${DASHBOARD_APP_KINDS.map((k) => `\`${k}\``).join(", ")}, or any other app kind Commerce Layer takes). ` +
      "`integration` needs `roleId`; `sales_channel` and `webapp` cannot have one. Default token lifetime 14400 s " +
      "for `sales_channel`, 7200 s otherwise. Changing it replaces the credential.",
  ),
  mode: z
    .enum(["test", "live"], { error: "mode must be test or live" })
    .default("test")
    .describe("Environment of the credential: `test` (default) or `live`. Changing it replaces the credential."),
  customApp: z
    .boolean({ error: "customApp must be true or false" })
    .default(false)
    .describe(
      "Whether the credential backs a custom app (a fork of a hosted dashboard app); API attribute `custom`. " +
        "Default false. Changing it replaces the credential.",
    ),
  redirectUri: z
    .string({ error: "redirectUri must be a string; use an absolute URI such as https://example.com/callback" })
    .max(MAX_URL_LENGTH, `redirectUri must be at most ${MAX_URL_LENGTH} characters`)
    .regex(ABSOLUTE_URI, "redirectUri is not an absolute URI; use one with a scheme, e.g. https://example.com/callback")
    .refine((v) => !SCRIPT_SCHEMES.test(v), {
      error:
        "redirectUri cannot use a javascript:, vbscript:, data:, file: or blob: scheme; use https:// or your app's scheme",
    })
    .optional()
    .describe("OAuth redirect URI (absolute, e.g. `https://example.com/callback`). Updated in place."),
  expiresIn: z
    .number({ error: `expiresIn must be a number of seconds from ${EXPIRES_IN_RANGE.min} to ${EXPIRES_IN_RANGE.max}` })
    .int(`expiresIn must be a whole number of seconds from ${EXPIRES_IN_RANGE.min} to ${EXPIRES_IN_RANGE.max}`)
    .min(
      EXPIRES_IN_RANGE.min,
      `expiresIn is below ${EXPIRES_IN_RANGE.min} s (2 hours); use at least ${EXPIRES_IN_RANGE.min}`,
    )
    .max(
      EXPIRES_IN_RANGE.max,
      `expiresIn is above ${EXPIRES_IN_RANGE.max} s (1 year); use at most ${EXPIRES_IN_RANGE.max}`,
    )
    .optional()
    .describe(
      `Lifetime of the credential's access tokens in seconds (${EXPIRES_IN_RANGE.min}–${EXPIRES_IN_RANGE.max}). ` +
        "When unset, Commerce Layer's default applies (14400 for sales channels, 7200 otherwise) and is reported " +
        "in the output; removing a value set earlier keeps the current lifetime. Updated in place.",
    ),
  reference: z
    .string({ error: "reference must be a string" })
    .max(MAX_TEXT_LENGTH, `reference must be at most ${MAX_TEXT_LENGTH} characters`)
    .optional()
    .describe("Any external identifier of the credential (ERP, CRM, ...). Updated in place."),
  referenceOrigin: z
    .string({ error: "referenceOrigin must be a string" })
    .max(MAX_TEXT_LENGTH, `referenceOrigin must be at most ${MAX_TEXT_LENGTH} characters`)
    .optional()
    .describe("Identifier of the system that defines `reference`. Updated in place."),
  metadata: z
    .record(z.string(), jsonValue, {
      error: 'metadata must be a JSON object, e.g. { owner: "platform-team", tier: 2, tags: ["erp"] }',
    })
    .optional()
    .describe(
      "Any JSON object attached to the credential, as Commerce Layer takes it: nested objects, arrays, numbers, " +
        "booleans and null included; compared by deep equality (key order does not matter). Not secret: it is " +
        `shown in state and plans. Updated in place. The keys \`${CREATE_MARKER_KEY}\` and ` +
        `\`${ROTATION_MARKER_KEY}\` are reserved: the provider stores its create and rotation markers there.`,
    ),
  roleId: requiredText("roleId", "remove it or use the id of a role of the organization", MAX_TEXT_LENGTH)
    .optional()
    .describe(
      "Id of the organization role (admin, read_only or custom) the credential acts as. Required for `integration`, " +
        "forbidden for `sales_channel` and `webapp`, optional for other kinds. Checked against the organization's " +
        "roles before any write (`GET /organizations/{id}/roles`, once per organization per command, shared by " +
        "every credential): an id that is not one of them fails, listing each role's name, kind and id. Updated in " +
        "place.",
    ),
  adopt: z
    .boolean({ error: "adopt must be true or false" })
    .default(false)
    .describe(
      "At creation, take over the one existing credential with this name in the organization instead of creating " +
        "a new one (its mutable attributes are updated to match; a different `kind`, `mode` or `customApp` fails " +
        "the creation). Default false. Ignored after creation.",
    ),
  rotationTriggers: rotationTriggersInput(
    "A change replaces the credential create-before-delete: the new client secret exists before the old " +
      "credential is deleted, so consumers can switch over.",
  ),
  account: accountInput("commercelayer"),
});

/** Inputs of {@link apiCredential}, defaults applied. */
export type ApiCredentialInputs = z.output<typeof inputsSchema>;

const outputsSchema = z.object({
  clientId: z.string().describe("OAuth client id of the credential (secret output)."),
  clientSecret: z
    .string()
    .optional()
    .describe(
      "OAuth client secret of the credential (secret output). Absent for an adopted credential when Commerce " +
        "Layer does not return secrets on read.",
    ),
  confidential: z.boolean().optional().describe("Whether the client is confidential (sales channels are not)."),
  scopes: z.string().optional().describe("Scopes of the credential as Commerce Layer reports them."),
  expiresIn: z.number().int().optional().describe("Effective access-token lifetime in seconds."),
  mode: z.enum(["test", "live"]).optional().describe("Effective environment (`test` or `live`)."),
  createdAt: z.string().describe("When the credential was created (ISO 8601)."),
  updatedAt: z.string().describe("When the credential was last updated (ISO 8601)."),
});

/** Outputs of {@link apiCredential}. */
export type ApiCredentialOutputs = z.output<typeof outputsSchema>;

/** An ApiCredential's state as its lifecycle sees it (parsed by the adapter). */
export type ApiCredentialState = StateOf<ApiCredentialInputs, ApiCredentialOutputs>;

/** A created ApiCredential. */
type ApiCreated = Created<ApiCredentialInputs, ApiCredentialOutputs>;

// Another account is another provisioning client: the credential is made again through it (the old one is deleted
// through the old client, the account in its state).
// A rotation is a new credential (a new client secret): Commerce Layer cannot regenerate the secret in place.
const REPLACE_ON = ["organizationId", "kind", "mode", "customApp", "rotationTriggers", "account"] as const;
/** Inputs Commerce Layer lets PATCH change. */
const MUTABLE = ["name", "redirectUri", "expiresIn", "reference", "referenceOrigin", "metadata", "roleId"] as const;
/** Only matters at creation: toggling it later changes nothing on the platform. */
const CREATION_ONLY = ["adopt"];

/** Treat "absent", `null`, `""` and `{}` alike: Commerce Layer reports an unset value in any of these ways. */
function normalized(value: unknown): unknown {
  if (value === null || value === "") return undefined;
  if (value && typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0) return undefined;
  return value;
}

function equivalent(a: unknown, b: unknown): boolean {
  return sameValue(normalized(a), normalized(b));
}

/**
 * Whether input `key` differs between the stored state and the new inputs. An unset `expiresIn` means "the
 * platform's default", which the state holds as the effective value: it never counts as a change.
 */
function inputChanged(key: string, olds: State, news: Record<string, unknown>): boolean {
  if (key === "expiresIn" && news.expiresIn === undefined) return false;
  return !equivalent(olds[key], news[key]);
}

/** `metadata` as the user wrote it: the provider's markers left out (undefined when nothing else is set). */
function userMetadata(metadata: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> | undefined {
  if (!metadata || !RESERVED_METADATA_KEYS.some((k) => Object.prototype.hasOwnProperty.call(metadata, k))) {
    return metadata;
  }
  const rest = Object.fromEntries(Object.entries(metadata).filter(([k]) => !RESERVED_METADATA_KEYS.includes(k)));
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/**
 * The fingerprint of a set of rotation triggers (SHA-256 of their JSON with sorted keys); undefined when there are
 * none, so a credential made without triggers carries no mark.
 */
export function rotationFingerprint(triggers: unknown): string | undefined {
  if (!triggers || typeof triggers !== "object" || Object.keys(triggers).length === 0) return undefined;
  const sorted = Object.keys(triggers)
    .sort()
    .map((k) => [k, (triggers as Record<string, unknown>)[k]]);
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

/** The rotation mark a credential carries, if any. */
function rotationMarkOf(record: ApiCredential): string | undefined {
  const mark = record.metadata?.[ROTATION_MARKER_KEY];
  return typeof mark === "string" ? mark : undefined;
}

/** `metadata` to send for these inputs: the user's, plus the fingerprint of the rotation triggers when there are any. */
function withRotationMark(
  metadata: Readonly<Record<string, unknown>> | null | undefined,
  triggers: unknown,
): Readonly<Record<string, unknown>> | null | undefined {
  const mark = rotationFingerprint(triggers);
  return mark === undefined ? metadata : { ...metadata, [ROTATION_MARKER_KEY]: mark };
}

/** The create marker a credential carries, if any. */
function markerOf(record: ApiCredential): string | undefined {
  const marker = record.metadata?.[CREATE_MARKER_KEY];
  return typeof marker === "string" ? marker : undefined;
}

/** The marker of a provisional `unconfirmed:<marker>` id; undefined for a Commerce Layer id. */
function markerOfId(id: string): string | undefined {
  return id.startsWith(UNCONFIRMED_ID_PREFIX) ? id.slice(UNCONFIRMED_ID_PREFIX.length) : undefined;
}

/** The reserved metadata keys may not be set by the program (they would defeat the create and rotation markers). */
function reservedMetadataFailures(news: Record<string, unknown>): CheckFailure[] {
  const { metadata } = news;
  if (!metadata || typeof metadata !== "object") return [];
  const why: Readonly<Record<string, string>> = {
    [CREATE_MARKER_KEY]: "its create marker there, to recognise the credential after a lost create answer",
    [ROTATION_MARKER_KEY]:
      "the fingerprint of rotationTriggers there, so adopt never takes the credential a rotation replaces",
  };
  return RESERVED_METADATA_KEYS.filter((k) => Object.prototype.hasOwnProperty.call(metadata, k)).map((key) => ({
    property: `metadata.${key}`,
    reason: `the metadata key "${key}" is reserved: the provider stores ${why[key]}; use another key`,
  }));
}

/** Cross-field rules the Commerce Layer provisioning API enforces on the role; unknown values pass. */
function roleRuleFailures(news: Record<string, unknown>): CheckFailure[] {
  const { kind, roleId } = news;
  if (kind === UNKNOWN || roleId === UNKNOWN || typeof kind !== "string") return [];
  const hasRole = roleId !== undefined && roleId !== null && roleId !== "";
  if (ROLE_REQUIRED_KINDS.includes(kind) && !hasRole) {
    return [
      {
        property: "roleId",
        reason:
          `${kind} credentials need a role; set roleId to the id of the organization's admin or read_only role ` +
          "(or of a custom role)",
      },
    ];
  }
  if (ROLELESS_KINDS.includes(kind) && hasRole) {
    return [
      {
        property: "roleId",
        reason: `${kind} credentials cannot have a role; remove roleId (or use kind integration for a credential with a role)`,
      },
    ];
  }
  return [];
}

/** What to PATCH to bring the credential described by `current` to `news`; empty when nothing differs. */
function changesFor(current: ApiCredentialState, news: ApiCredentialInputs): ApiCredentialChanges {
  const changes: Record<string, unknown> = {};
  for (const key of MUTABLE) {
    if (inputChanged(key, current, news)) changes[key] = normalized(news[key]) ?? null;
  }
  // Metadata is replaced whole: the rotation mark stays with it.
  if ("metadata" in changes) {
    changes.metadata =
      withRotationMark(changes.metadata as Record<string, unknown> | null, news.rotationTriggers) ?? null;
  }
  return changes as ApiCredentialChanges;
}

const MODES: readonly string[] = outputsSchema.shape.mode.unwrap().options;

/**
 * Whether the platform's `mode` is one the schema declares. The contract types it as any string; another one (none is
 * documented) is not stored, so the state keeps the mode it had.
 */
function isMode(mode: string | undefined): mode is ApiCredentialInputs["mode"] {
  return mode !== undefined && MODES.includes(mode);
}

/**
 * The state of a credential: the platform's view of every attribute, with what the platform does not report
 * (`adopt`, a secret not sent on read, a relationship left out) taken from `fallback`.
 */
function stateOf(record: ApiCredential, fallback: ApiCredentialState): ApiCredentialState {
  // Built key by key (every read, create and update runs it): the same keys, in the same order, as an object
  // literal of every attribute with the undefined ones left out.
  const state: Partial<ApiCredentialInputs & ApiCredentialOutputs> = {};
  const set = <K extends keyof ApiCredentialInputs | keyof ApiCredentialOutputs>(
    key: K,
    value: (ApiCredentialInputs & ApiCredentialOutputs)[K] | undefined,
  ): void => {
    if (value !== undefined) state[key] = value;
  };
  set("organizationId", record.organizationId ?? fallback.organizationId);
  set("name", record.name);
  set("kind", record.kind);
  set("mode", isMode(record.mode) ? record.mode : fallback.mode);
  set("customApp", record.custom ?? fallback.customApp);
  set("redirectUri", record.redirectUri);
  set("expiresIn", record.expiresIn ?? fallback.expiresIn);
  set("reference", record.reference);
  set("referenceOrigin", record.referenceOrigin);
  set("metadata", userMetadata(record.metadata));
  set("roleId", record.roleId ?? undefined);
  set("adopt", fallback.adopt);
  // Not the platform's either: the program's triggers (their fingerprint is the reserved metadata mark).
  set("rotationTriggers", fallback.rotationTriggers);
  // Not the platform's: the account whose client made the credential, kept so later calls use that client.
  set("account", fallback.account);
  set("clientId", record.clientId);
  // Commerce Layer may send the secret only when the credential is created: keep the one we saw.
  set("clientSecret", record.clientSecret ?? fallback.clientSecret);
  set("confidential", record.confidential);
  set("scopes", record.scopes);
  set("createdAt", record.createdAt);
  set("updatedAt", record.updatedAt);
  return state;
}

/** The input behind each JSON:API pointer Commerce Layer may blame. */
const INPUT_OF_POINTER: Readonly<Record<string, string>> = {
  "/data/attributes/name": "name",
  "/data/attributes/kind": "kind",
  "/data/attributes/mode": "mode",
  "/data/attributes/custom": "customApp",
  "/data/attributes/redirect_uri": "redirectUri",
  "/data/attributes/expires_in": "expiresIn",
  "/data/attributes/reference": "reference",
  "/data/attributes/reference_origin": "referenceOrigin",
  "/data/attributes/metadata": "metadata",
  "/data/relationships/organization": "organizationId",
  "/data/relationships/role": "roleId",
};

/** Rethrow a validation refusal with the resource inputs the platform's pointers stand for, so users know what to fix. */
function namingInputs(err: unknown): never {
  if (!(err instanceof ApiError) || !err.isValidation()) throw err;
  const inputs = [
    ...new Set([err.field, ...err.issues.map((i) => i.path)].map((p) => (p ? INPUT_OF_POINTER[p] : undefined))),
  ].filter((i): i is string => i !== undefined);
  if (inputs.length === 0) throw err;
  throw err.with({
    remedy: `Fix the ${inputs.join(", ")} input${inputs.length > 1 ? "s" : ""} of the resource and run the update again.`,
  });
}

/** The create request for `inputs`, carrying `marker` under the reserved metadata key. */
function newCredential(inputs: ApiCredentialInputs, marker: string): NewApiCredential {
  return {
    organizationId: inputs.organizationId,
    name: inputs.name,
    kind: inputs.kind,
    mode: inputs.mode,
    custom: inputs.customApp,
    redirectUri: inputs.redirectUri,
    expiresIn: inputs.expiresIn,
    reference: inputs.reference,
    referenceOrigin: inputs.referenceOrigin,
    metadata: { ...withRotationMark(inputs.metadata, inputs.rotationTriggers), [CREATE_MARKER_KEY]: marker },
    roleId: inputs.roleId,
  };
}

/**
 * Credentials named `inputs.name` in the organization that `adopt` may take: those whose rotation mark matches the
 * program's triggers. The one a rotation replaces carries other triggers' mark (or none), and must be left for the
 * engine to delete once its replacement exists, never adopted by that replacement.
 */
async function sameNamed(http: HttpClient, inputs: ApiCredentialInputs): Promise<ApiCredential[]> {
  const named = await listApiCredentialsNamed(http, inputs.name);
  const mark = rotationFingerprint(inputs.rotationTriggers);
  return named.filter((c) => c.organizationId === inputs.organizationId && rotationMarkOf(c) === mark);
}

/** Take over an existing credential: refuse when a fixed attribute differs, PATCH the mutable differences. */
async function adopt(http: HttpClient, existing: ApiCredential, inputs: ApiCredentialInputs): Promise<ApiCreated> {
  const fixed: Array<[string, unknown, unknown]> = [
    ["kind", existing.kind, inputs.kind],
    ["mode", existing.mode ?? inputs.mode, inputs.mode],
    ["customApp", existing.custom ?? false, inputs.customApp],
  ];
  const clash = fixed.find(([, theirs, ours]) => theirs !== ours);
  if (clash) {
    const [input, theirs, ours] = clash;
    throw new RefusedError(
      `Cannot adopt Commerce Layer API credential ${existing.id} ("${inputs.name}" in organization ` +
        `${inputs.organizationId}): its ${input} is ${JSON.stringify(theirs)} but the program sets ` +
        `${JSON.stringify(ours)}, and ${input} is fixed at creation. Set ${input} to ${JSON.stringify(theirs)} to ` +
        `adopt it, or remove adopt (or use another name) to create a new credential.`,
    );
  }
  const current = stateOf(existing, inputs);
  const changes = changesFor(current, inputs);
  const record =
    Object.keys(changes).length > 0
      ? await updateApiCredential(http, existing.id, changes).catch(namingInputs)
      : existing;
  return { id: record.id, state: stateOf(record, { ...inputs, clientSecret: existing.clientSecret }) };
}

/** Whether a listed credential has every attribute a create sent (attributes the platform does not report pass). */
function hasSentAttributes(record: ApiCredential, sent: NewApiCredential): boolean {
  const same = (theirs: unknown, ours: unknown): boolean =>
    theirs === undefined || ours === undefined || equivalent(theirs, ours);
  return (
    record.organizationId === sent.organizationId &&
    record.name === sent.name &&
    record.kind === sent.kind &&
    same(record.mode, sent.mode) &&
    same(record.custom, sent.custom) &&
    same(record.redirectUri, sent.redirectUri) &&
    same(record.expiresIn, sent.expiresIn) &&
    same(record.reference, sent.reference) &&
    same(record.referenceOrigin, sent.referenceOrigin) &&
    equivalent(userMetadata(record.metadata), userMetadata(sent.metadata)) &&
    equivalent(record.roleId, sent.roleId ?? null)
  );
}

/**
 * After a create whose answer was lost (5xx, reset, timeout), find what it made: the credential carrying this create's
 * marker with every attribute that was sent. Another credential of the same name (another resource's, one made in
 * the dashboard) never carries the marker, so it is never taken, whatever its attributes or creation time.
 */
async function findLostCreate(http: HttpClient, sent: NewApiCredential, marker: string): Promise<ApiCredential[]> {
  const named = await listApiCredentialsNamed(http, sent.name);
  return named.filter((c) => markerOf(c) === marker && hasSentAttributes(c, sent));
}

/**
 * The credential an unconfirmed create made, by its marker (undefined: none exists). Its name and organization are
 * the ones in state: an update of the unconfirmed resource may have renamed it since.
 */
async function findUnconfirmed(
  http: HttpClient,
  state: ApiCredentialState,
  marker: string,
): Promise<ApiCredential | undefined> {
  const named = state.name !== undefined ? await listApiCredentialsNamed(http, state.name) : [];
  const found = named.filter((c) => markerOf(c) === marker && c.organizationId === state.organizationId);
  if (found.length > 1) {
    throw new RefusedError(
      `${found.length} Commerce Layer API credentials carry the create marker ${CREATE_MARKER_KEY}=${marker} ` +
        `(ids ${found.map((c) => c.id).join(", ")}): one create request landed more than once. Delete all but one ` +
        "in the Commerce Layer dashboard, then run the command again.",
    );
  }
  return found[0];
}

/**
 * The partial failure of a create that may or may not have made the credential: it stays in the stack under the
 * provisional id `unconfirmed:<marker>`, so the next operation looks for the marker instead of creating another.
 */
function unconfirmedCreate(
  inputs: ApiCredentialInputs,
  marker: string,
  err: ApiError,
  listErr: unknown,
): PartialFailure {
  const why =
    listErr === undefined
      ? `the create request got no answer (${err.message}) and the credentials listed right after do not show it, ` +
        "but the request may still be processed"
      : `the create request failed without a usable answer (${err.message}) and listing the credentials named ` +
        `"${inputs.name}" to find it failed too (${listErr instanceof Error ? listErr.message : String(listErr)})`;
  const id = UNCONFIRMED_ID_PREFIX + marker;
  return new PartialFailure(id, { ...inputs }, [
    `Commerce Layer may have created API credential "${inputs.name}" in organization ${inputs.organizationId}: ` +
      `${why}. If it exists, it carries metadata ${CREATE_MARKER_KEY}=${marker}. The resource stays in the stack as ` +
      `unconfirmed (id ${id}): the next \`pulumi up\` (or \`pulumi refresh\`, \`pulumi destroy\`) looks for that ` +
      "marker and takes that credential over, or creates it if it does not exist, so it is never created twice.",
  ]);
}

/**
 * POST a credential carrying `marker`, reconciling a lost answer by the marker before any retry. When neither the
 * answer nor a list can tell whether it exists, throw {@link unconfirmedCreate}.
 */
async function createMarked(http: HttpClient, inputs: ApiCredentialInputs, marker: string): Promise<ApiCreated> {
  const sent = newCredential(inputs, marker);
  return retry<ApiCreated>(async (attempt) => {
    try {
      const created = await createApiCredential(http, sent).catch(namingInputs);
      return { value: { id: created.id, state: stateOf(created, inputs) } };
    } catch (err) {
      if (!(err instanceof ApiError && err.isAmbiguous())) throw err;
      let found: ApiCredential[];
      try {
        found = await findLostCreate(http, sent, marker);
      } catch (listErr) {
        throw unconfirmedCreate(inputs, marker, err, listErr);
      }
      const [lost] = found;
      if (lost) {
        const state = stateOf(lost, inputs);
        if (lost.clientSecret === undefined) {
          throw new PartialFailure(lost.id, state, [
            `Commerce Layer created API credential ${lost.id} but its answer was lost (${err.message}) and the ` +
              "client secret cannot be read back; replace the resource (pulumi up --replace) to get a new secret.",
          ]);
        }
        return { value: { id: lost.id, state } };
      }
      // Nothing was created and the platform did answer (a 5xx): one more try is safe, at once (the HTTP client
      // already backed off between its own attempts). Without an answer (timeout, reset) the request may still
      // land later, so retrying could duplicate it.
      if (err.status !== undefined) {
        if (attempt === 1) return { retryInMs: 0 };
        throw err;
      }
      throw unconfirmedCreate(inputs, marker, err, undefined);
    }
  });
}

async function create(ctx: ProviderContext, inputs: ApiCredentialInputs): Promise<ApiCreated> {
  const http = commerceLayerHttp(ctx);
  if (inputs.roleId !== undefined) await checkRoleOfOrganization(ctx, inputs.organizationId, inputs.roleId);
  if (inputs.adopt) {
    const candidates = await sameNamed(http, inputs);
    if (candidates.length > 1) {
      throw new RefusedError(
        `Cannot adopt: ${candidates.length} Commerce Layer API credentials are named "${inputs.name}" in organization ` +
          `${inputs.organizationId} (ids ${candidates.map((c) => c.id).join(", ")}). Rename or delete all but one, ` +
          "or remove adopt to create a new credential.",
      );
    }
    const [existing] = candidates;
    if (existing) return adopt(http, existing, inputs);
  }
  return createMarked(http, inputs, randomUUID());
}

/** PATCH changes of an unconfirmed resource: its metadata keeps the marker, which is how it is found. */
function keepingMarker(changes: ApiCredentialChanges, marker: string): ApiCredentialChanges {
  if (!("metadata" in changes)) return changes;
  return { ...changes, metadata: { ...changes.metadata, [CREATE_MARKER_KEY]: marker } };
}

/**
 * Update of a resource whose create was unconfirmed: take over the credential carrying its marker (PATCHing what
 * differs), or create it now with the same marker when none exists. The engine keeps the provisional id until a
 * refresh reports the real one.
 */
async function updateUnconfirmed(
  ctx: ProviderContext,
  http: HttpClient,
  id: string,
  marker: string,
  olds: ApiCredentialState,
  news: ApiCredentialInputs,
): Promise<ApiCredentialState> {
  if (news.roleId !== undefined) await checkRoleOfOrganization(ctx, news.organizationId, news.roleId);
  const found = await findUnconfirmed(http, olds, marker);
  if (!found) return (await createMarked(http, news, marker)).state;
  const changes = changesFor(stateOf(found, olds), news);
  const record =
    Object.keys(changes).length > 0
      ? await updateApiCredential(http, found.id, keepingMarker(changes, marker)).catch(namingInputs)
      : found;
  const state = stateOf(record, { ...news, clientSecret: olds.clientSecret });
  if (state.clientSecret === undefined) {
    throw new PartialFailure(id, state, [
      `Commerce Layer API credential ${found.id} is the one the unconfirmed create made, but its client secret ` +
        "cannot be read back (Commerce Layer shows it only in the create answer, which was lost); replace the " +
        "resource (pulumi up --replace) to get a new secret.",
    ]);
  }
  return state;
}

async function read(
  ctx: ProviderContext,
  id: string,
  state: ApiCredentialState,
): Promise<ReadResult<ApiCredentialInputs, ApiCredentialOutputs>> {
  const marker = markerOfId(id);
  if (marker) {
    // Reporting the real id lets the engine replace the provisional one.
    const found = await findUnconfirmed(commerceLayerHttp(ctx), state, marker);
    return found ? { id: found.id, state: stateOf(found, state) } : undefined;
  }
  const record = await retrieveApiCredential(commerceLayerHttp(ctx), id);
  return record ? { id: record.id, state: stateOf(record, state) } : undefined;
}

async function update(
  ctx: ProviderContext,
  id: string,
  olds: ApiCredentialState,
  news: ApiCredentialInputs,
): Promise<ApiCredentialState> {
  const marker = markerOfId(id);
  if (marker) return updateUnconfirmed(ctx, commerceLayerHttp(ctx), id, marker, olds, news);
  const fallback: ApiCredentialState = { ...news, clientSecret: olds.clientSecret };
  const changes = changesFor(olds, news);
  if (typeof changes.roleId === "string") await checkRoleOfOrganization(ctx, news.organizationId, changes.roleId);
  if (Object.keys(changes).length === 0) {
    // Only a creation-time input changed: nothing to send, the platform's view stands.
    return { ...olds, adopt: news.adopt };
  }
  const record = await updateApiCredential(commerceLayerHttp(ctx), id, changes).catch(namingInputs);
  return stateOf(record, fallback);
}

async function remove(ctx: ProviderContext, id: string, state: ApiCredentialState): Promise<void> {
  const http = commerceLayerHttp(ctx);
  const marker = markerOfId(id);
  const target = marker ? (await findUnconfirmed(http, state, marker))?.id : id;
  // false means it was already gone (deleted out of band): the goal is reached either way.
  if (target !== undefined) await deleteApiCredential(http, target);
}

/** The `commercelayer:ApiCredential` resource definition. */
export const apiCredential: ResourceDefinition<ApiCredentialInputs, ApiCredentialOutputs> = {
  token: { module: "commercelayer", type: "ApiCredential" },
  description:
    "An OAuth API credential (client id and secret) of a Commerce Layer organization, managed through the " +
    "Provisioning API. Name, redirect URI, token lifetime, reference, metadata and role are updated in place; " +
    "organization, kind, mode, customApp and rotationTriggers replace the credential (the new one is created " +
    "before the old one is deleted). Delete removes it from Commerce Layer.",
  docs: {
    summary:
      "An OAuth API credential (client id and secret) of a Commerce Layer organization, managed through the " +
      "Provisioning API.",
    details: `\`name\`, \`redirectUri\`, \`expiresIn\`, \`reference\`, \`referenceOrigin\`, \`metadata\` and \`roleId\` are updated
in place; \`organizationId\`, \`kind\`, \`mode\`, \`customApp\` and \`rotationTriggers\` replace the credential (the
new one is created first; names need not be unique). A \`rotationTriggers\` change is how to rotate the client
secret: combine it with a time-based value (e.g. \`{ quarter: "2026-Q4" }\` computed from the current date) to rotate
on a schedule. Deleting the resource deletes the credential on Commerce Layer, which revokes it;
a credential already deleted elsewhere is simply dropped from state on refresh.

\`clientId\` and \`clientSecret\` are secret outputs. Commerce Layer is only sure to return the secret when the
credential is created: the provider keeps it from then on, and an adopted credential has no \`clientSecret\` when
the API does not return it on read. \`pulumi import\` cannot work for dynamic resources: use \`adopt\` or
{@link ApiCredential.get}.`,
    example: `import { commercelayer } from "pulumi-platform-credentials";

const erp = new commercelayer.ApiCredential("erp", {
  organizationId: "XGZwpOSrWL",
  name: "ERP sync",
  kind: "integration",
  roleId: "vBNqkOzZlm", // the organization's admin role
  metadata: { owner: "platform-team" },
});
export const erpClientId = erp.clientId;
export const erpClientSecret = erp.clientSecret;`,
    args:
      "Arguments of an {@link ApiCredential}. Configure the provisioning client with `commercelayer:clientId` and " +
      "`commercelayer:clientSecret` (stack config, the secret with `--secret`) or `COMMERCELAYER_CLIENT_ID` / " +
      "`COMMERCELAYER_CLIENT_SECRET`; other clients as named accounts (`account`).",
    get:
      "Look up an existing credential by its Commerce Layer id, for reading its outputs (`pulumi import` cannot " +
      "work for dynamic resources; use `adopt` to manage an existing credential). `state.account`: the account " +
      "whose provisioning client reads it (default: the default account).",
    constructorDoc:
      "@param name the Pulumi resource name (not the credential's display name)\n@param args the credential's " +
      "settings\n@param opts resource options; `clientId` and `clientSecret` are always added to " +
      "`additionalSecretOutputs`",
    page: "docs/commercelayer-api-credential.md",
  },
  inputs: inputsSchema,
  outputs: outputsSchema,
  // Every input is plain configuration.
  secretInputs: [],
  // The credential's OAuth client id and secret.
  secretOutputs: ["clientSecret", "clientId"],
  replaceOn: [...REPLACE_ON],

  check(news): CheckResult<ApiCredentialInputs> {
    const { value, failures } = checkWithSchema(inputsSchema, news);
    const all = [...failures, ...roleRuleFailures(news), ...reservedMetadataFailures(news)];
    // With unknown values the schema cannot parse, but defaults must still apply or a preview would see a
    // change (a replacement, for mode) that is not there.
    const inputs = value ?? (withSchemaDefaults(inputsSchema, news) as ApiCredentialInputs);
    return { inputs, failures: all };
  },

  diff(olds, news): DiffResult {
    const keys = inputKeys(apiCredential).filter((k) => !CREATION_ONLY.includes(k));
    const changedKeys = keys.filter((k) => inputChanged(k, olds, news));
    const replaces = changedKeys.filter((k) => (REPLACE_ON as readonly string[]).includes(k));
    // Names need not be unique on Commerce Layer, so the replacement can exist before the old one goes.
    return { changes: changedKeys.length > 0, replaces, deleteBeforeReplace: false, changedKeys };
  },

  create,
  read,
  update,
  delete: remove,
};
