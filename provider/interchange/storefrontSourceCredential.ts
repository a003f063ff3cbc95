/**
 * `interchange.StorefrontSourceCredential`: a buyer's account credential registered for an inventory source of a
 * Scope3 Interchange storefront (docs/storefront-source-credential.md). Schema, diff rules and lifecycle;
 * the HTTP calls live in storefronts.ts.
 *
 * The API has only "register" (a non-idempotent POST that, for an account already registered on the source,
 * silently replaces the stored secret) and "list everything". So:
 * - create looks for an existing registration first and refuses to take it over unless `adopt` is set;
 * - an ambiguous POST failure is reconciled by listing before any retry, so a lost response never registers twice;
 *   when even that list fails, the resource stays in the stack as unconfirmed and the next `up` recognises its own
 *   registration (the account on the source, registered since and never re-registered);
 * - a create whose registration turns out not to be new (listed before the POST, or re-registered since it was
 *   created) reports a conflict with another writer instead of taking that registration as its own;
 * - reads share one list call: one per command while it writes nothing, else one per short window (see
 *   sourceCredentialDirectory.ts);
 * - delete cannot revoke: the resource leaves state and the credential stays registered (`revocation: "manual"`).
 */
import { z } from "zod";
import type { ProviderContext } from "../context";
import { accountCommand, accountInput, settingKeys } from "../config";
import {
  checkWithSchema,
  httpsUrlText,
  pathSegmentText,
  requiredText,
  rotationTriggersInput,
  withSchemaDefaults,
} from "../check";
import { ApiError, backoffDelay, retry, type Backoff } from "../http";
import {
  PartialFailure,
  RefusedError,
  UNKNOWN,
  diffByKeys,
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
import { stateInputs, stateOutputs } from "../state";
import {
  registerSourceCredential,
  type RegisterSourceCredentialBody,
  type SourceCredential,
  type SourceCredentialAuthBody,
  type SourceCredentialRegistration,
  sourceAuthTypeOf,
  type SourceAuthType,
  type StorefrontCapabilities,
} from "./storefronts";
import { sourceCredentialDirectory, type RegistrationFlow } from "./sourceCredentialDirectory";

// ---------------------------------------------------------------------------------------------------------------
// Inputs

const url = (field: string) => httpsUrlText(field, "set it to the source's documented endpoint");

/**
 * Longest `sourceId` accepted. The contract sets no maximum; source ids are short slugs, and a longer value is a
 * mistake (an id pasted with more text) that would only come back as a platform error on the URL.
 */
const MAX_SOURCE_ID_LENGTH = 255;

function strictAuth<T extends z.ZodRawShape>(type: string, shape: T) {
  const fields = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `auth of type "${type}" does not take ${issue.keys.join(", ")}; remove ${issue.keys.length > 1 ? "them" : "it"} (fields: ${fields})`
        : undefined,
  });
}

/**
 * The platform's spellings of a token credential (`api_key`, and its aliases `apikey` and `bearer`) plus this
 * package's earlier camelCase `apiKey`; all four mean the same credential, so a change between them is no diff.
 */
export const TOKEN_AUTH_TYPES = ["api_key", "apikey", "bearer", "apiKey"] as const;

/** An API-key or bearer-token credential: the same shape under the platform's token types. */
function tokenAuth<T extends readonly [string, ...string[]]>(
  types: T,
  what: string,
  typeDoc: string,
  doc: string,
  sdkType: string,
) {
  return strictAuth(types[0], {
    type: z.enum(types).describe(typeDoc),
    token: requiredText("auth.token", `set it to the ${what} the source issued for this account`).describe(
      `The ${what} (secret).`,
    ),
  })
    .describe(doc)
    .meta({ sdkType });
}

const apiKeyAuth = tokenAuth(
  ["api_key", "apikey", "apiKey"] as const,
  "API key",
  "`api_key` as the platform writes it; `apikey` (the platform's alias) and `apiKey` (this package's earlier " +
    "spelling) are the same credential, and a change between them alone changes nothing.",
  'An API key the source issued for the account (`{type: "api_key", token}` as the Interchange docs write it).',
  "SourceApiKeyAuth",
);
const bearerAuth = tokenAuth(
  ["bearer"] as const,
  "bearer token",
  "`bearer`: the platform's alias of `api_key` (a change between them alone changes nothing).",
  "A bearer token the source issued for the account.",
  "SourceBearerAuth",
);

const jwtAuth = strictAuth("jwt", {
  type: z.literal("jwt").describe("A JWT-bearer (service account) credential."),
  privateKey: requiredText(
    "auth.privateKey",
    "set it to the PEM private key the source's service account uses",
  ).describe("PEM private key that signs the assertion (secret)."),
  issuer: requiredText("auth.issuer", "set it to the service account's issuer (iss)").describe("Issuer (`iss`)."),
  subject: requiredText("auth.subject", "set it to the account the token acts for (sub)").describe("Subject (`sub`)."),
  keyId: requiredText("auth.keyId", "set it to the id of the signing key (kid)").describe("Key id (`kid`)."),
  scope: requiredText("auth.scope", "set it to the OAuth scope the source requires").describe("Requested scope."),
  tokenEndpointUrl: url("auth.tokenEndpointUrl").describe(
    "Token endpoint the assertion is exchanged at (`https://`; `http://` only for a loopback host).",
  ),
  audienceUrl: url("auth.audienceUrl").describe(
    "Audience (`aud`) of the assertion (`https://`; `http://` only for a loopback host).",
  ),
  algorithm: z
    .enum(["ES256", "RS256"], { error: 'auth.algorithm must be "ES256" or "RS256"; leave it out for the default' })
    .optional()
    .describe("Signing algorithm, `ES256` or `RS256`; the source's default when omitted."),
  environment: z
    .string({ error: "auth.environment must be a string; leave it out unless the source asks for one" })
    .optional()
    .describe("Source-specific environment name (e.g. `sandbox`)."),
})
  .describe("A JWT-bearer (service account) credential: Interchange signs assertions with `privateKey`.")
  .meta({ sdkType: "SourceJwtAuth" });

const basicAuth = strictAuth("basic", {
  type: z.literal("basic").describe("HTTP basic authentication."),
  username: requiredText("auth.username", "set it to the account's user name at the source").describe("User name."),
  password: z
    .string({ error: "auth.password must be a string; set it to the account's password at the source" })
    .describe("Password (secret)."),
})
  .describe("HTTP basic authentication at the source.")
  .meta({ sdkType: "SourceBasicAuth" });

// Without a type, any field is a mistake for another shape (a token without `type: "api_key"`): say which.
const noAuth = z
  .strictObject(
    {
      type: z
        .literal("none")
        .optional()
        .describe("Absent (`{}`, as the platform writes it) or `none`: the same, sent as `{}`."),
    },
    {
      error: (issue) =>
        issue.code === "unrecognized_keys"
          ? `auth without a type (or of type "none") takes no fields, yet has ${issue.keys.join(", ")}: set ` +
            'auth.type ("api_key", "jwt" or "basic") to the source\'s authentication type, or use {} for a source ' +
            "without a secret"
          : undefined,
    },
  )
  .describe('A source that takes the account without a secret: `{}` as the platform writes it, or `{type: "none"}`.')
  .meta({ sdkType: "SourceNoAuth" });

const authSchema = z
  .discriminatedUnion("type", [apiKeyAuth, bearerAuth, jwtAuth, basicAuth, noAuth], {
    error:
      'auth must be an object whose type is "api_key" (or "apikey", "bearer", "apiKey"), "jwt" or "basic", or {} ' +
      '(or {type: "none"}) for a source without a secret; match the source\'s authentication type, and leave auth ' +
      "out for OAuth sources",
  })
  .meta({
    sdkType: "SourceAuth",
    sdkTypeDescription: "How the source authenticates the account. Omit `auth` entirely for OAuth sources.",
  });

/** The inputs of a StorefrontSourceCredential. */
export const storefrontSourceCredentialInputs = z.object({
  storefrontId: z
    .number({ error: "storefrontId must be a number; set it to the storefront's numeric id (e.g. 101)" })
    .int({ error: "storefrontId must be a whole number; set it to the storefront's numeric id" })
    .min(1, { error: "storefrontId must be at least 1; set it to the storefront's numeric id" })
    .max(Number.MAX_SAFE_INTEGER, { error: "storefrontId is too large; set it to the storefront's numeric id" })
    .describe("Numeric id of the storefront (≥ 1). Changing it replaces the resource."),
  sourceId: pathSegmentText(
    "sourceId",
    "set it to the inventory source's id within the storefront",
    MAX_SOURCE_ID_LENGTH,
  ).describe(
    `Id of the inventory source within the storefront (at most ${MAX_SOURCE_ID_LENGTH} characters, not \`.\` or ` +
      "`..`). Changing it replaces the resource.",
  ),
  accountIdentifier: requiredText("accountIdentifier", "set it to the buyer's account id at the source", 255).describe(
    "The buyer's account identifier at the source (1–255 characters). Changing it replaces the resource.",
  ),
  auth: authSchema
    .optional()
    .describe(
      "How the source authenticates this account (secret), in the platform's own shapes: " +
        '`{type: "api_key", token}` (aliases `apikey`, `bearer`, `apiKey`), `{type: "jwt", privateKey, issuer, ' +
        'subject, keyId, scope, tokenEndpointUrl, audienceUrl, algorithm?, environment?}`, `{type: "basic", ' +
        'username, password}`, or `{}` (alias `{type: "none"}`) for a source without a secret; omit it for OAuth ' +
        "sources. A change re-registers the account (rotation, no replacement); a change of spelling alone (an " +
        "alias) changes nothing.",
    ),
  marketplaceAccount: z
    .boolean({ error: "marketplaceAccount must be true or false; leave it out for a client account" })
    .optional()
    .describe(
      "Register a marketplace account instead of a client account (admin API keys only). Interchange cannot " +
        "change the type of an existing registration, so changing it on an existing resource is refused at " +
        "preview with the way out (another accountIdentifier, or revoke the registration and re-create).",
    ),
  adopt: z
    .boolean({ error: "adopt must be true or false" })
    .default(false)
    .describe(
      "Take over a registration of this account on this source that already exists (re-registering it rotates its " +
        "secret to `auth`). Default false: create fails instead, naming the registration. Changing it alone " +
        "changes no remote object.",
    ),
  rotationTriggers: rotationTriggersInput(
    "A change re-registers the account with `auth`, as an `auth` change does (an update, no replacement). An " +
      "empty map is the same as none.",
  ),
  detectOutOfBandRotation: z
    .boolean({ error: "detectOutOfBandRotation must be true or false; leave it out for the default (true)" })
    .optional()
    .describe(
      "Absent or true (the default): a refresh that finds the registration re-registered outside this stack (its listed " +
        "`updatedAt` past `lastRegisteredAt`) drops `auth` from the refreshed state, so the refresh reports drift " +
        "on `auth` and the next `pulumi up` re-registers the declared secret. Set false when something else " +
        "manages the secret too (e.g. several resources adopting one registration).",
    ),
  account: accountInput("interchange"),
});

/** Inputs after `check` (defaults applied). */
export type StorefrontSourceCredentialInputs = z.output<typeof storefrontSourceCredentialInputs>;
/** The `auth` input. */
export type SourceAuthInput = z.output<typeof authSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Outputs

/** The outputs added to the inputs in state. */
export const storefrontSourceCredentialOutputs = z.object({
  credentialId: z.string().describe("The credential's id at Interchange (also the resource id)."),
  status: z.string().describe("`ACTIVE`, or `PENDING` while an OAuth source waits for consent."),
  accountType: z.string().describe("`CLIENT` or `MARKETPLACE`."),
  registeredBy: z.string().nullable().describe("Who registered the credential (null on legacy rows)."),
  createdAt: z.string().describe("When the credential was first registered (ISO 8601)."),
  updatedAt: z.string().describe("When it was last registered or rotated (ISO 8601)."),
  sources: z
    .array(
      z
        .object({
          storefrontId: z.number().int().describe("Storefront the credential covers."),
          storefrontName: z.string().describe("The storefront's display name."),
          sourceId: z.string().describe("Inventory source within that storefront."),
          sourceName: z.string().describe("The source's display name."),
        })
        .describe("A storefront/source pair a credential covers.")
        .meta({ sdkType: "StorefrontSourceRef" }),
    )
    .describe("Every storefront/source the credential covers (one agent can back sources of several storefronts)."),
  oauth: z
    .object({
      authorizationUrl: z.string().describe("The URL a person opens to consent."),
      storefrontId: z.number().int().describe("Storefront the consent is for."),
      sourceId: z.string().describe("Inventory source the consent is for."),
      sourceName: z.string().describe("The source's display name (to tell the person what they consent to)."),
    })
    .describe("The platform's consent block of a PENDING OAuth registration.")
    .meta({ sdkType: "SourceCredentialOAuth" })
    .optional()
    .describe(
      "While `status` is PENDING on an OAuth source: the platform's whole `oauth` block. Dropped once ACTIVE; " +
        "absent when the registration was adopted while PENDING (its URL is only in the register answer).",
    ),
  oauthAuthorizationUrl: z
    .string()
    .optional()
    .describe("`oauth.authorizationUrl` (kept for compatibility): while PENDING, the URL a person opens to consent."),
  lastRegisteredAt: z
    .string()
    .describe(
      "The registration's listed `updatedAt` right after this stack's own last write (create, rotation, adoption). " +
        "A listed `updatedAt` past it means it was re-registered outside this stack (see " +
        "`detectOutOfBandRotation`).",
    ),
  connected: z.boolean().describe("Whether the storefront reports every source the buyer needs as connected."),
  revocation: z
    .literal("manual")
    .describe(
      "Always `manual`: the API cannot revoke; deleting the resource leaves the credential registered. Revoke it " +
        "in the Interchange web app.",
    ),
});

/** The outputs of a StorefrontSourceCredential. */
export type StorefrontSourceCredentialOutputs = z.output<typeof storefrontSourceCredentialOutputs>;

/** A StorefrontSourceCredential's state as its lifecycle sees it (parsed by the adapter). */
export type StorefrontSourceCredentialState = StateOf<
  StorefrontSourceCredentialInputs,
  StorefrontSourceCredentialOutputs
>;

// ---------------------------------------------------------------------------------------------------------------
// Mapping

/** The API body for these inputs: friendly `auth` names mapped to the API's, `marketplaceAccount` only when true. */
export function registrationBody(inputs: StorefrontSourceCredentialInputs): RegisterSourceCredentialBody {
  const body: RegisterSourceCredentialBody = { accountIdentifier: inputs.accountIdentifier };
  if (inputs.auth) body.auth = authBody(inputs.auth);
  // Sent only when true: `false` is the API's default, and a non-admin key could be refused for sending it at all.
  if (inputs.marketplaceAccount === true) body.marketplaceAccount = true;
  return body;
}

function authBody(auth: SourceAuthInput): SourceCredentialAuthBody {
  switch (auth.type) {
    case "api_key":
    case "apiKey":
      return { type: "api_key", token: auth.token };
    case "apikey":
    case "bearer":
      return { type: auth.type, token: auth.token };
    case "jwt": {
      const { type: _type, algorithm, environment, ...rest } = auth;
      return {
        type: "jwt",
        ...rest,
        ...(algorithm !== undefined ? { algorithm } : {}),
        ...(environment !== undefined ? { environment } : {}),
      };
    }
    case "basic":
      return { type: "basic", username: auth.username, password: auth.password };
    case "none":
    case undefined:
      return {};
  }
}

/**
 * `auth` as the diff compares it: every spelling of one credential written the same way (token aliases as
 * `api_key`, `{type: "none"}` as `{}`), so an alias change alone is no change. Anything else is left as it is.
 */
export function canonicalAuth(auth: unknown): unknown {
  if (!auth || typeof auth !== "object" || Array.isArray(auth)) return auth;
  const value = auth as Record<string, unknown>;
  if ((TOKEN_AUTH_TYPES as readonly unknown[]).includes(value.type)) return { ...value, type: "api_key" };
  if (value.type === "none" || (value.type === undefined && Object.keys(value).every((k) => k === "type"))) return {};
  return value;
}

/**
 * Whether a listed credential is this account's registration on this storefront's source (a target that lacks one
 * of them, such as a state without its inputs, covers none).
 */
export function coversRegistration(
  credential: SourceCredential,
  target: { readonly storefrontId?: number; readonly sourceId?: string; readonly accountIdentifier?: string },
): boolean {
  return (
    credential.accountIdentifier === target.accountIdentifier &&
    credential.sources.some((s) => s.storefrontId === target.storefrontId && s.sourceId === target.sourceId)
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Registering, with reconciliation

/** Register attempts after ambiguous failures that a fresh list showed did not take effect. */
const MAX_REGISTRATION_ATTEMPTS = 3;
/** The wait before registering again after such a failure (200 ms, then 400 ms). */
const REGISTRATION_BACKOFF: Backoff = { firstMs: 200, factor: 2, maxMs: 400, jitter: "none" };

interface Registered {
  /** The credential id. */
  readonly id: string;
  /** The register answer, when it arrived (reconciled registrations have none). */
  readonly response: SourceCredentialRegistration | undefined;
}

function describeTarget(inputs: StorefrontSourceCredentialInputs): string {
  return `account "${inputs.accountIdentifier}" on storefront ${inputs.storefrontId} source "${inputs.sourceId}"`;
}

/** The same error with a remedy that names the input to change. */
function withRemedy(err: ApiError, remedy: string): ApiError {
  return err.with({ remedy: err.remedy ? `${err.remedy} ${remedy}` : remedy });
}

/** Explain a refused register call in terms of this resource's inputs. */
export function explainRegistrationError(err: unknown, inputs: StorefrontSourceCredentialInputs): unknown {
  if (!(err instanceof ApiError)) return err;
  if (err.isUnauthorized()) {
    const { account } = inputs;
    return withRemedy(
      err,
      account === undefined
        ? `The API key comes from the \`${settingKeys.interchangeApiKey.config}\` stack config (pulumi config set ` +
            `--secret ${settingKeys.interchangeApiKey.config} <key>) or ${settingKeys.interchangeApiKey.env}.`
        : `The API key of account "${account}" comes from stack config (${accountCommand(account, "interchangeApiKey", "<key>")}).`,
    );
  }
  if (err.isForbidden() && err.code !== "TOS_ACCEPTANCE_REQUIRED") {
    return withRemedy(
      err,
      inputs.marketplaceAccount
        ? "marketplaceAccount: true needs an admin API key; remove marketplaceAccount or configure an admin key."
        : "This API key may not register credentials on this source; use a key of the buyer account that owns it.",
    );
  }
  if (err.isNotFound()) {
    return withRemedy(
      err,
      `Storefront ${inputs.storefrontId} or its source "${inputs.sourceId}" does not exist or is not visible to this ` +
        "API key; check storefrontId and sourceId (the storefront's capabilities list its sources).",
    );
  }
  if (err.isValidation()) {
    return withRemedy(
      err,
      `Check that auth matches the authentication type of source "${inputs.sourceId}" (api_key/apikey/bearer, ` +
        "jwt, basic, or {} for a source without a secret; leave auth out for an OAuth source).",
    );
  }
  return err;
}

/**
 * Register, reconciling ambiguous failures: after a timeout, reset, 5xx or unreadable answer the registration may
 * exist, so a fresh list decides before any retry. `baseline` is the registration as listed before the POST (when
 * re-registering an existing one): it counts as "done" only if its `updatedAt` moved.
 */
async function registerReconciled(
  ctx: ProviderContext,
  inputs: StorefrontSourceCredentialInputs,
  baseline: SourceCredential | undefined,
  flow: RegistrationFlow,
): Promise<Registered> {
  const directory = sourceCredentialDirectory(ctx);
  const body = registrationBody(inputs);
  return retry<Registered>(async (attempt) => {
    let response: SourceCredentialRegistration;
    try {
      directory.posting(flow);
      response = await registerSourceCredential(ctx, inputs.storefrontId, inputs.sourceId, body);
    } catch (err) {
      // Whatever happened, answers whose request started before this POST ended may be stale now.
      const failedAt = directory.posted(flow);
      if (!(err instanceof ApiError) || !err.isAmbiguous()) throw err;
      // Only a list that started after the POST ended can tell whether it took effect; the read that follows a
      // reconciled create may share it.
      let listed: SourceCredential[];
      try {
        listed = await directory.credentials(failedAt);
      } catch (listErr) {
        throw new UnconfirmedRegistration(err, listErr);
      }
      const found = listed.find((c) => coversRegistration(c, inputs));
      const tookEffect = found && (!baseline || found.id !== baseline.id || found.updatedAt !== baseline.updatedAt);
      if (found && tookEffect) {
        directory.wrote(flow, found.id);
        return { value: { id: found.id, response: undefined } };
      }
      if (attempt >= MAX_REGISTRATION_ATTEMPTS) {
        throw withRemedy(
          err,
          `A fresh list shows the registration of ${describeTarget(inputs)} did not take effect after ${attempt} ` +
            "attempts; nothing was registered twice. Run `pulumi up` again later.",
        );
      }
      return { retryInMs: backoffDelay(REGISTRATION_BACKOFF, attempt) };
    }
    directory.posted(flow, response.id);
    return { value: { id: response.id, response } };
  });
}

/** A register POST failed ambiguously and the list that would tell whether it took effect failed too. */
class UnconfirmedRegistration extends Error {
  override readonly name = "UnconfirmedRegistration";
  constructor(
    readonly post: ApiError,
    readonly list: unknown,
  ) {
    super(post.message);
  }
}

/** Prefix of the id a create leaves in state when its registration could not be confirmed either way. */
export const UNCONFIRMED_ID_PREFIX = "unconfirmed:";

/** Whether a state is that of a create whose registration was never confirmed (no credential id known). */
function isUnconfirmed(id: string, state: StorefrontSourceCredentialState): boolean {
  return id.startsWith(UNCONFIRMED_ID_PREFIX) && !state.credentialId;
}

/**
 * A registration that nobody re-registered since it was created: the platform bumps `updatedAt` on every
 * re-registration (a rotation of its secret).
 */
function isFresh(credential: Pick<SourceCredential, "createdAt" | "updatedAt">): boolean {
  return credential.createdAt === credential.updatedAt;
}

/**
 * After a create registered `credentialId` (answered or reconciled), decide whether it is this resource's new
 * registration: not when it was listed before the POST (unless adopting, which takes existing registrations over),
 * nor when it was re-registered since it was created (another writer registered the same account at the same time,
 * and the platform now stores whichever secret came last).
 */
function conflictWithAnotherWriter(
  inputs: StorefrontSourceCredentialInputs,
  registered: { credentialId: string; createdAt: unknown; updatedAt: unknown },
  listedBefore: readonly SourceCredential[],
): Error | undefined {
  const before = listedBefore.some((c) => c.id === registered.credentialId);
  if (before && inputs.adopt) return undefined;
  const fresh = registered.createdAt === registered.updatedAt;
  if (!before && fresh) return undefined;
  const why = before
    ? "was already listed before this registration (for another source of the same agent, or with no source left)"
    : `was registered again after it was created (createdAt ${String(registered.createdAt)}, updatedAt ` +
      `${String(registered.updatedAt)})`;
  return new Error(
    `${describeTarget(inputs)}: credential ${registered.credentialId} ${why}, so it is not a new registration of ` +
      "this resource; the likely cause is another writer (another stack, or a person in the Interchange web app) " +
      "registering the same account at the same time. Interchange keeps one registration per account and source " +
      "and stores the secret of whichever registration came last, which may now be this resource's auth. Decide " +
      "which stack manages this account: there, set `adopt: true` and run `pulumi up` (it re-registers the account " +
      "with that stack's auth); remove it from the other stacks. This resource was not added to the stack.",
  );
}

/** The partial failure of a create whose registration may or may not exist: kept in the stack as unconfirmed. */
function unconfirmedCreate(inputs: StorefrontSourceCredentialInputs, err: UnconfirmedRegistration): PartialFailure {
  const listMessage = err.list instanceof Error ? err.list.message : String(err.list);
  const id = `${UNCONFIRMED_ID_PREFIX}${inputs.storefrontId}/${inputs.sourceId}/${inputs.accountIdentifier}`;
  return new PartialFailure(id, { ...inputs, revocation: "manual" }, [
    `Interchange may have registered ${describeTarget(inputs)}: the register request failed without a usable ` +
      `answer (${err.post.message}) and the credential list that would show it failed too (${listMessage}). The ` +
      `resource stays in the stack as unconfirmed (id ${id}). The next \`pulumi up\` (or \`pulumi refresh\`) lists ` +
      "the credentials and takes the registration of this account on this source as this resource's when nobody " +
      "registered it again since it was created; when none is listed it registers the account, so it is never " +
      "registered twice.",
  ]);
}

/** The fields of a state the conflict rule reads. */
function registrationOf(state: StorefrontSourceCredentialState): {
  credentialId: string;
  createdAt: unknown;
  updatedAt: unknown;
} {
  return { credentialId: String(state.credentialId), createdAt: state.createdAt, updatedAt: state.updatedAt };
}

/**
 * The next update of an unconfirmed create: recognise its own registration (the account on this source, listed
 * now and never registered again since it was created), register when none is listed, and report a conflict when the
 * listed one was registered again by someone else (unless `adopt` asks to take it over).
 */
async function settleUnconfirmed(
  ctx: ProviderContext,
  olds: StorefrontSourceCredentialState,
  news: StorefrontSourceCredentialInputs,
): Promise<StorefrontSourceCredentialState> {
  const directory = sourceCredentialDirectory(ctx);
  const { credentials, flow } = await directory.beginRegistration(news.accountIdentifier);
  const listed = credentials.find((c) => coversRegistration(c, news));
  const authChanged = diffByKeys(["auth"], [], normalizedForDiff(olds), normalizedForDiff(news)).changes;
  let registered: Registered;
  try {
    if (listed && isFresh(listed) && !authChanged) {
      // The registration the unconfirmed create made: it holds this resource's auth already.
      directory.wrote(flow, listed.id);
      registered = { id: listed.id, response: undefined };
    } else if (listed && !isFresh(listed) && !news.adopt) {
      throw new Error(
        `${describeTarget(news)} is registered (credential ${listed.id}), but it was registered again after it was ` +
          `created (createdAt ${listed.createdAt}, updatedAt ${listed.updatedAt}), so it cannot be told apart from ` +
          "another writer's registration of the same account. The resource stays unconfirmed in the stack. If this " +
          "stack manages the account, set `adopt: true` and run `pulumi up` (it re-registers the account with this " +
          "stack's auth); otherwise remove the resource from the program.",
      );
    } else {
      registered = await registerReconciled(ctx, news, listed, flow).catch((err: unknown) => {
        throw err instanceof UnconfirmedRegistration
          ? unconfirmedCreate(news, err)
          : explainRegistrationError(err, news);
      });
    }
  } finally {
    directory.finish(flow);
  }
  const state = await readAfterWrite(ctx, news, registered, flow);
  if (!listed) {
    const conflict = conflictWithAnotherWriter(news, registrationOf(state), credentials);
    if (conflict) throw conflict;
  }
  return state;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading

const inputNames = Object.keys(storefrontSourceCredentialInputs.shape);

/** The `oauth` output block. */
export type OAuthBlock = NonNullable<StorefrontSourceCredentialOutputs["oauth"]>;

/**
 * The consent block a state holds: its `oauth` output, or (state written before that output existed) one built from
 * `oauthAuthorizationUrl` and the inputs, with the source's name from the listing when given.
 */
function oauthOf(state: StorefrontSourceCredentialState, credential?: SourceCredential): OAuthBlock | undefined {
  if (state.oauth) return state.oauth;
  const { oauthAuthorizationUrl: url, storefrontId, sourceId } = state;
  if (url === undefined || storefrontId === undefined || sourceId === undefined) return undefined;
  const source = credential?.sources.find((s) => s.storefrontId === storefrontId && s.sourceId === sourceId);
  return { authorizationUrl: url, storefrontId, sourceId, sourceName: source?.sourceName ?? sourceId };
}

/** Whether ISO time `a` is later than `b` (text that does not parse never is). */
function isLater(a: string, b: string): boolean {
  const [ta, tb] = [Date.parse(a), Date.parse(b)];
  return Number.isFinite(ta) && Number.isFinite(tb) && ta > tb;
}

/**
 * Build the state from the list answer. `known` holds the inputs and outputs already in state; the consent block is
 * kept only while the credential is PENDING.
 */
async function stateFromListing(
  ctx: ProviderContext,
  credential: SourceCredential,
  known: StorefrontSourceCredentialState,
  storefrontId: number,
  oauth: OAuthBlock | undefined,
  lastRegisteredAt: string,
  after: number,
): Promise<StorefrontSourceCredentialState> {
  const storefront = await sourceCredentialDirectory(ctx).storefront(storefrontId, after);
  const outputs: StorefrontSourceCredentialOutputs = {
    credentialId: credential.id,
    status: credential.status,
    accountType: credential.accountType,
    registeredBy: credential.registeredBy,
    createdAt: credential.createdAt,
    updatedAt: credential.updatedAt,
    sources: credential.sources.map((s) => ({ ...s })),
    lastRegisteredAt,
    connected: storefront.connected,
    revocation: "manual",
  };
  if (credential.status === "PENDING" && oauth) {
    outputs.oauth = { ...oauth };
    outputs.oauthAuthorizationUrl = oauth.authorizationUrl;
  }
  return { ...stateInputs(storefrontSourceCredential, known), ...outputs };
}

/**
 * The state a refresh reports for a listed registration: unchanged inputs, unless the registration was re-registered
 * outside this stack (its `updatedAt` moved past the one recorded after this stack's last write) while this stack
 * declares a secret for it. Then `auth` is left out of the refreshed state, as Terraform's `github_actions_secret`
 * clears its value when `updated_at` moves: the refresh shows drift on `auth`, and the next `up` re-registers the
 * declared secret (an update). Nothing secret is written anywhere for it.
 */
function refreshedInputs(
  credential: SourceCredential,
  state: StorefrontSourceCredentialState,
): { known: StorefrontSourceCredentialState; lastRegisteredAt: string; rotatedOutOfBand: boolean } {
  // State written before `lastRegisteredAt` existed: the `updatedAt` it last saw is the best baseline there is.
  const baseline = state.lastRegisteredAt ?? state.updatedAt ?? credential.updatedAt;
  const detect = state.detectOutOfBandRotation !== false && state.auth !== undefined;
  if (!detect || !isLater(credential.updatedAt, baseline)) {
    return { known: state, lastRegisteredAt: baseline, rotatedOutOfBand: false };
  }
  const { auth: _declared, ...rest } = state;
  return { known: rest, lastRegisteredAt: baseline, rotatedOutOfBand: true };
}

/**
 * Read one registration from a list (and storefront) call that started after tick `after`; by default after this
 * process's last write to the credential, so a refresh never answers from before our own write. `written`: the read
 * after this stack's own write (its `updatedAt` becomes `lastRegisteredAt`); otherwise a refresh.
 */
async function readRegistration(
  ctx: ProviderContext,
  credentialId: string,
  state: StorefrontSourceCredentialState,
  after = sourceCredentialDirectory(ctx).lastWriteTo(credentialId),
  written?: { oauth: OAuthBlock | undefined },
): Promise<{ credential: SourceCredential; state: StorefrontSourceCredentialState } | undefined> {
  const credential = (await sourceCredentialDirectory(ctx).credentials(after)).find((c) => c.id === credentialId);
  if (!credential) return undefined;
  let known = state;
  let { storefrontId, sourceId } = state;
  if (storefrontId === undefined || sourceId === undefined) {
    // `StorefrontSourceCredential.get(name, id)` reads with no state: take the inputs from the listing.
    const first = credential.sources[0];
    if (!first) return undefined;
    storefrontId = first.storefrontId;
    sourceId = first.sourceId;
    known = {
      storefrontId,
      sourceId,
      accountIdentifier: credential.accountIdentifier,
      ...(credential.accountType === "MARKETPLACE" ? { marketplaceAccount: true } : {}),
      adopt: false,
      ...state,
    };
  }
  if (!credential.sources.some((s) => s.storefrontId === storefrontId && s.sourceId === sourceId)) return undefined;
  if (written) {
    const fresh = await stateFromListing(
      ctx,
      credential,
      known,
      storefrontId,
      written.oauth,
      credential.updatedAt,
      after,
    );
    return { credential, state: fresh };
  }
  const refreshed = refreshedInputs(credential, known);
  const oauth = oauthOf(known, credential);
  return {
    credential,
    state: await stateFromListing(
      ctx,
      credential,
      refreshed.known,
      storefrontId,
      oauth,
      refreshed.lastRegisteredAt,
      after,
    ),
  };
}

/**
 * Create's and update's "then read", from calls that started after the flow's last POST ended: the credential must
 * be listed now; if not, keep it in state and say so.
 */
async function readAfterWrite(
  ctx: ProviderContext,
  inputs: StorefrontSourceCredentialInputs,
  registered: Registered,
  flow: RegistrationFlow,
  oauth: OAuthBlock | undefined = registered.response?.oauth,
): Promise<StorefrontSourceCredentialState> {
  const result = await readRegistration(ctx, registered.id, inputs, flow.endedAt, { oauth });
  if (result) return result.state;
  const r = registered.response;
  const partial: StorefrontSourceCredentialState = {
    ...inputs,
    credentialId: registered.id,
    status: r?.status ?? "UNKNOWN",
    registeredBy: r?.registeredBy ?? null,
    createdAt: r?.createdAt ?? "",
    revocation: "manual",
  };
  throw new PartialFailure(registered.id, partial, [
    `Interchange registered credential ${registered.id} for ${describeTarget(inputs)}, but its credential list does ` +
      "not show it covering that source; it is kept in state. Check the storefront's sources, then run " +
      "`pulumi refresh`.",
  ]);
}

/**
 * Refuse before any register POST what the storefront's per-source rows already say cannot work: a source the
 * storefront does not list, or one that takes no credentials (`requiresCredentials: false`). One capabilities call
 * per storefront serves every resource of a batch. The contract's rows have no authentication-type field: when a
 * row states one ({@link sourceAuthTypeOf}) an `auth` of another kind is refused here too; when it does not, whether
 * `auth` fits is left to the register call, whose refusal names the source (see {@link explainRegistrationError}).
 */
async function refuseUnregistrableSource(ctx: ProviderContext, inputs: StorefrontSourceCredentialInputs) {
  let capabilities: StorefrontCapabilities;
  try {
    capabilities = await sourceCredentialDirectory(ctx).capabilities(inputs.storefrontId);
  } catch (err) {
    throw explainRegistrationError(err, inputs);
  }
  const row = capabilities.agents.find((a) => a.sourceId === inputs.sourceId);
  const named = (a: { sourceId: string; sourceName: string | null }) =>
    a.sourceName ? `"${a.sourceId}" (${a.sourceName})` : `"${a.sourceId}"`;
  if (!row) {
    const listed = capabilities.agents.filter((a) => a.requiresCredentials !== false).map(named);
    throw new RefusedError(
      `Storefront ${inputs.storefrontId} has no source "${inputs.sourceId}"` +
        (listed.length
          ? `; the sources that take credentials are ${listed.join(", ")}. Set sourceId to one of them.`
          : " and no source that takes credentials; check storefrontId.") +
        " Nothing was registered.",
    );
  }
  if (row.requiresCredentials === false) {
    throw new RefusedError(
      `Source ${named(row)} of storefront ${inputs.storefrontId} takes no credentials (requiresCredentials: ` +
        "false): the buyer can use it without registering an account. Remove this resource (or set sourceId to a " +
        "source that requires credentials). Nothing was registered.",
    );
  }
  const expected = sourceAuthTypeOf(row);
  const given = authKindOf(inputs.auth);
  if (expected !== undefined && expected !== given) {
    throw new RefusedError(
      `Source ${named(row)} of storefront ${inputs.storefrontId} authenticates with ${AUTH_KIND_TEXT[expected]}, ` +
        `but auth is ${AUTH_KIND_TEXT[given]}. Set auth to ${AUTH_KIND_FIX[expected]}. Nothing was registered.`,
    );
  }
}

/** The kind of credential an `auth` input is, in the vocabulary of {@link SourceAuthType} (absent: OAuth). */
function authKindOf(auth: SourceAuthInput | undefined): SourceAuthType {
  if (auth === undefined) return "oauth";
  switch (auth.type) {
    case "api_key":
    case "apiKey":
    case "apikey":
    case "bearer":
      return "api_key";
    case "jwt":
      return "jwt";
    case "basic":
      return "basic";
    case "none":
    case undefined:
      return "none";
  }
}

const AUTH_KIND_TEXT: Readonly<Record<SourceAuthType, string>> = {
  api_key: "an API key or bearer token",
  jwt: "a JWT-bearer service account",
  basic: "HTTP basic authentication",
  oauth: "OAuth consent (no auth)",
  none: "an account identifier only (auth {})",
};

const AUTH_KIND_FIX: Readonly<Record<SourceAuthType, string>> = {
  api_key: '{ type: "api_key", token }',
  jwt: '{ type: "jwt", privateKey, issuer, subject, keyId, scope, tokenEndpointUrl, audienceUrl }',
  basic: '{ type: "basic", username, password }',
  oauth: "nothing: leave auth out, and a person consents at the oauth.authorizationUrl output",
  none: "{}",
};

// ---------------------------------------------------------------------------------------------------------------
// The definition

// A move to another account is a new registration under that account's customer (create first: the old one's
// delete makes no call).
const replaceOn = ["storefrontId", "sourceId", "accountIdentifier", "marketplaceAccount", "account"] as const;

function normalizedForDiff(values: Record<string, unknown>): Record<string, unknown> {
  // Defaults as declared (`adopt`), and what absent values mean (`detectOutOfBandRotation` true, no
  // `marketplaceAccount` a client account, an empty `rotationTriggers` none); every spelling of one `auth` the same.
  const triggers = values.rotationTriggers;
  const noTriggers =
    triggers === undefined ||
    triggers === null ||
    (typeof triggers === "object" && !Array.isArray(triggers) && Object.keys(triggers).length === 0);
  return {
    ...withSchemaDefaults(storefrontSourceCredentialInputs, values),
    auth: canonicalAuth(values.auth),
    detectOutOfBandRotation: values.detectOutOfBandRotation ?? true,
    marketplaceAccount: values.marketplaceAccount ?? false,
    rotationTriggers: noTriggers ? undefined : triggers,
  };
}

/** The inputs that name one registration: when they all stay, a `marketplaceAccount` change targets the same one. */
const registrationKeys = ["storefrontId", "sourceId", "accountIdentifier", "account"] as const;

/**
 * A `marketplaceAccount` change of an existing resource that keeps its registration's account and source: a
 * replacement cannot succeed (Interchange keeps one registration per account and source, cannot change its account
 * type, and the API cannot revoke the old one, so the new create finds it listed), so `check` refuses it with the
 * ways out.
 */
function marketplaceChangeFailure(olds: State, news: Record<string, unknown>): CheckFailure | undefined {
  if (olds.storefrontId === undefined || news.marketplaceAccount === UNKNOWN) return undefined;
  if (!registrationKeys.every((k) => sameValue(olds[k], news[k]))) return undefined;
  const was = olds.marketplaceAccount === true;
  if (was === (news.marketplaceAccount === true)) return undefined;
  return {
    property: "marketplaceAccount",
    reason:
      `marketplaceAccount cannot change from ${String(was)} to ${String(!was)} for the same account and source: ` +
      `Interchange keeps one registration per account and source and cannot change its type ` +
      `(${was ? "MARKETPLACE" : "CLIENT"} here), and the API cannot revoke it, so a replacement would be refused. ` +
      `Set marketplaceAccount back to ${String(was)}. To register a ${was ? "client" : "marketplace"} account, ` +
      "use another accountIdentifier, or revoke the registration in the Interchange web app, run `pulumi " +
      "refresh` (the revoked registration leaves the stack), then `pulumi up`.",
  };
}

async function create(
  ctx: ProviderContext,
  inputs: StorefrontSourceCredentialInputs,
): Promise<Created<StorefrontSourceCredentialInputs, StorefrontSourceCredentialOutputs>> {
  await refuseUnregistrableSource(ctx, inputs);
  const directory = sourceCredentialDirectory(ctx);
  // Re-registering an existing account would silently rotate its secret and take it over: look first. The list
  // is shared with every other create/read of the window (plus what this process registered since), so a batch
  // adds no list call for it.
  let looked: { credentials: SourceCredential[]; flow: RegistrationFlow };
  try {
    looked = await directory.beginRegistration(inputs.accountIdentifier);
  } catch (err) {
    throw explainRegistrationError(err, inputs);
  }
  const { flow } = looked;
  let registered: Registered;
  try {
    registered = await registerOrAdopt(ctx, inputs, looked.credentials, flow);
  } catch (err) {
    if (err instanceof UnconfirmedRegistration) throw unconfirmedCreate(inputs, err);
    throw err;
  } finally {
    directory.finish(flow);
  }
  const state = await readAfterWrite(ctx, inputs, registered, flow);
  // A registration listed before the POST is this resource's only through adopt (the baseline); any other one must
  // be new, or another writer registered the same account at the same time.
  if (!looked.credentials.some((c) => coversRegistration(c, inputs))) {
    const conflict = conflictWithAnotherWriter(inputs, registrationOf(state), looked.credentials);
    if (conflict) throw conflict;
  }
  return { id: registered.id, state };
}

/** Create's register step: refuse a silent takeover, register (reconciled), or adopt after a 409. */
async function registerOrAdopt(
  ctx: ProviderContext,
  inputs: StorefrontSourceCredentialInputs,
  credentials: SourceCredential[],
  flow: RegistrationFlow,
): Promise<Registered> {
  const existing = credentials.find((c) => coversRegistration(c, inputs));
  if (existing && !inputs.adopt) {
    throw new RefusedError(
      `${describeTarget(inputs)} is already registered (credential ${existing.id}, status ${existing.status}` +
        `${existing.registeredBy ? `, registered by ${existing.registeredBy}` : ""}). Registering it again would ` +
        "replace its stored secret and take it over. Set `adopt: true` to manage that registration from this stack " +
        "(its secret is rotated to `auth`), or use another accountIdentifier. Nothing was changed.",
    );
  }
  if (existing) {
    const declared = inputs.marketplaceAccount === true ? "MARKETPLACE" : "CLIENT";
    if (existing.accountType !== declared) {
      throw new RefusedError(
        `${describeTarget(inputs)} is registered as a ${existing.accountType} account (credential ${existing.id}), ` +
          `and this resource declares a ${declared} account (marketplaceAccount: ${String(inputs.marketplaceAccount === true)}). ` +
          "Interchange cannot change the account type of a registration. Set marketplaceAccount to " +
          `${String(existing.accountType === "MARKETPLACE")} to adopt it as it is, or use another accountIdentifier. ` +
          "Nothing was changed.",
      );
    }
    if (inputs.auth === undefined) {
      // An OAuth source: re-registering would only reset its consent (PENDING, a new URL) and has no secret to
      // rotate, so adopt the registration as it is listed.
      return { id: existing.id, response: undefined };
    }
  }
  try {
    return await registerReconciled(ctx, inputs, existing, flow);
  } catch (err) {
    if (err instanceof ApiError && err.isConflict()) {
      // The platform refuses re-registration (409) instead of rotating: with adopt, take the registration over as
      // it is; without, someone registered it between our look and our POST.
      const directory = sourceCredentialDirectory(ctx);
      const found = (await directory.credentials(flow.endedAt)).find((c) => coversRegistration(c, inputs));
      if (inputs.adopt && found) {
        directory.wrote(flow, found.id);
        return { id: found.id, response: undefined };
      }
      throw withRemedy(
        err,
        inputs.adopt
          ? `No registration of ${describeTarget(inputs)} is listed to adopt; check accountIdentifier and sourceId.`
          : `${describeTarget(inputs)} is already registered; set \`adopt: true\` to manage that registration.`,
      );
    }
    throw explainRegistrationError(err, inputs);
  }
}

async function read(
  ctx: ProviderContext,
  id: string,
  state: StorefrontSourceCredentialState,
): Promise<ReadResult<StorefrontSourceCredentialInputs, StorefrontSourceCredentialOutputs>> {
  if (isUnconfirmed(id, state)) {
    // Its own registration, if the unconfirmed create made one: reporting its id replaces the provisional one.
    const listed = (await sourceCredentialDirectory(ctx).credentials()).find((c) => coversRegistration(c, state));
    if (!listed || !isFresh(listed)) return undefined;
    const own = await readRegistration(ctx, listed.id, state);
    return own ? { id: listed.id, state: own.state } : undefined;
  }
  // After a rotation that answered a new id the engine keeps the old resource id; `credentialId` is the truth.
  const credentialId = state.credentialId || id;
  const result = await readRegistration(ctx, credentialId, state);
  // A provisional id (a create confirmed by a later update) gives way to the credential's own.
  return result ? { id: id.startsWith(UNCONFIRMED_ID_PREFIX) ? credentialId : id, state: result.state } : undefined;
}

async function update(
  ctx: ProviderContext,
  id: string,
  olds: StorefrontSourceCredentialState,
  news: StorefrontSourceCredentialInputs,
): Promise<StorefrontSourceCredentialState> {
  // The engine updates a resource that failed to initialize at the next `up`, whatever the diff says.
  if (isUnconfirmed(id, olds)) return settleUnconfirmed(ctx, olds, news);
  const changed = diffByKeys(inputNames, [], normalizedForDiff(olds), normalizedForDiff(news)).changedKeys;
  if (!changed.includes("auth") && !changed.includes("rotationTriggers")) {
    // Only `adopt` or `detectOutOfBandRotation` changed: they steer create and refresh, nothing remote changes.
    return { ...stateOutputs(storefrontSourceCredential, olds), ...news };
  }
  const credentialId = olds.credentialId || id;
  const directory = sourceCredentialDirectory(ctx);
  await refuseUnregistrableSource(ctx, news);
  try {
    // The baseline (to reconcile an ambiguous POST by a moved updatedAt) comes from a list that started after this
    // process's last registration of the account.
    const { credentials, flow } = await directory.beginRegistration(news.accountIdentifier, credentialId);
    let registered: Registered;
    try {
      const baseline = credentials.find((c) => c.id === credentialId);
      registered = await registerReconciled(ctx, news, baseline, flow);
    } finally {
      directory.finish(flow);
    }
    // A rotation of a still-PENDING OAuth registration may answer without a new URL: keep the one in state.
    return await readAfterWrite(ctx, news, registered, flow, registered.response?.oauth ?? oauthOf(olds));
  } catch (err) {
    if (err instanceof UnconfirmedRegistration) {
      throw new Error(
        `Interchange may or may not have rotated the secret of ${describeTarget(news)}: the register request failed ` +
          `without a usable answer (${err.post.message}) and the credential list that would tell failed too. The ` +
          "stack keeps the previous state; run `pulumi up` again (registering the same auth twice is harmless).",
        { cause: err },
      );
    }
    if (err instanceof ApiError && err.isConflict()) {
      throw withRemedy(
        err,
        `Interchange refuses to re-register ${describeTarget(news)}, so auth cannot be rotated through the API; ` +
          "rotate the secret in the Interchange web app, then set auth back to its previous value.",
      );
    }
    throw explainRegistrationError(err, news);
  }
}

/** The StorefrontSourceCredential resource definition. */
export const storefrontSourceCredential: ResourceDefinition<
  StorefrontSourceCredentialInputs,
  StorefrontSourceCredentialOutputs
> = {
  token: { module: "interchange", type: "StorefrontSourceCredential" },
  description:
    "A buyer's account credential registered for an inventory source of a Scope3 Interchange storefront. The API " +
    'cannot revoke: deleting the resource only stops managing it (`revocation: "manual"`).',
  docs: {
    summary: "A buyer's account credential registered for an inventory source of a Scope3 Interchange storefront.",
    details: `Create checks the source first (a source the storefront does not list, or one that takes no credentials,
is refused before anything is registered), then registers the account (after checking that it is not registered
already; set \`adopt: true\` to take an existing registration over, as it is for an OAuth source). A change of
\`auth\` or \`rotationTriggers\` re-registers it, which rotates the stored secret in place. Changes of
\`storefrontId\`, \`sourceId\` or \`accountIdentifier\` replace the resource; \`marketplaceAccount\` cannot change
for the same account and source (refused at preview, with the way out). Refresh reads the credential list (one call
for all credentials refreshed together) and the storefront's \`connected\` flag; a credential revoked out of band
disappears from state.

**Delete does not revoke.** The Interchange API has no revoke operation: deleting the resource (or replacing it)
only removes it from the stack's state, and the credential stays registered until a person revokes it in the
Interchange web app. The \`revocation\` output says so (\`"manual"\`).

OAuth sources: leave \`auth\` out; the credential starts \`PENDING\` and \`oauth\` (and \`oauthAuthorizationUrl\`)
holds the consent URL until a person consents, after which a refresh shows \`ACTIVE\`.

Out-of-band rotation: the secret is never read back, but a re-registration outside this stack moves the listed
\`updatedAt\`; with \`detectOutOfBandRotation\` (default on) a refresh reports it as drift on \`auth\` and the next
\`pulumi up\` puts the declared secret back.

Limitations: \`pulumi import\` cannot work for dynamic resources; use \`adopt: true\` or
{@link StorefrontSourceCredential.get}.`,
    example: `const cred = new StorefrontSourceCredential("acme-ssp", {
  storefrontId: 101,
  sourceId: "src_ssp",
  accountIdentifier: "acme-buyer-1",
  auth: { type: "api_key", token: config.requireSecret("sspKey") },
  rotationTriggers: { keyVersion: "2" },
});
export const status = cred.status;`,
    args: "The arguments of a {@link StorefrontSourceCredential}.",
    get:
      "Look up an existing credential by its id (the `credentialId`) and manage nothing: the inputs are taken from " +
      "the credential list. `pulumi import` cannot work for dynamic resources; to manage an existing registration, " +
      "declare it with `adopt: true`. `state.account`: the account whose API key lists it (default: the default " +
      "account).",
    constructorDoc: "Register (or, with `adopt`, take over) the account's credential on the storefront's source.",
    page: "docs/storefront-source-credential.md",
  },
  inputs: storefrontSourceCredentialInputs,
  outputs: storefrontSourceCredentialOutputs,
  // The whole `auth` object is secret (not only `token`/`privateKey`/`password`): a JWT's issuer, subject and key
  // id, or a basic-auth username, are half of a credential too, and `auth` in state is then secret as a whole.
  secretInputs: ["auth"],
  // The API never returns a secret.
  secretOutputs: [],
  replaceOn: [...replaceOn],

  check(news, olds): CheckResult<StorefrontSourceCredentialInputs> {
    const checked = checkWithSchema(storefrontSourceCredentialInputs, news);
    const change = olds ? marketplaceChangeFailure(olds, news) : undefined;
    const failures = change ? [...checked.failures, change] : checked.failures;
    if (checked.value && failures.length === 0) return { inputs: checked.value, failures };
    // With failures the inputs are not used; with none, some value is unknown (preview): keep it, add defaults.
    const inputs = withSchemaDefaults(storefrontSourceCredentialInputs, news) as StorefrontSourceCredentialInputs;
    return { inputs, failures };
  },

  diff(olds, news): DiffResult {
    // No delete-before-replace: delete changes nothing remotely, so the order only decides what is in state if
    // the new create fails; create-before-delete keeps the old resource then.
    return diffByKeys(inputNames, replaceOn, normalizedForDiff(olds), normalizedForDiff(news));
  },

  create,
  read,
  update,

  async delete() {
    // The buyer API has no revoke operation: the resource leaves state and the credential stays
    // registered until a person revokes it in the Interchange web app. Deliberately no HTTP call.
  },
};
