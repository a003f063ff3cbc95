/**
 * Interchange advertiser operations used by data-delivery credentials (contract:
 * emulator/contracts/interchange-buyer.openapi.yml): read the advertiser's credential list, replace it, and re-run a
 * credential's probe. The API has no per-credential create/update/delete: the list inside the advertiser is replaced
 * as a whole ("full replace by name"), so every write here is a read-modify-write that re-sends each sibling
 * unchanged, serialized per advertiser inside the process. Writers in other processes (another stack, the web app)
 * cannot be serialized: the API has no version check. Their effect is detected instead: every write is verified by a
 * read once it settled ({@link verifyAdvertiserWrite}; the next write's own read of the list serves when there is
 * one), and a refresh notices a managed entry that vanished.
 */
import { z } from "zod";
import type { ProviderContext } from "../context";
import { ApiError, parsePayload } from "../http";
import { pathSegment } from "../http/path";
import { RefusedError, sameValue } from "../resource";
import { CoalescedReads } from "../coalesce";
import { INTERCHANGE, interchangeHttp } from "./http";
import { EventEmitter, once } from "node:events";

/** The most credentials one advertiser may hold (the contract's `maxItems`). */
export const MAX_CREDENTIALS_PER_ADVERTISER = 20;
/** Destination types the API can create (SNOWFLAKE and DATABRICKS appear only in responses). */
const WRITABLE_DESTINATION_TYPES = ["GCS", "S3", "AZURE_BLOB"] as const;

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
 * What this process last wrote to each advertiser's credential list: a read taken while none of its PUTs was in
 * flight can tell an entry another writer dropped from one this process removed itself.
 */
export class AdvertiserWrites {
  private readonly byAdvertiser = new Map<string, { sent: number; settled: number; names: readonly string[] | null }>();

  /** Record a PUT being sent; returns its sequence number. */
  sending(advertiserId: string): number {
    const record = this.byAdvertiser.get(advertiserId) ?? { sent: 0, settled: 0, names: [] };
    record.sent += 1;
    this.byAdvertiser.set(advertiserId, record);
    return record.sent;
  }

  /**
   * Record that PUT `seq` ended; `names` is the list it left (undefined: it failed and changed nothing; null: nobody
   * knows, an ambiguous failure that could not be reconciled).
   */
  settled(advertiserId: string, seq: number, names: readonly string[] | null | undefined): void {
    const record = this.byAdvertiser.get(advertiserId);
    if (!record) return;
    record.settled = seq;
    if (names !== undefined) record.names = names;
  }

  /** The sequence number of the latest PUT and whether none is in flight (`clean`), as a read is sent. */
  snapshot(advertiserId: string): { seq: number; clean: boolean } {
    const record = this.byAdvertiser.get(advertiserId);
    return { seq: record?.sent ?? 0, clean: !record || record.settled === record.sent };
  }

  /**
   * The names this process's latest write left live, when a read sent at `snapshot` reflects exactly that write
   * (no PUT of this process was in flight or sent since); undefined when it cannot be judged.
   */
  expectedFor(advertiserId: string, snapshot: { seq: number; clean: boolean }): readonly string[] | undefined {
    const record = this.byAdvertiser.get(advertiserId);
    if (!record || record.sent === 0 || !snapshot.clean || record.sent !== snapshot.seq) return undefined;
    return record.names ?? undefined;
  }
}

/**
 * The process's record of its writes per advertiser, shared by its accounts (two accounts may be two keys of one
 * customer, writing the same list).
 */
export function advertiserWrites(ctx: ProviderContext): AdvertiserWrites {
  return ctx.sharedMemo(
    `interchange.advertiserWrites ${ctx.settings.interchange.baseUrl}`,
    () => new AdvertiserWrites(),
  );
}

/** A read of an advertiser's credentials, with what this process's writes expect it to hold. */
export interface AdvertiserRead {
  readonly list: AdvertiserDataDelivery;
  /**
   * The names this process's latest write to the advertiser left live, when this read reflects that write and no
   * other write of this process (see {@link AdvertiserWrites.expectedFor}); undefined otherwise.
   */
  readonly expected: readonly string[] | undefined;
}

/** The process's shared reads of advertisers (see {@link readAdvertiserCredentials}). */
function advertiserReads(ctx: ProviderContext): CoalescedReads<string, AdvertiserRead> {
  return ctx.memo("interchange.advertiserReads", () => {
    const writes = advertiserWrites(ctx);
    // Only requests in flight are shared (no reuse window): a poll must see the probe's progress of this round.
    return new CoalescedReads<string, AdvertiserRead>(
      (advertiserId) => {
        const snapshot = writes.snapshot(advertiserId);
        return getAdvertiser(ctx, advertiserId).then((list) => ({
          list,
          expected: writes.expectedFor(advertiserId, snapshot),
        }));
      },
      { reuseWindowMs: 0 },
    );
  });
}

/**
 * A mark for {@link readAdvertiserCredentials}: every advertiser read of this process sent from now on follows it.
 * Take it once a write (or validate) answered, so no later read is served from a request sent before it.
 */
export function advertiserReadMark(ctx: ProviderContext): number {
  return advertiserReads(ctx).clock.tick();
}

/**
 * The advertiser's live credentials. Concurrent calls for the same advertiser share one request (many resources
 * polling their probes at once cost one GET per round, not one each), but only a request sent after the mark
 * `after` ({@link advertiserReadMark}; 0: any request in flight) is shared: a caller that has just written must not
 * get a list read before its write.
 */
export async function getAdvertiserCredentials(
  ctx: ProviderContext,
  advertiserId: string,
  after: number,
): Promise<AdvertiserDataDelivery> {
  return (await readAdvertiserCredentials(ctx, advertiserId, after)).list;
}

/** {@link getAdvertiserCredentials}, with what this process's writes expect the list to hold. */
export async function readAdvertiserCredentials(
  ctx: ProviderContext,
  advertiserId: string,
  after: number,
): Promise<AdvertiserRead> {
  return (await advertiserReads(ctx).get(advertiserId, after)).value;
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

  /** Number of advertisers with a holder or waiters (0 once every holder finished: nothing is kept). */
  get busy(): number {
    return this.tails.size;
  }
}

/** Which version of a sibling a known SAS token belongs to: the `credentialId` and `updatedAt` seen with it. */
export interface SeenCredential {
  readonly credentialId?: string | undefined;
  readonly updatedAt?: string | undefined;
}

/** A known SAS token and the version of the credential it was known for. */
export interface KnownSasToken extends SeenCredential {
  readonly sasToken: string;
}

/**
 * SAS tokens of AZURE_BLOB credentials this process manages, by `<advertiserId>/<name>`. The API never returns a SAS
 * token but requires it in every PUT, so a write of a sibling can only re-send an Azure credential whose token some
 * resource of this process has shown (its state, which the adapters show the definition before diff, read, update
 * and delete, or its inputs in create and update). Each token is
 * kept with the `credentialId` and `updatedAt` of the state it came from: when the platform shows another version of
 * the sibling, the token may have been rotated since (in the web app) and must not be written back.
 */
export class KnownSasTokens {
  private readonly tokens = new Map<string, KnownSasToken>();
  /** Emits `<advertiserId>/<name>` when that token becomes known (any number of writes may wait for one). */
  private readonly shown = new EventEmitter().setMaxListeners(0);

  /** Remember the token of an Azure credential and the version it belongs to (the last one given wins). */
  remember(advertiserId: string, name: string, sasToken: string, seen: SeenCredential = {}): void {
    const key = `${advertiserId}/${name}`;
    this.tokens.set(key, { sasToken, credentialId: seen.credentialId, updatedAt: seen.updatedAt });
    this.shown.emit(key);
  }

  /** The token of a credential, if known. */
  get(advertiserId: string, name: string): string | undefined {
    return this.tokens.get(`${advertiserId}/${name}`)?.sasToken;
  }

  /** The token of a credential and the version it belongs to, if known. */
  known(advertiserId: string, name: string): KnownSasToken | undefined {
    return this.tokens.get(`${advertiserId}/${name}`);
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
    // The timeout's timer does not keep the process alive; when it fires the wait simply ends (the write then
    // refuses, naming the sibling whose token is still unknown).
    const signal = AbortSignal.timeout(ms);
    await Promise.all(missing.map((n) => once(this.shown, `${advertiserId}/${n}`, { signal }))).catch(() => undefined);
  }
}

/**
 * The process's known SAS tokens, shared by its accounts: a sibling is re-sent by whichever account writes its
 * advertiser, and two accounts may be two keys of one customer.
 */
export function knownSasTokens(ctx: ProviderContext): KnownSasTokens {
  return ctx.sharedMemo(`interchange.knownSasTokens ${ctx.settings.interchange.baseUrl}`, () => new KnownSasTokens());
}

/**
 * The process's per-advertiser locks, shared by its accounts: two accounts may be two keys of one customer, and
 * their writes to one advertiser's list must not overlap either.
 */
export function advertiserLocks(ctx: ProviderContext): AdvertiserLocks {
  return ctx.sharedMemo(`interchange.advertiserLocks ${ctx.settings.interchange.baseUrl}`, () => new AdvertiserLocks());
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
  /** The PUT's sequence number in this process's {@link AdvertiserWrites} (0 when nothing was written). */
  readonly seq: number;
  /** The names of the entries the PUT sent (empty when nothing was written). */
  readonly sent: readonly string[];
}

/**
 * Reads of an advertiser's list taken under its lock right after one of this process's writes, by that write's
 * sequence number: the next write's read-modify-write starts with such a read, and it is exactly the read that
 * {@link verifyAdvertiserWrite} needs for the write before (taken after it settled, before any later PUT of this
 * process). Per account context (the list a key reads is that key's), at most {@link READS_KEPT} per advertiser.
 */
function readsAfterWrite(ctx: ProviderContext, advertiserId: string): Map<number, AdvertiserRead> {
  const all = ctx.memo("interchange.readsAfterWrite", () => new Map<string, Map<number, AdvertiserRead>>());
  let reads = all.get(advertiserId);
  if (!reads) all.set(advertiserId, (reads = new Map()));
  return reads;
}
const READS_KEPT = 8;

/**
 * GET the list while holding the advertiser's lock, and keep the read for the verification of the write it follows
 * (when it reflects exactly one write of this process: none in flight, and one sent before).
 */
async function lockedRead(ctx: ProviderContext, advertiserId: string): Promise<AdvertiserRead> {
  const writes = advertiserWrites(ctx);
  const snapshot = writes.snapshot(advertiserId);
  const list = await getAdvertiser(ctx, advertiserId);
  const read = { list, expected: writes.expectedFor(advertiserId, snapshot) };
  if (snapshot.clean && snapshot.seq > 0) {
    const reads = readsAfterWrite(ctx, advertiserId);
    if (!reads.has(snapshot.seq)) reads.set(snapshot.seq, read);
    for (const seq of reads.keys()) if (reads.size > READS_KEPT) reads.delete(seq);
  }
  return read;
}

/** Why a known sibling token may be stale: the platform shows another version of the sibling than its state did. */
function changedSince(remote: RemoteCredential, known: KnownSasToken): string | undefined {
  if (known.credentialId !== undefined && known.credentialId !== remote.credentialId) {
    return `credentialId ${known.credentialId} → ${remote.credentialId}`;
  }
  if (known.updatedAt !== undefined && known.updatedAt !== remote.updatedAt) {
    return `updatedAt ${known.updatedAt} → ${remote.updatedAt}`;
  }
  return undefined;
}

/** Whether the API can write a credential of this destination type (SNOWFLAKE and DATABRICKS it cannot). */
export function isWritableType(type: string): boolean {
  return (WRITABLE_DESTINATION_TYPES as readonly string[]).includes(type);
}

/**
 * The refusal to write an entry under the name of a warehouse credential (SNOWFLAKE, DATABRICKS): the write would
 * replace it, and the API can never bring it back.
 */
export function overwritesWarehouse(advertiserId: string, remote: RemoteCredential): RefusedError {
  return new RefusedError(
    `Refusing to write data-delivery credential "${remote.name}" on advertiser ${advertiserId}: that name belongs ` +
      `to a ${remote.destinationType} credential (credentialId ${remote.credentialId}), made in the Interchange web ` +
      `app. The API cannot write ${remote.destinationType} credentials, so writing this destination under its name ` +
      "would replace it for good. Nothing was written. Give this resource another name, or manage that credential " +
      "in the web app.",
  );
}

/**
 * The body entries for the list `current` changed by `change`: every sibling rebuilt unchanged from its read shape.
 * Refuses (before anything is written) when a sibling cannot be re-sent: an AZURE_BLOB credential whose SAS token this
 * process does not know, or that changed on the platform since the state its token came from (the token may have been
 * rotated in the web app: re-sending it would put the old one back), or a SNOWFLAKE/DATABRICKS credential the API
 * cannot take back (the contract's PUT entry needs a full GCS, S3 or AZURE_BLOB config: no entry can keep an
 * existing credential by reference). An upsert under the name of such a credential is refused too.
 */
export function entriesAfterChange(
  advertiserId: string,
  current: readonly RemoteCredential[],
  change: NonNullable<CredentialListChange>,
  tokens: Pick<KnownSasTokens, "known">,
): CredentialEntry[] {
  const target = "upsert" in change ? change.upsert.name : change.remove;
  const entries: CredentialEntry[] = [];
  const unknownAzure: string[] = [];
  const changedAzure: string[] = [];
  const notWritable: string[] = [];
  for (const remote of current) {
    if (remote.name === target) {
      if ("upsert" in change && !isWritableType(remote.config.type)) throw overwritesWarehouse(advertiserId, remote);
      continue;
    }
    const known = remote.config.type === "AZURE_BLOB" ? tokens.known(advertiserId, remote.name) : undefined;
    const changed = known ? changedSince(remote, known) : undefined;
    if (changed) {
      changedAzure.push(`"${remote.name}" (${changed})`);
      continue;
    }
    const entry = entryFromRemote(remote, known?.sasToken);
    if (entry) entries.push(entry);
    else if (remote.config.type === "AZURE_BLOB") unknownAzure.push(remote.name);
    else notWritable.push(`"${remote.name}" (${remote.destinationType}, credentialId ${remote.credentialId})`);
  }
  const action =
    "upsert" in change ? `write data-delivery credential "${target}"` : `remove data-delivery credential "${target}"`;
  if (changedAzure.length > 0) {
    throw new RefusedError(
      `Refusing to ${action} on advertiser ${advertiserId}: the API replaces the advertiser's whole credential list, ` +
        `and the AZURE_BLOB sibling(s) ${changedAzure.join(", ")} changed on the platform since the state its SAS ` +
        "token comes from was written, so the token may have been rotated outside Pulumi (in the Interchange web " +
        "app); re-sending the token in state could put an old one back. Nothing was written. Run `pulumi refresh` " +
        "(it marks that token unknown), set the sibling's current SAS token as the destination.sasToken of its " +
        "resource, and run `pulumi up` again.",
    );
  }
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
        `and the advertiser holds the warehouse credential(s) ${notWritable.join(", ")}, which the API lists but ` +
        "cannot take back in a write " +
        `(a PUT entry needs a full config, and only ${WRITABLE_DESTINATION_TYPES.join(", ")} configs can be sent), ` +
        "so any write through the API would archive it. Nothing was written. Make this change in the Interchange " +
        "web app (which keeps warehouse credentials), or remove the warehouse credential there first if it is no " +
        "longer needed and run the command again" +
        ("remove" in change
          ? "; to stop managing this credential without writing, run `pulumi state delete <urn>` (it stays on the " +
            "platform)."
          : "."),
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
 * is reconciled by reading the list back: when it already holds what was sent, the write counts as done. After the
 * write, the SAS tokens it sent are known for the versions the platform now shows.
 */
export async function modifyAdvertiserCredentials(
  ctx: ProviderContext,
  advertiserId: string,
  decide: (current: AdvertiserDataDelivery) => CredentialListChange,
): Promise<CredentialListWrite> {
  return advertiserLocks(ctx).run(advertiserId, async () => {
    const current = (await lockedRead(ctx, advertiserId)).list;
    const change = decide(current);
    if (!change) return { current, wrote: false, seq: 0, sent: [] };
    const azureSiblings = current.credentials
      .filter((c) => c.config.type === "AZURE_BLOB")
      .map((c) => c.name)
      .filter((n) => n !== ("upsert" in change ? change.upsert.name : change.remove));
    const tokens = knownSasTokens(ctx);
    await tokens.waitFor(advertiserId, azureSiblings, ctx.siblingTokenWaitMs);
    const entries = entriesAfterChange(advertiserId, current.credentials, change, tokens);
    const writes = advertiserWrites(ctx);
    const seq = writes.sending(advertiserId);
    let after: AdvertiserDataDelivery;
    try {
      after = await putAdvertiserCredentials(ctx, advertiserId, entries);
    } catch (err) {
      if (!(err instanceof ApiError) || !err.isAmbiguous()) {
        writes.settled(advertiserId, seq, undefined);
        throw err;
      }
      after = await getAdvertiser(ctx, advertiserId).catch((readErr: unknown) => {
        writes.settled(advertiserId, seq, null);
        throw readErr;
      });
      if (!listMatches(after.credentials, entries)) {
        writes.settled(advertiserId, seq, null);
        throw err;
      }
    }
    writes.settled(
      advertiserId,
      seq,
      entries.map((e) => e.name),
    );
    for (const entry of entries) {
      const written = findCredential(after, entry.name);
      if (entry.config.type === "AZURE_BLOB" && written) {
        tokens.remember(advertiserId, entry.name, entry.config.auth.sasToken, written);
      }
    }
    return { current: after, wrote: true, seq, sent: entries.map((e) => e.name) };
  });
}

/** What {@link verifyAdvertiserWrite} found missing after a write settled. */
export interface MissingAfterWrite {
  /** Whether the entry the write was about is missing (for an upsert; always false for a remove). */
  readonly own: boolean;
  /** Siblings the write sent back (or a later write of this process kept) that are no longer listed. */
  readonly siblings: readonly string[];
}

/**
 * Check, once a write of `target` settled, that the advertiser still lists everything this process's latest write
 * of it left there. `read` is a read taken after the write (a probe poll) when it reflects exactly that write. When
 * the caller has none, the read the next write of the advertiser took under its lock right after this one serves
 * (`seq`: this write's {@link CredentialListWrite.seq}; many resources of one advertiser deleted at once then cost
 * no extra read but the last one's); without that either, the list is read again under the advertiser's lock (so no
 * write of this process is in flight). An entry missing then was dropped by another writer: the API replaces the
 * whole list and has no version check.
 */
export async function verifyAdvertiserWrite(
  ctx: ProviderContext,
  advertiserId: string,
  target: { readonly name: string; readonly removed: boolean; readonly seq?: number },
  read?: AdvertiserRead,
): Promise<{ list: AdvertiserDataDelivery; missing: MissingAfterWrite | undefined }> {
  let list = read?.list;
  let expected = read?.expected;
  if (!list || !expected) {
    const reads = readsAfterWrite(ctx, advertiserId);
    // Only without a read of the caller's: one taken right after the write predates the caller's wait (a probe
    // poll), and would miss a drop during it and show the probe's earlier status.
    const taken = (): AdvertiserRead | undefined => {
      const found = target.seq === undefined || read !== undefined ? undefined : reads.get(target.seq);
      if (found) reads.delete(target.seq!);
      return found;
    };
    // Writers queued behind this one read the list before theirs: wait for the lock, then take that read if any.
    const locked =
      taken() ?? (await advertiserLocks(ctx).run(advertiserId, async () => taken() ?? lockedRead(ctx, advertiserId)));
    list = locked.list;
    expected = locked.expected;
  }
  const live = new Set(list.credentials.map((c) => c.name));
  const own = !target.removed && !live.has(target.name);
  // Without a record of this process's latest write (it failed ambiguously), only the target can be judged.
  const siblings = (expected ?? []).filter((n) => n !== target.name && !live.has(n));
  return { list, missing: own || siblings.length > 0 ? { own, siblings } : undefined };
}

/** The error text for entries another writer dropped, naming them, the likely cause and the way out. */
export function droppedByAnotherWriter(
  advertiserId: string,
  target: string,
  missing: MissingAfterWrite,
  action: "write" | "removal",
): string {
  const names = missing.siblings.map((n) => `"${n}"`).join(", ");
  const what = [
    ...(missing.own ? [`data-delivery credential "${target}" itself`] : []),
    ...(missing.siblings.length > 0 ? [`the sibling(s) ${names} it sent back`] : []),
  ].join(" and ");
  return (
    `Scope3 Interchange accepted the ${action} of data-delivery credential "${target}" on advertiser ` +
    `${advertiserId}, but a read after it settled no longer lists ${what}. The likely cause is another writer on the ` +
    "same advertiser (another stack or `pulumi up` running at the same time, or the Interchange web app): the API " +
    "replaces the advertiser's whole credential list and has no version check, so writers in different processes " +
    "can drop each other's entries; this is detected, not prevented. Run one writer per advertiser at a time, then " +
    "run `pulumi up` again in every stack that manages the missing credentials (a refresh there reports them as " +
    "vanished)."
  );
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
