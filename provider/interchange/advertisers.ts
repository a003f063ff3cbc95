/**
 * Interchange advertiser operations used by data-delivery credentials (API.md §1.2): read the advertiser's credential
 * list, replace it, and re-run a credential's probe. The API has no per-credential create/update/delete: the list
 * inside the advertiser is replaced as a whole ("full replace by name"), so every write here is a read-modify-write
 * that re-sends each sibling unchanged, serialized per advertiser inside the process.
 */
import { z } from "zod";
import type { ProviderContext } from "../context";
import { ApiError, parsePayload } from "../http";
import { pathSegment } from "../http/path";
import { RefusedError, sameValue } from "../resource";
import { INTERCHANGE, interchangeHttp } from "./http";
import { setTimeout as sleep } from "node:timers/promises";

/** Destination types the API can create (SNOWFLAKE and DATABRICKS appear only in responses). */
export const WRITABLE_DESTINATION_TYPES = ["GCS", "S3", "AZURE_BLOB"] as const;
/** The most credentials one advertiser may hold (the contract's `maxItems`). */
export const MAX_CREDENTIALS_PER_ADVERTISER = 20;

/** A credential's config as the API returns it: AZURE_BLOB without its SAS token; unknown types kept as they are. */
const credentialConfigSchema = z.looseObject({ type: z.string() });

/** A data-delivery credential as `GET /advertisers/{id}` returns it (the contract's `DataDeliveryCredential`). */
export const dataDeliveryCredentialSchema = z.object({
  credentialId: z.string(),
  name: z.string(),
  destinationType: z.string(),
  config: credentialConfigSchema,
  status: z.enum(["PENDING", "VALIDATED", "FAILED"]),
  statusError: z.string().optional(),
  validatedAt: z.string().optional(),
  expiresAt: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
/** A data-delivery credential as read from the API. */
export type RemoteCredential = z.infer<typeof dataDeliveryCredentialSchema>;

const dataDeliveryOutputSchema = z.looseObject({
  outputConfigId: z.string(),
  dataDeliveryType: z.string(),
  credentialName: z.string(),
});
/** A data-delivery output (standing LLD subscription) as read from the API; only the fields this package uses. */
export type RemoteOutput = z.infer<typeof dataDeliveryOutputSchema>;

const advertiserSchema = z.looseObject({
  id: z.string().optional(),
  dataDelivery: z
    .looseObject({
      credentials: z.array(dataDeliveryCredentialSchema).optional(),
      outputs: z.array(dataDeliveryOutputSchema).optional(),
    })
    .optional(),
});

/** The data-delivery part of an advertiser. */
export interface AdvertiserDataDelivery {
  /** Live credentials (empty when the API omits the key). */
  readonly credentials: readonly RemoteCredential[];
  /** Advertiser-scoped outputs (empty when the API omits the key). */
  readonly outputs: readonly RemoteOutput[];
}

/** A credential config as submitted (`CredentialConfigInput`). */
export type CredentialConfigInput =
  | { readonly type: "GCS"; readonly bucket: string }
  | { readonly type: "S3"; readonly bucket: string; readonly region: string }
  | {
      readonly type: "AZURE_BLOB";
      readonly storageAccountName: string;
      readonly containerName: string;
      readonly auth: { readonly mode: "SAS_TOKEN"; readonly sasToken: string };
    };

/** One entry of the PUT body's `dataDelivery.credentials` (`DataDeliveryCredentialInput`). */
export interface CredentialEntry {
  readonly name: string;
  readonly config: CredentialConfigInput;
}

const advertiserPath = (advertiserId: string) => `/advertisers/${pathSegment(advertiserId, "advertiserId")}`;

function dataDeliveryOf(body: unknown, method: string, path: string): AdvertiserDataDelivery {
  const advertiser = parsePayload(advertiserSchema, body, { service: INTERCHANGE, method, path });
  return {
    credentials: advertiser.dataDelivery?.credentials ?? [],
    outputs: advertiser.dataDelivery?.outputs ?? [],
  };
}

/** `GET /advertisers/{advertiserId}` (getAdvertiser), reduced to its data-delivery part. */
export async function getAdvertiser(ctx: ProviderContext, advertiserId: string): Promise<AdvertiserDataDelivery> {
  const path = advertiserPath(advertiserId);
  const response = await interchangeHttp(ctx).request({ method: "GET", path });
  return dataDeliveryOf(response.body, "GET", path);
}

/**
 * The advertiser's live credentials. Concurrent calls for the same advertiser share one request (many resources
 * polling their probes at once cost one GET per round, not one each), but only a request sent at or after
 * `notBefore` (a `performance.now()` reading) is shared: a caller that has just written must not get a list read
 * before its write.
 */
export function getAdvertiserCredentials(
  ctx: ProviderContext,
  advertiserId: string,
  notBefore: number,
): Promise<AdvertiserDataDelivery> {
  const inFlight = ctx.memo(
    "interchange.advertiserReads",
    () => new Map<string, { sentAt: number; response: Promise<AdvertiserDataDelivery> }>(),
  );
  const shared = inFlight.get(advertiserId);
  if (shared && shared.sentAt >= notBefore) return shared.response;
  const entry = { sentAt: performance.now(), response: getAdvertiser(ctx, advertiserId) };
  inFlight.set(advertiserId, entry);
  const forget = () => {
    if (inFlight.get(advertiserId) === entry) inFlight.delete(advertiserId);
  };
  entry.response.then(forget, forget);
  return entry.response;
}

/**
 * `PUT /advertisers/{advertiserId}` (updateAdvertiser) with `{"dataDelivery": {"credentials": entries}}`: the
 * entries replace every live credential of the advertiser (one left out is archived). Returns the new list.
 * Prefer {@link modifyAdvertiserCredentials}, which re-sends the siblings and serializes writers.
 */
export async function putAdvertiserCredentials(
  ctx: ProviderContext,
  advertiserId: string,
  entries: readonly CredentialEntry[],
): Promise<AdvertiserDataDelivery> {
  const path = advertiserPath(advertiserId);
  const secrets = entries.flatMap((e) => (e.config.type === "AZURE_BLOB" ? [e.config.auth.sasToken] : []));
  // A PUT of the whole list is idempotent: repeating it after a reset or a 5xx writes the same list again.
  const response = await interchangeHttp(ctx).request({
    method: "PUT",
    path,
    body: putAdvertiserCredentialsBody(entries),
    idempotent: true,
    secrets,
  });
  return dataDeliveryOf(response.body, "PUT", path);
}

/** The body {@link putAdvertiserCredentials} sends (exported so tests can check it against the contract). */
export function putAdvertiserCredentialsBody(entries: readonly CredentialEntry[]): {
  dataDelivery: { credentials: CredentialEntry[] };
} {
  return { dataDelivery: { credentials: [...entries] } };
}

/**
 * `POST /advertisers/{advertiserId}/data-delivery-credentials/{name}/validate` (revalidateDataDeliveryCredential):
 * re-run the probe. The answer is either the final status or `PENDING` (the probe then finishes in the background);
 * callers handle both.
 */
export async function validateDataDeliveryCredential(
  ctx: ProviderContext,
  advertiserId: string,
  name: string,
): Promise<RemoteCredential> {
  const segment = pathSegment(name, "The credential name");
  const path = `${advertiserPath(advertiserId)}/data-delivery-credentials/${segment}/validate`;
  // Re-running a probe twice is harmless, so resets and 5xx may be retried.
  const response = await interchangeHttp(ctx).request({ method: "POST", path, idempotent: true });
  return parsePayload(z.object({ credential: dataDeliveryCredentialSchema }), response.body, {
    service: INTERCHANGE,
    method: "POST",
    path,
  }).credential;
}

/**
 * An async mutex per advertiser: every read-modify-write of one advertiser's credential list in this process runs
 * alone, so concurrent resources never overwrite each other's entries (the API has no ETag to detect it).
 */
export class AdvertiserLocks {
  private readonly tails = new Map<string, Promise<void>>();

  /** Run `work` once every earlier holder of `advertiserId`'s lock has finished. */
  async run<T>(advertiserId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(advertiserId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(advertiserId, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(advertiserId) === tail) this.tails.delete(advertiserId);
    }
  }

  /** Number of advertisers with a holder or waiters (for tests). */
  get busy(): number {
    return this.tails.size;
  }
}

/**
 * SAS tokens of AZURE_BLOB credentials this process manages, by `<advertiserId>/<name>`. The API never returns a SAS
 * token but requires it in every PUT, so a write of a sibling can only re-send an Azure credential whose token some
 * resource of this process has shown (its state in diff/read/update/delete, or its inputs in create).
 */
export class KnownSasTokens {
  private readonly tokens = new Map<string, string>();
  private readonly waiters = new Map<string, Array<() => void>>();

  /** Remember the token of an Azure credential (the last one written wins). */
  remember(advertiserId: string, name: string, sasToken: string): void {
    const key = `${advertiserId}/${name}`;
    this.tokens.set(key, sasToken);
    for (const wake of this.waiters.get(key) ?? []) wake();
    this.waiters.delete(key);
  }

  /** The token of a credential, if known. */
  get(advertiserId: string, name: string): string | undefined {
    return this.tokens.get(`${advertiserId}/${name}`);
  }

  /** Forget every token (tests). */
  clear(): void {
    this.tokens.clear();
  }

  /** Forget a credential's token (it was deleted). */
  forget(advertiserId: string, name: string): void {
    this.tokens.delete(`${advertiserId}/${name}`);
  }

  /**
   * Wait up to `ms` for every named token to become known. The engine runs independent resources in parallel, so a
   * sibling's token may arrive a moment after a write needs it (its diff or delete has not run yet).
   */
  async waitFor(advertiserId: string, names: readonly string[], ms: number): Promise<void> {
    const missing = names.filter((n) => this.get(advertiserId, n) === undefined);
    if (missing.length === 0 || ms <= 0) return;
    await Promise.race([
      Promise.all(
        missing.map(
          (n) =>
            new Promise<void>((resolve) => {
              const key = `${advertiserId}/${n}`;
              this.waiters.set(key, [...(this.waiters.get(key) ?? []), resolve]);
            }),
        ),
      ),
      sleep(ms, undefined, { ref: false }),
    ]);
  }
}

/**
 * One process-wide registry of SAS tokens: the engine calls `diff` (which has no context) on every unchanged
 * resource, and that is where an unchanged Azure credential shows its token to its siblings' writes.
 */
export const knownSasTokens = new KnownSasTokens();

/** How long a write waits for a sibling Azure credential's token to be shown by its own resource, in ms. */
export const siblingTokenWait = { ms: 3_000 };

/** The process's per-advertiser locks. */
export function advertiserLocks(ctx: ProviderContext): AdvertiserLocks {
  return ctx.memo("interchange.advertiserLocks", () => new AdvertiserLocks());
}

/**
 * Rebuild the input entry of a credential read from the API, unchanged. AZURE_BLOB needs its SAS token from
 * `tokens`; returns undefined when it cannot be rebuilt (unknown token, or a type the API cannot create).
 */
export function entryFromRemote(remote: RemoteCredential, sasToken: string | undefined): CredentialEntry | undefined {
  const c = remote.config as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof c[k] === "string" ? (c[k] as string) : undefined);
  switch (c.type) {
    case "GCS": {
      const bucket = str("bucket");
      return bucket === undefined ? undefined : { name: remote.name, config: { type: "GCS", bucket } };
    }
    case "S3": {
      const bucket = str("bucket");
      const region = str("region");
      return bucket === undefined || region === undefined
        ? undefined
        : { name: remote.name, config: { type: "S3", bucket, region } };
    }
    case "AZURE_BLOB": {
      const storageAccountName = str("storageAccountName");
      const containerName = str("containerName");
      if (storageAccountName === undefined || containerName === undefined || sasToken === undefined) return undefined;
      return {
        name: remote.name,
        config: { type: "AZURE_BLOB", storageAccountName, containerName, auth: { mode: "SAS_TOKEN", sasToken } },
      };
    }
    default:
      return undefined;
  }
}

/**
 * What a write wants done to the list, decided from the current list while the advertiser's lock is held:
 * `upsert` sets (adds or replaces) an entry, `remove` drops one by name; `undefined` leaves the list as it is
 * (no PUT). Throw to abort without writing.
 */
export type CredentialListChange = { readonly upsert: CredentialEntry } | { readonly remove: string } | undefined;

/** The outcome of {@link modifyAdvertiserCredentials}. */
export interface CredentialListWrite {
  /** The list after the write (or as read, when nothing was written). */
  readonly current: AdvertiserDataDelivery;
  /** Whether a PUT was sent. */
  readonly wrote: boolean;
}

/**
 * The body entries for the list `current` changed by `change`: every sibling rebuilt unchanged from its read shape.
 * Refuses (before anything is written) when a sibling cannot be re-sent: an AZURE_BLOB credential whose SAS token this
 * process does not know, or a SNOWFLAKE/DATABRICKS credential the API cannot take back.
 */
export function entriesAfterChange(
  advertiserId: string,
  current: readonly RemoteCredential[],
  change: NonNullable<CredentialListChange>,
  tokens: Pick<KnownSasTokens, "get">,
): CredentialEntry[] {
  const target = "upsert" in change ? change.upsert.name : change.remove;
  const entries: CredentialEntry[] = [];
  const unknownAzure: string[] = [];
  const notWritable: string[] = [];
  for (const remote of current) {
    if (remote.name === target) continue;
    const entry = entryFromRemote(remote, tokens.get(advertiserId, remote.name));
    if (entry) entries.push(entry);
    else if (remote.config.type === "AZURE_BLOB") unknownAzure.push(remote.name);
    else notWritable.push(`${remote.name} (${remote.destinationType})`);
  }
  const action =
    "upsert" in change ? `write data-delivery credential "${target}"` : `remove data-delivery credential "${target}"`;
  if (unknownAzure.length > 0) {
    throw new RefusedError(
      `Refusing to ${action} on advertiser ${advertiserId}: the API replaces the advertiser's whole credential list, ` +
        `and the AZURE_BLOB sibling(s) ${unknownAzure.map((n) => `"${n}"`).join(", ")} must be re-sent with their SAS ` +
        "token, which the API never returns. Nothing was written. Manage each of those credentials with an " +
        "interchange.DataDeliveryCredential in this same stack (import it with `adopt: true` and its current SAS " +
        "token), so this provider knows its token; or remove them in the Interchange app first.",
    );
  }
  if (notWritable.length > 0) {
    throw new RefusedError(
      `Refusing to ${action} on advertiser ${advertiserId}: the API replaces the advertiser's whole credential list, ` +
        `and the sibling(s) ${notWritable.join(", ")} cannot be re-sent through the API (only GCS, S3 and ` +
        "AZURE_BLOB can be written). Nothing was written. Manage this advertiser's data-delivery credentials in the " +
        "Interchange app instead.",
    );
  }
  if ("upsert" in change) entries.push(change.upsert);
  if (entries.length > MAX_CREDENTIALS_PER_ADVERTISER) {
    throw new RefusedError(
      `Refusing to ${action} on advertiser ${advertiserId}: it already has ${current.length} data-delivery ` +
        `credentials and the API allows at most ${MAX_CREDENTIALS_PER_ADVERTISER}. Nothing was written. Remove one first.`,
    );
  }
  return entries;
}

/**
 * Read-modify-write of an advertiser's credential list: under the advertiser's lock, GET the list, let `decide`
 * choose the change, rebuild every sibling unchanged and PUT. An ambiguous PUT failure (reset, 5xx after every retry)
 * is reconciled by reading the list back: when it already holds what was sent, the write counts as done.
 */
export async function modifyAdvertiserCredentials(
  ctx: ProviderContext,
  advertiserId: string,
  decide: (current: AdvertiserDataDelivery) => CredentialListChange,
): Promise<CredentialListWrite> {
  return advertiserLocks(ctx).run(advertiserId, async () => {
    const current = await getAdvertiser(ctx, advertiserId);
    const change = decide(current);
    if (!change) return { current, wrote: false };
    const azureSiblings = current.credentials
      .filter((c) => c.config.type === "AZURE_BLOB")
      .map((c) => c.name)
      .filter((n) => n !== ("upsert" in change ? change.upsert.name : change.remove));
    await knownSasTokens.waitFor(advertiserId, azureSiblings, siblingTokenWait.ms);
    const entries = entriesAfterChange(advertiserId, current.credentials, change, knownSasTokens);
    try {
      return { current: await putAdvertiserCredentials(ctx, advertiserId, entries), wrote: true };
    } catch (err) {
      if (!(err instanceof ApiError) || !err.isAmbiguous()) throw err;
      const after = await getAdvertiser(ctx, advertiserId);
      if (!listMatches(after.credentials, entries)) throw err;
      return { current: after, wrote: true };
    }
  });
}

/** Whether the read list holds exactly the sent entries (names and readable config; SAS tokens cannot be compared). */
export function listMatches(remote: readonly RemoteCredential[], sent: readonly CredentialEntry[]): boolean {
  if (remote.length !== sent.length) return false;
  return sent.every((entry) => {
    const found = remote.find((r) => r.name === entry.name);
    if (!found) return false;
    const rebuilt = entryFromRemote(found, entry.config.type === "AZURE_BLOB" ? entry.config.auth.sasToken : undefined);
    return rebuilt !== undefined && sameValue(rebuilt.config, entry.config);
  });
}

/** The credential named `name` in a list, if present. */
export function findCredential(list: AdvertiserDataDelivery, name: string): RemoteCredential | undefined {
  return list.credentials.find((c) => c.name === name);
}
