/**
 * interchange.DataDeliveryCredential: an advertiser's log-level-data delivery destination (GCS, S3 or Azure Blob),
 * probed asynchronously by Scope3 (docs/data-delivery-credential.md).
 *
 * The credential lives in an array inside the advertiser and the API only replaces that array whole, so every write
 * goes through {@link modifyAdvertiserCredentials} (read-modify-write under a per-advertiser lock, siblings re-sent
 * unchanged). Writers in other processes cannot be locked out (no version check in the API): every write is verified
 * once it settled and a refresh fails loudly when a managed entry vanished. The id is `<advertiserId>/<name>`.
 */
import { z } from "zod";
import type { ProviderContext } from "../context";
import { checkWithSchema, pathSegmentText, requiredText, rotationTriggersInput, withSchemaDefaults } from "../check";
import { accountInput } from "../config";
import { ApiError, backoffDelay, platformText, retry, type Backoff } from "../http";
import {
  BugError,
  PartialFailure,
  RefusedError,
  diffByKeys,
  sameValue,
  type CheckResult,
  type Created,
  type DiffResult,
  type ReadResult,
  type ResourceDefinition,
  type StateOf,
} from "../resource";
import {
  droppedByAnotherWriter,
  findCredential,
  getAdvertiser,
  advertiserReadMark,
  getAdvertiserCredentials,
  isWritableType,
  knownSasTokens,
  modifyAdvertiserCredentials,
  overwritesWarehouse,
  readAdvertiserCredentials,
  validateDataDeliveryCredential,
  verifyAdvertiserWrite,
  type AdvertiserDataDelivery,
  type AdvertiserRead,
  type CredentialConfigInput,
  type RemoteCredential,
  type SeenCredential,
} from "./advertisers";

/** Default of `probeTimeoutSeconds`. */
export const DEFAULT_PROBE_TIMEOUT_SECONDS = 120;
/** Largest `probeTimeoutSeconds` accepted. */
export const MAX_PROBE_TIMEOUT_SECONDS = 1800;

/**
 * Longest `advertiserId` accepted. The contract sets no maximum; advertiser ids are short numeric strings, and a
 * longer value is a mistake that would only come back as a platform error on the URL.
 */
const MAX_ADVERTISER_ID_LENGTH = 255;

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;
const GCS_BUCKET_PATTERN = /^[a-z0-9][a-z0-9._-]*[a-z0-9]$/;
/** The contract's length bounds of a GCS bucket (`GcsCredentialConfig.bucket`: minLength 1, maxLength 222). */
export const GCS_BUCKET_LENGTH = { min: 1, max: 222 } as const;
const GCS_BUCKET_LENGTH_ERROR =
  `destination.bucket must be ${GCS_BUCKET_LENGTH.min} to ${GCS_BUCKET_LENGTH.max} characters; ` +
  "use the bucket's name without gs://";
const S3_BUCKET_PATTERN = /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/;
const S3_REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const AZURE_ACCOUNT_PATTERN = /^[a-z0-9]+$/;
const AZURE_CONTAINER_PATTERN = /^(?!.*--)[a-z0-9][a-z0-9-]*[a-z0-9]$/;

const gcsDestination = z
  .strictObject(
    {
      type: z.literal("GCS").describe('"GCS": a Google Cloud Storage bucket.'),
      bucket: z
        .string({ error: "destination.bucket is required for GCS; use the bucket name without gs://" })
        .min(GCS_BUCKET_LENGTH.min, { error: GCS_BUCKET_LENGTH_ERROR })
        .max(GCS_BUCKET_LENGTH.max, { error: GCS_BUCKET_LENGTH_ERROR })
        .regex(GCS_BUCKET_PATTERN, {
          error:
            "destination.bucket must be lowercase letters, digits, '.', '_' or '-', starting and ending with a letter " +
            "or digit (so at least 2 characters); use the bucket's name without gs:// or a path",
        })
        .describe(
          `GCS bucket the probe writes to and outputs ship into (${GCS_BUCKET_LENGTH.min}-${GCS_BUCKET_LENGTH.max} ` +
            "chars, `^[a-z0-9][a-z0-9._-]*[a-z0-9]$`, so in effect at least 2; no gs://). Grant the Scope3 service " +
            "account roles/storage.objectCreator on it.",
        ),
    },
    { error: "destination for GCS takes only type and bucket; remove the other fields" },
  )
  .describe(
    "A Google Cloud Storage destination. Grant the Scope3 service account `roles/storage.objectCreator` on the bucket.",
  )
  .meta({ sdkType: "GcsDestinationArgs" });

const s3Destination = z
  .strictObject(
    {
      type: z.literal("S3").describe('"S3": an Amazon S3 bucket.'),
      bucket: z
        .string({ error: "destination.bucket is required for S3; use the bucket name without s3://" })
        .min(3, { error: "destination.bucket must be 3 to 63 characters; use the bucket's name without s3://" })
        .max(63, { error: "destination.bucket must be 3 to 63 characters; use the bucket's name without s3://" })
        .regex(S3_BUCKET_PATTERN, {
          error:
            "destination.bucket must be lowercase letters, digits, '.' or '-', starting and ending with a letter or " +
            "digit; use the bucket's name without s3:// or a path",
        })
        .describe(
          "S3 bucket (3-63 chars, no s3://). Its policy must grant the Scope3 principal s3:PutObject and s3:DeleteObject.",
        ),
      region: z
        .string({ error: "destination.region is required for S3; use the bucket's AWS region, e.g. us-east-1" })
        .regex(S3_REGION_PATTERN, {
          error: "destination.region must be an AWS region code such as us-east-1 or us-gov-west-1",
        })
        .describe(
          "AWS region of the bucket, e.g. us-east-1 (a wrong region makes the probe fail with PermanentRedirect).",
        ),
    },
    { error: "destination for S3 takes only type, bucket and region; remove the other fields" },
  )
  .describe(
    "An Amazon S3 destination. The bucket policy must grant the Scope3 principal `s3:PutObject` and `s3:DeleteObject`.",
  )
  .meta({ sdkType: "S3DestinationArgs" });

const azureDestination = z
  .strictObject(
    {
      type: z.literal("AZURE_BLOB").describe('"AZURE_BLOB": an Azure Blob Storage container.'),
      storageAccountName: z
        .string({ error: "destination.storageAccountName is required for AZURE_BLOB; use the storage account's name" })
        .min(3, { error: "destination.storageAccountName must be 3 to 24 characters" })
        .max(24, { error: "destination.storageAccountName must be 3 to 24 characters" })
        .regex(AZURE_ACCOUNT_PATTERN, {
          error: "destination.storageAccountName must be lowercase letters and digits only (e.g. datareports)",
        })
        .describe(
          "Azure Storage account name (3-24 lowercase letters/digits), as in https://<name>.blob.core.windows.net/.",
        ),
      containerName: z
        .string({ error: "destination.containerName is required for AZURE_BLOB; use the blob container's name" })
        .min(3, { error: "destination.containerName must be 3 to 63 characters" })
        .max(63, { error: "destination.containerName must be 3 to 63 characters" })
        .regex(AZURE_CONTAINER_PATTERN, {
          error:
            "destination.containerName must be lowercase letters, digits and single '-', starting and ending with a " +
            "letter or digit",
        })
        .describe("Blob container the probe writes to (3-63 chars, lowercase, no '--')."),
      sasToken: requiredText("destination.sasToken", "use the query string of a container SAS URL", 4096).describe(
        "Secret. SAS query string (a leading ? is tolerated): a container SAS (sr=c) or an account SAS with srt " +
          "including o, granting sp=cwd. Never returned by the API; changing it rotates the credential (update).",
      ),
    },
    { error: "destination for AZURE_BLOB takes only type, storageAccountName, containerName and sasToken" },
  )
  .describe("An Azure Blob Storage container, written with a SAS token.")
  .meta({ sdkType: "AzureBlobDestinationArgs" });

const destinationSchema = z
  .discriminatedUnion("type", [gcsDestination, s3Destination, azureDestination], {
    error:
      'destination.type must be "GCS", "S3" or "AZURE_BLOB" (SNOWFLAKE and DATABRICKS cannot be created via the API)',
  })
  .meta({
    sdkType: "DataDeliveryDestinationArgs",
    sdkTypeDescription: "Where Scope3 writes the advertiser's log-level data.",
    sdkStateType: "DataDeliveryDestination",
    sdkStateDescription: "The destination as stored in state (`sasToken` only for `AZURE_BLOB`, and secret).",
  })
  .describe(
    "Where Scope3 writes log-level data: GCS {bucket}, S3 {bucket, region} or AZURE_BLOB {storageAccountName, " +
      "containerName, sasToken}. Changing it (including a new SAS token) is an update: the probe runs again.",
  );

/** A destination as the user writes it. */
export type Destination = z.infer<typeof destinationSchema>;

/** The inputs of a DataDeliveryCredential (defaults applied). */
export const dataDeliveryCredentialInputs = z.object({
  advertiserId: pathSegmentText(
    "advertiserId",
    'use the advertiser\'s id as a string, e.g. "12345"',
    MAX_ADVERTISER_ID_LENGTH,
  ).describe(
    `Id of the Interchange advertiser that owns the credential, as a string (e.g. \`"12345"\`; at most ` +
      `${MAX_ADVERTISER_ID_LENGTH} characters, not \`.\` or \`..\`). Changing it replaces the resource.`,
  ),
  name: z
    .string({ error: "name is required; use 1-64 letters, digits, '_' or '-'" })
    .min(1, { error: "name must be 1 to 64 characters" })
    .max(64, { error: "name must be 1 to 64 characters" })
    .regex(NAME_PATTERN, {
      error: "name must start with a letter or digit and contain only letters, digits, '_' and '-'",
    })
    .describe(
      "Credential name, unique per advertiser (1–64 characters, `^[a-zA-Z0-9][a-zA-Z0-9_-]*$`); data-delivery " +
        "outputs reference it. Changing it replaces the resource.",
    ),
  destination: destinationSchema,
  waitForProbe: z
    .boolean({ error: "waitForProbe must be true or false" })
    .default(true)
    .describe(
      "Wait on create and update until Scope3's probe of the destination finishes (default true). A FAILED probe, " +
        "or one still PENDING after `probeTimeoutSeconds`, fails the step while keeping the credential in the stack.",
    ),
  probeTimeoutSeconds: z
    .number({ error: `probeTimeoutSeconds must be a number of seconds from 1 to ${MAX_PROBE_TIMEOUT_SECONDS}` })
    .int({ error: "probeTimeoutSeconds must be a whole number of seconds" })
    .min(1, { error: `probeTimeoutSeconds must be from 1 to ${MAX_PROBE_TIMEOUT_SECONDS}` })
    .max(MAX_PROBE_TIMEOUT_SECONDS, { error: `probeTimeoutSeconds must be from 1 to ${MAX_PROBE_TIMEOUT_SECONDS}` })
    .default(DEFAULT_PROBE_TIMEOUT_SECONDS)
    .describe(
      `Seconds to wait for a probe on create, update and refresh (1–${MAX_PROBE_TIMEOUT_SECONDS}, default ` +
        `${DEFAULT_PROBE_TIMEOUT_SECONDS}). Changing it writes nothing.`,
    ),
  validateOnRefresh: z
    .boolean({ error: "validateOnRefresh must be true or false" })
    .default(true)
    .describe(
      "Re-run the probe on every refresh (default true), so status reflects the destination today. Changing it " +
        "writes nothing.",
    ),
  adopt: z
    .boolean({ error: "adopt must be true or false" })
    .default(false)
    .describe(
      "Take over a credential of the same name that already exists (default false: creating fails instead). " +
        "Its config is updated to this destination. A SNOWFLAKE or DATABRICKS credential of that name is never " +
        "taken over (the API cannot write it: adopting would replace it).",
    ),
  rotationTriggers: rotationTriggersInput(
    "A change re-submits the credential's entry (its SAS token, for AZURE_BLOB) and re-runs Scope3's probe of the " +
      "destination, waited for as on create: an update, never a replace.",
  ),
  account: accountInput("interchange"),
});

/** The checked inputs. */
export type DataDeliveryCredentialInputs = z.infer<typeof dataDeliveryCredentialInputs>;

/** The outputs added to the inputs in state. */
export const dataDeliveryCredentialOutputs = z.object({
  credentialId: z.string().describe("The platform's database id of the credential row (changes if it is recreated)."),
  destinationType: z.string().describe("GCS, S3 or AZURE_BLOB, as the API reports it."),
  status: z
    .enum(["PENDING", "VALIDATED", "FAILED"])
    .describe("Outcome of the latest probe: PENDING, VALIDATED or FAILED (refresh re-probes when validateOnRefresh)."),
  statusError: z.string().optional().describe("The probe's failure reason when status is FAILED."),
  validatedAt: z.string().optional().describe("ISO time of the latest successful probe."),
  expiresAt: z.string().optional().describe("ISO time the credential expires (the SAS token's se=), when known."),
  createdAt: z.string().describe("ISO creation time."),
  updatedAt: z.string().describe("ISO time of the latest change."),
});

/** The outputs of a DataDeliveryCredential. */
export type DataDeliveryCredentialOutputs = z.infer<typeof dataDeliveryCredentialOutputs>;

/** A DataDeliveryCredential's state as its lifecycle sees it (parsed by the adapter). */
export type DataDeliveryCredentialState = StateOf<DataDeliveryCredentialInputs, DataDeliveryCredentialOutputs>;

const INPUT_KEYS = Object.keys(dataDeliveryCredentialInputs.shape);
// Another account is another customer's advertiser list (or another key of the same one): a new entry there.
const REPLACE_ON = ["advertiserId", "name", "account"] as const;
/** The provider options' defaults, as the inputs schema declares them. */
const OPTION_DEFAULTS = dataDeliveryCredentialInputs
  .pick({ waitForProbe: true, probeTimeoutSeconds: true, validateOnRefresh: true, adopt: true })
  .parse({});

/** The id of a credential: `<advertiserId>/<name>` (names cannot contain `/`). */
export function credentialResourceId(advertiserId: string, name: string): string {
  return `${advertiserId}/${name}`;
}

/** Split an id made by {@link credentialResourceId}. */
export function parseCredentialResourceId(id: string): { advertiserId: string; name: string } {
  const slash = id.lastIndexOf("/");
  if (slash <= 0 || slash === id.length - 1) {
    throw new RefusedError(
      `"${id}" is not a DataDeliveryCredential id; use "<advertiserId>/<name>", e.g. "12345/lld-gcs".`,
    );
  }
  return { advertiserId: id.slice(0, slash), name: id.slice(slash + 1) };
}

/** The API's config for a destination (the body entry's `config`). */
export function configInput(destination: Destination): CredentialConfigInput {
  switch (destination.type) {
    case "GCS":
      return { type: "GCS", bucket: destination.bucket };
    case "S3":
      return { type: "S3", bucket: destination.bucket, region: destination.region };
    case "AZURE_BLOB":
      return {
        type: "AZURE_BLOB",
        storageAccountName: destination.storageAccountName,
        containerName: destination.containerName,
        auth: { mode: "SAS_TOKEN", sasToken: destination.sasToken },
      };
  }
}

/**
 * The destination a remote credential describes; `sasToken` (which the API never returns) comes from the state.
 * Undefined for types this resource cannot express.
 */
export function destinationFromRemote(remote: RemoteCredential, sasToken: string | undefined): Destination | undefined {
  const c = remote.config as Record<string, unknown>;
  if (c.type === "GCS" && typeof c.bucket === "string") return { type: "GCS", bucket: c.bucket };
  if (c.type === "S3" && typeof c.bucket === "string" && typeof c.region === "string") {
    return { type: "S3", bucket: c.bucket, region: c.region };
  }
  if (c.type === "AZURE_BLOB" && typeof c.storageAccountName === "string" && typeof c.containerName === "string") {
    return {
      type: "AZURE_BLOB",
      storageAccountName: c.storageAccountName,
      containerName: c.containerName,
      sasToken: sasToken ?? "",
    };
  }
  return undefined;
}

/** Whether a remote credential already has exactly this destination (Azure tokens cannot be compared: never). */
function remoteHasDestination(remote: RemoteCredential, destination: Destination): boolean {
  if (destination.type === "AZURE_BLOB") return false;
  return sameValue(destinationFromRemote(remote, undefined), destination);
}

/** The outputs of a remote credential, without undefined fields. */
function outputsOf(remote: RemoteCredential): Partial<DataDeliveryCredentialOutputs> {
  const out: DataDeliveryCredentialOutputs = {
    credentialId: remote.credentialId,
    destinationType: remote.destinationType,
    status: remote.status,
    statusError: remote.statusError,
    validatedAt: remote.validatedAt,
    expiresAt: remote.expiresAt,
    createdAt: remote.createdAt,
    updatedAt: remote.updatedAt,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** What to do about a probe failure, by the failure texts the object stores' probes report. */
export function probeFailureHint(statusError: string): string {
  const text = statusError;
  if (/storage\.objects\.create/i.test(text)) {
    return "Grant the Scope3 service account roles/storage.objectCreator (storage.objects.create) on the bucket, then run `pulumi refresh` to re-probe.";
  }
  if (/PermanentRedirect/i.test(text)) {
    return "Set destination.region to the bucket's real region (the probe was redirected).";
  }
  if (/AccessDenied/i.test(text)) {
    return "Grant the Scope3 principal s3:PutObject and s3:DeleteObject in the bucket policy, then run `pulumi refresh` to re-probe.";
  }
  if (/expired/i.test(text)) {
    return "Renew the SAS token (issue a new one with a later se=) and set it as destination.sasToken.";
  }
  if (/AuthorizationPermissionMismatch/i.test(text)) {
    return "Issue a SAS token granting Create, Write and Delete (sp=cwd) and set it as destination.sasToken.";
  }
  if (/AuthorizationResourceTypeMismatch/i.test(text)) {
    return "Issue an account SAS whose srt includes o (object), or a container SAS (sr=c), and set it as destination.sasToken.";
  }
  if (/sr=b|blob-scoped/i.test(text)) {
    return "Issue a container SAS (sr=c) or an account SAS instead of a blob SAS (sr=b), and set it as destination.sasToken.";
  }
  if (/ContainerNotFound/i.test(text)) {
    return "Create the container in the storage account, or fix destination.containerName, then run `pulumi refresh`.";
  }
  if (/AuthorizationFailure/i.test(text)) {
    return "Check the SAS token's signature and the storage account's network rules (allow Scope3), then run `pulumi refresh`.";
  }
  return "Fix access to the destination, then run `pulumi refresh` to re-probe.";
}

/** The partial-failure reason of a FAILED or still-PENDING probe; never contains the SAS token nor a page of text. */
function probeReason(inputs: DataDeliveryCredentialInputs, remote: RemoteCredential): string {
  const what = `data-delivery credential "${inputs.name}" of advertiser ${inputs.advertiserId}`;
  const secrets = inputs.destination.type === "AZURE_BLOB" ? [inputs.destination.sasToken] : [];
  if (remote.status === "FAILED") {
    const statusError = platformText(remote.statusError ?? "no reason given", secrets);
    return `The destination probe of ${what} FAILED: ${statusError} ${probeFailureHint(statusError)} The credential exists and stays in the stack.`;
  }
  return (
    `The destination probe of ${what} was still PENDING after ${inputs.probeTimeoutSeconds} s ` +
    "(probeTimeoutSeconds). The credential exists and stays in the stack; run `pulumi refresh` later to see the " +
    "outcome, or raise probeTimeoutSeconds."
  );
}

/**
 * When to look at a probe's outcome, after the write (or validate) answered. The API gives no hint of when a probe
 * ends (no Retry-After, no estimate), so this is a judgement: a probe writes and deletes one small object, which an
 * object store does in a few hundred milliseconds, and the emulator's default probe takes 200 ms. A first look at
 * 300 ms makes that common case cost one poll (a first look at 100 ms always needed a second); the wait then grows
 * 1.5× per poll, and a slow probe is seen at most 2 s after it ends.
 */
const FIRST_PROBE_POLL_MS = 300;
const PROBE_POLLS: Backoff = { firstMs: FIRST_PROBE_POLL_MS, factor: 1.5, maxMs: 2_000, jitter: "none" };

/** The latest credential a probe wait saw (undefined: it disappeared) and the latest poll (undefined: none). */
interface ProbeOutcome {
  readonly remote: RemoteCredential | undefined;
  readonly read: AdvertiserRead | undefined;
}

/**
 * Poll the advertiser until the credential's probe leaves PENDING or `timeoutSeconds` pass (waits from
 * {@link PROBE_POLLS}). Returns the latest credential (possibly still PENDING; undefined when it disappeared) and the
 * latest poll (undefined when none was needed), which can serve as the read that verifies a write.
 */
export async function waitForProbeOutcome(
  ctx: ProviderContext,
  advertiserId: string,
  name: string,
  timeoutSeconds: number,
  latest: RemoteCredential,
): Promise<ProbeOutcome> {
  // Share only reads sent after the caller's write (or validate) answered, so none predates it.
  const writtenAt = advertiserReadMark(ctx);
  const deadline = Date.now() + timeoutSeconds * 1000;
  let current: RemoteCredential | undefined = latest;
  let read: AdvertiserRead | undefined;
  return retry<ProbeOutcome>(async (attempt) => {
    if (attempt > 1) {
      read = await readAdvertiserCredentials(ctx, advertiserId, writtenAt);
      current = findCredential(read.list, name);
    }
    const left = deadline - Date.now();
    if (current?.status !== "PENDING" || left <= 0) return { value: { remote: current, read } };
    return { retryInMs: Math.min(backoffDelay(PROBE_POLLS, attempt), left) };
  });
}

/** The version of the credential a state describes (its last known `credentialId` and `updatedAt`). */
function seenIn(state: DataDeliveryCredentialState): SeenCredential {
  return { credentialId: state.credentialId, updatedAt: state.updatedAt };
}

/**
 * Show this process the SAS token of an Azure credential, for sibling writes to re-send, with the version of the
 * credential it is known for (`seen`; by default the one in `state`).
 */
function rememberSasToken(
  ctx: ProviderContext,
  state: DataDeliveryCredentialState,
  seen: SeenCredential = seenIn(state),
): void {
  const { advertiserId, name, destination } = state;
  if (
    advertiserId !== undefined &&
    name !== undefined &&
    destination?.type === "AZURE_BLOB" &&
    destination.sasToken !== ""
  ) {
    knownSasTokens(ctx).remember(advertiserId, name, destination.sasToken, seen);
  }
}

function notFoundAfterWrite(advertiserId: string, name: string, siblings: readonly string[] = []): Error {
  return new Error(droppedByAnotherWriter(advertiserId, name, { own: true, siblings }, "write"));
}

/** Ids of credentials this process deleted: a read of one of them afterwards finds it gone, as it should. */
function deletedHere(ctx: ProviderContext): Set<string> {
  return ctx.memo("interchange.deletedDataDeliveryCredentials", () => new Set<string>());
}

/**
 * A refresh found no entry for a credential this stack manages (its state has a `credentialId`). Deleting it in the
 * web app is one cause, but so is another writer's whole-list PUT (another stack, a concurrent `pulumi up`), which the
 * API cannot prevent: say so loudly instead of dropping the resource from the stack.
 */
function vanished(advertiserId: string, name: string, state: DataDeliveryCredentialState): Error {
  return new Error(
    `Data-delivery credential "${name}" (credentialId ${state.credentialId ?? "unknown"}) of advertiser ${advertiserId} ` +
      "is no longer listed by Scope3 Interchange, although this stack manages it. The likely cause is another " +
      "writer on the same advertiser (another stack or `pulumi up` running at the same time, or the Interchange web " +
      "app) whose write replaced the advertiser's whole credential list without it: the API has no version check, " +
      "so this is detected, not prevented. To write it again, run `pulumi up --replace` with this resource's URN " +
      "(one writer per advertiser at a time); if it was removed on purpose, remove the resource from the program " +
      "and run `pulumi up` (deleting a credential that is already gone succeeds).",
  );
}

/** Write this credential's entry (siblings unchanged), then wait for the probe as the inputs ask. */
async function writeAndProbe(
  ctx: ProviderContext,
  inputs: DataDeliveryCredentialInputs,
  decide: (current: AdvertiserDataDelivery) => "write" | "skip",
  reprobe = false,
): Promise<Created<DataDeliveryCredentialInputs, DataDeliveryCredentialOutputs>> {
  const { advertiserId, name } = inputs;
  const id = credentialResourceId(advertiserId, name);
  // Adapters pass checked inputs; a state written before an option existed still gets its default.
  const { waitForProbe, probeTimeoutSeconds } = optionsFrom(inputs);
  // The write remembers the SAS tokens it sent (this one included) for the versions the platform now shows.
  const result = await modifyAdvertiserCredentials(ctx, advertiserId, (current) =>
    decide(current) === "write" ? { upsert: { name, config: configInput(inputs.destination) } } : undefined,
  );
  let remote = findCredential(result.current, name) ?? findCredential(await getAdvertiser(ctx, advertiserId), name);
  if (!remote) throw notFoundAfterWrite(advertiserId, name);
  if (reprobe && remote.status !== "PENDING") {
    // An unchanged entry re-submitted keeps its status (no new probe): a rotation asks the platform for one.
    remote = await validateDataDeliveryCredential(ctx, advertiserId, name);
  }
  let poll: AdvertiserRead | undefined;
  if (waitForProbe && remote.status === "PENDING") {
    const waited = await waitForProbeOutcome(ctx, advertiserId, name, probeTimeoutSeconds, remote);
    poll = waited.read;
    remote = waited.remote ?? remote;
  }
  const reasons: string[] = [];
  if (result.wrote) {
    // Once the write settled (probe over), everything it sent must still be listed: a missing entry was dropped by
    // another writer on the advertiser.
    const verified = await verifyAdvertiserWrite(ctx, advertiserId, { name, removed: false, seq: result.seq }, poll);
    if (verified.missing?.own) throw notFoundAfterWrite(advertiserId, name, verified.missing.siblings);
    remote = findCredential(verified.list, name) ?? remote;
    if (verified.missing) reasons.push(droppedByAnotherWriter(advertiserId, name, verified.missing, "write"));
  }
  const state: DataDeliveryCredentialState = { ...inputs, ...outputsOf(remote) };
  if (remote.status === "FAILED" || (waitForProbe && remote.status === "PENDING")) {
    reasons.unshift(probeReason({ ...inputs, probeTimeoutSeconds }, remote));
  }
  if (reasons.length > 0) throw new PartialFailure(id, state, reasons);
  return { id, state };
}

type ProbeOptions = Pick<
  DataDeliveryCredentialInputs,
  "waitForProbe" | "probeTimeoutSeconds" | "validateOnRefresh" | "adopt"
>;

/** The provider options kept in state (defaults for a state without them, e.g. after `get`). */
function optionsFrom(state: DataDeliveryCredentialState): ProbeOptions {
  return {
    waitForProbe: state.waitForProbe ?? OPTION_DEFAULTS.waitForProbe,
    probeTimeoutSeconds: state.probeTimeoutSeconds ?? OPTION_DEFAULTS.probeTimeoutSeconds,
    validateOnRefresh: state.validateOnRefresh ?? OPTION_DEFAULTS.validateOnRefresh,
    adopt: state.adopt ?? OPTION_DEFAULTS.adopt,
  };
}

function referencedError(err: ApiError, advertiserId: string, name: string): ApiError {
  return err.with({
    remedy:
      `The API refuses to remove data-delivery credential "${name}" while a data-delivery output of advertiser ` +
      `${advertiserId} still references it. Remove that output or repoint it to another credential first, then ` +
      "delete again.",
  });
}

/** The definition of interchange.DataDeliveryCredential. */
export const dataDeliveryCredential: ResourceDefinition<DataDeliveryCredentialInputs, DataDeliveryCredentialOutputs> = {
  token: { module: "interchange", type: "DataDeliveryCredential" },
  description:
    "A Scope3 Interchange data-delivery credential: where Scope3 writes an advertiser's log-level data (GCS, S3 or " +
    "Azure Blob). Creation and destination changes re-run Scope3's probe of the destination; refresh re-validates. " +
    "Every write re-sends the advertiser's other credentials unchanged.",
  docs: {
    summary:
      "A Scope3 Interchange data-delivery credential: where Scope3 writes an advertiser's log-level data (a GCS " +
      "bucket, an S3 bucket or an Azure Blob container).",
    details: `Scope3 probes the destination asynchronously; this resource waits for the probe on create and update and
re-runs it on refresh, reporting \`status\` (\`PENDING\`, \`VALIDATED\`, \`FAILED\`) and \`statusError\`. A \`FAILED\`
probe after create or update is a partial failure: the credential stays in the stack.

The API stores an advertiser's credentials as one list that is replaced whole, so every write re-sends the
advertiser's other credentials unchanged, one writer per advertiser at a time within a \`pulumi up\`.

A \`rotationTriggers\` change re-submits the entry and re-runs the probe (an update); combine it with a time-based
value, e.g. \`{ month: new Date().toISOString().slice(0, 7) }\`, to re-probe on a schedule.

Delete removes the credential from the advertiser (its siblings stay). The API refuses while a data-delivery output
still references the credential: remove or repoint that output first.

Limitations: the API never returns Azure SAS tokens but needs them in every write, so a write on an advertiser that
also holds an \`AZURE_BLOB\` credential not managed by this stack (same \`pulumi up\`) is refused before anything is
written; manage every Azure credential of the advertiser in the same stack (use \`adopt: true\`). An advertiser
holding a SNOWFLAKE or DATABRICKS credential (made in the web app; the API cannot re-send it, so a write would
archive it) is refused before anything is written, naming it; a name taken by one is never adopted. Other writers of the same advertiser outside this
process can race with it (the API has no ETag). \`pulumi import\` does not work for dynamic resources: use \`adopt\`.`,
    example: `import { interchange } from "pulumi-platform-credentials";

const lld = new interchange.DataDeliveryCredential("lld", {
  advertiserId: "12345",
  name: "lld-gcs",
  destination: { type: "GCS", bucket: "acme-lld-exports" },
});
export const lldStatus = lld.status;`,
    args: "Arguments of {@link DataDeliveryCredential}.",
    get:
      "Look up an existing credential by its provider id `<advertiserId>/<name>` (for `get`; `pulumi import` cannot " +
      "work for dynamic resources; use `adopt` to manage an existing credential). Refresh re-probes it unless the " +
      "state says otherwise. `state.account`: the account whose API key reads it (default: the default account).",
    constructorDoc:
      "@param name the Pulumi resource name (not the credential's name)\n@param args the credential's settings\n" +
      "@param opts resource options",
    page: "docs/data-delivery-credential.md",
  },
  inputs: dataDeliveryCredentialInputs,
  outputs: dataDeliveryCredentialOutputs,
  // The Azure SAS token, the only secret a data-delivery credential has.
  secretInputs: ["destination.sasToken"],
  // None: the SAS token comes back only under `destination.sasToken`, which the engine marks secret because the
  // input of the same path was secret.
  secretOutputs: [],
  // The probe's failure text may quote the blob URL with its SAS query (adapters redact and cap it).
  platformTextOutputs: ["statusError"],
  replaceOn: [...REPLACE_ON],

  check(news): CheckResult<DataDeliveryCredentialInputs> {
    // Defaults first, so a preview with unknown values (no parsed result) still stores and diffs the defaults.
    const withDefaults = withSchemaDefaults(dataDeliveryCredentialInputs, news);
    const { value, failures } = checkWithSchema(dataDeliveryCredentialInputs, withDefaults);
    return { inputs: value ?? (withDefaults as DataDeliveryCredentialInputs), failures };
  },

  observe(ctx, state) {
    // The engine calls only diff on an unchanged resource of an update, and the adapter shows its state here first:
    // this is where an Azure credential that is not being written shows its SAS token to sibling writes in the same
    // process (process memory only). Known for the version in state: if the platform shows another one, sibling
    // writes refuse to re-send it.
    rememberSasToken(ctx, state);
  },

  diff(olds, news): DiffResult {
    return diffByKeys(INPUT_KEYS, REPLACE_ON, olds, news);
  },

  async create(ctx, inputs) {
    return writeAndProbe(ctx, inputs, (current) => {
      const existing = findCredential(current, inputs.name);
      if (!existing) return "write";
      // A warehouse credential can never be adopted: the API cannot write its type, so taking it over would replace it.
      if (!isWritableType(existing.config.type)) throw overwritesWarehouse(inputs.advertiserId, existing);
      if (!inputs.adopt) {
        throw new RefusedError(
          `Advertiser ${inputs.advertiserId} already has a data-delivery credential named "${inputs.name}" ` +
            `(credentialId ${existing.credentialId}, ${existing.destinationType}). Set adopt: true to manage it with ` +
            "this resource (its config is updated to this destination), or choose another name.",
        );
      }
      return remoteHasDestination(existing, inputs.destination) ? "skip" : "write";
    });
  },

  async read(ctx, id, state): Promise<ReadResult<DataDeliveryCredentialInputs, DataDeliveryCredentialOutputs>> {
    const parsed = parseCredentialResourceId(id);
    const advertiserId = state.advertiserId ?? parsed.advertiserId;
    const name = state.name ?? parsed.name;
    const options = optionsFrom(state);
    const managed = state.credentialId !== undefined && !deletedHere(ctx).has(id);
    let list: AdvertiserDataDelivery;
    try {
      // Nothing was written before this read, so any read in flight (another resource's refresh) will do.
      list = await getAdvertiserCredentials(ctx, advertiserId, 0);
    } catch (err) {
      // The advertiser itself is gone (or belongs to another customer): so is its credential.
      if (err instanceof ApiError && err.isNotFound()) return undefined;
      throw err;
    }
    let remote = findCredential(list, name);
    if (!remote) {
      if (managed) throw vanished(advertiserId, name, state);
      return undefined;
    }
    // The platform never returns an Azure SAS token: the one in state is only known to be current for the version
    // of the credential state describes. Another version (rotated in the web app, recreated) makes it unknown.
    const seen = seenIn(state);
    const tokenStale =
      remote.config.type === "AZURE_BLOB" &&
      ((seen.credentialId !== undefined && seen.credentialId !== remote.credentialId) ||
        (seen.updatedAt !== undefined && seen.updatedAt !== remote.updatedAt));
    if (options.validateOnRefresh) {
      try {
        remote = await validateDataDeliveryCredential(ctx, advertiserId, name);
      } catch (err) {
        if (err instanceof ApiError && err.isNotFound()) {
          if (managed) throw vanished(advertiserId, name, state);
          return undefined;
        }
        throw err;
      }
      // The validate endpoint may answer the final status or PENDING (probe finishing in the background).
      const after = (await waitForProbeOutcome(ctx, advertiserId, name, options.probeTimeoutSeconds, remote)).remote;
      if (!after) {
        if (managed) throw vanished(advertiserId, name, state);
        return undefined;
      }
      remote = after;
    }
    const oldToken = state.destination?.type === "AZURE_BLOB" ? state.destination.sasToken : undefined;
    // A stale token is left out ("" in state): the next `pulumi up` sees the change and writes the program's token,
    // and no sibling write re-sends the old one meanwhile.
    const token = tokenStale ? "" : oldToken;
    const destination = destinationFromRemote(remote, token) ?? state.destination;
    if (!tokenStale && destination) rememberSasToken(ctx, { advertiserId, name, destination }, remote);
    const account = state.account !== undefined ? { account: state.account } : {};
    // Not the platform's: the program's triggers, kept so a refresh shows no change to them.
    const triggers = state.rotationTriggers !== undefined ? { rotationTriggers: state.rotationTriggers } : {};
    const inputs = {
      advertiserId,
      name,
      ...(destination ? { destination } : {}),
      ...options,
      ...triggers,
      ...account,
    };
    return { id: credentialResourceId(advertiserId, name), state: { ...inputs, ...outputsOf(remote) } };
  },

  async update(ctx, id, olds, news) {
    if (olds.advertiserId !== news.advertiserId || olds.name !== news.name) {
      throw new BugError(`update of ${id} changes advertiserId or name, which must replace the resource`);
    }
    const rotated = !sameValue(olds.rotationTriggers, news.rotationTriggers);
    if (sameValue(olds.destination, news.destination) && !rotated) {
      // Only provider options changed: nothing to write.
      rememberSasToken(ctx, news, seenIn(olds));
      return { ...olds, ...news };
    }
    // A destination change (including a new SAS token) re-submits the entry; the API re-runs the probe. A rotation
    // re-submits it too and asks for a new probe when the platform kept the old outcome. If the credential was
    // removed outside Pulumi, this writes it again.
    const written = await writeAndProbe(ctx, news, () => "write", rotated);
    return written.state;
  },

  async delete(ctx, id, state): Promise<void> {
    const parsed = parseCredentialResourceId(id);
    const advertiserId = state.advertiserId ?? parsed.advertiserId;
    const name = state.name ?? parsed.name;
    try {
      const removal = await modifyAdvertiserCredentials(ctx, advertiserId, (current) => {
        const existing = findCredential(current, name);
        if (!existing) return undefined; // already gone
        // Another credential under this name (recreated by someone else, or the replacement `pulumi up --replace`
        // just wrote) is not this resource's: leave it.
        const { credentialId } = seenIn(state);
        if (credentialId !== undefined && existing.credentialId !== credentialId) return undefined;
        const referencing = current.outputs.filter((o) => o.credentialName === name);
        if (referencing.length > 0) {
          const outputs = referencing.map((o) => `${o.dataDeliveryType} (outputConfigId ${o.outputConfigId})`);
          throw new RefusedError(
            `Cannot delete data-delivery credential "${name}" of advertiser ${advertiserId}: the data-delivery ` +
              `output(s) ${outputs.join(", ")} still reference it, and the API refuses to remove a referenced ` +
              "credential. Remove those outputs or repoint them to another credential first, then delete again. " +
              "Nothing was written.",
          );
        }
        return { remove: name };
      });
      // A removal that left the list empty sent no sibling back: no other writer can have dropped one of its entries.
      if (removal.wrote && removal.sent.length > 0) {
        const verified = await verifyAdvertiserWrite(ctx, advertiserId, { name, removed: true, seq: removal.seq });
        if (verified.missing) throw new Error(droppedByAnotherWriter(advertiserId, name, verified.missing, "removal"));
      }
    } catch (err) {
      // The advertiser itself is gone (or belongs to another customer): so is its credential.
      if (err instanceof ApiError && err.isNotFound()) return;
      if (err instanceof ApiError && err.isValidation() && mentionsOutputs(err)) {
        throw referencedError(err, advertiserId, name);
      }
      throw err;
    }
    knownSasTokens(ctx).forget(advertiserId, name);
    deletedHere(ctx).add(id);
  },
};

function mentionsOutputs(err: ApiError): boolean {
  const text = [err.platformMessage, err.field ?? "", ...err.issues.map((i) => `${i.path} ${i.message}`)].join(" ");
  return /output|referenc/i.test(text);
}
