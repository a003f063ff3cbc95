/**
 * The per-process directory of storefront source credentials: the list and storefront calls shared by every
 * create/read/update of a batch, and the register flows of this process they must not answer from before.
 * Interchange can only "list everything" (no per-credential get), so without this every resource of a stack would
 * cost one list call per read.
 */
import type { ProviderContext } from "../context";
import { CoalescedReads, ReadClock } from "../coalesce";
import {
  getStorefront,
  getStorefrontCapabilities,
  listSourceCredentials,
  type SourceCredential,
  type Storefront,
  type StorefrontCapabilities,
} from "./storefronts";

/**
 * How long a completed list (or storefront) answer is reused by later callers, in milliseconds, once this process
 * has begun a register flow (before that, reads share one snapshot: see {@link SourceCredentialDirectory}).
 */
const LIST_REUSE_WINDOW_MS = 1_500;

/**
 * The longest a new list (or storefront) call waits for register POSTs of this process that are in flight, so the
 * creates of a batch whose POSTs end close together share the read after them. A POST usually answers well within
 * this; a slow one costs the others at most this much before they read without it.
 */
const POST_GATHER_CAP_MS = 1_000;

/** One register flow of this process (a create or an update), from its look before registering until it ends. */
export interface RegistrationFlow {
  /** The account it registers. */
  readonly accountIdentifier: string;
  /** The tick when its latest register POST ended, whatever the outcome (0 until one has). */
  readonly endedAt: number;
}

interface FlowRecord extends RegistrationFlow {
  endedAt: number;
  /** Settles when the POST in flight ends (undefined while none is). */
  post: { readonly ended: Promise<void>; end(): void } | undefined;
  readonly credentialIds: Set<string>;
  readonly finished: Promise<void>;
  finish(): void;
}

interface AccountWrites {
  /** The tick when this process's last register POST for the account ended. */
  lastEndedAt: number;
  readonly inFlight: Set<FlowRecord>;
}

/**
 * Shares the list and storefront calls of one provider process without ever answering from before a write that
 * matters to the caller. Reads are {@link CoalescedReads} on one {@link ReadClock}, which also ticks when a register
 * POST ends, so "this list started after that POST ended" is a comparison of two ticks. Each caller states what it
 * needs:
 * - a read (refresh) takes any answer of the reuse window, unless this process wrote that credential since the
 *   answer's request started. While this process has begun no register flow at all (a `pulumi refresh`, or the
 *   refresh step of `up --refresh`: one provider process per command), reads take any answer of the process,
 *   whatever its age: the command reports one snapshot of the platform taken when its first read listed, as a
 *   single list call would, so a refresh of any number of credentials costs one list call (and one call per
 *   storefront) however long the engine takes to ask for them all. The first register flow ends the snapshot;
 *   reads then follow the window and the write rules;
 * - the look before registering takes any answer of the window unless this process registered (or is registering)
 *   the same account since that answer's request started: then it waits for those flows and takes a list that
 *   started after them, so two resources of one stack registering one account are still caught;
 * - a read after a write, and the reconciliation of an ambiguous POST, take an answer whose request started after
 *   their own POST ended; concurrent writes ending close together share one such call (new calls first wait a
 *   little for the register POSTs in flight).
 *
 * Memory: two small records per account/credential this process wrote (bounded by the stack's resources).
 */
export class SourceCredentialDirectory {
  private readonly clock = new ReadClock();
  private readonly list: CoalescedReads<"all", SourceCredential[]>;
  private readonly storefronts: CoalescedReads<number, Storefront>;
  private readonly capabilityCalls: CoalescedReads<number, StorefrontCapabilities>;
  private readonly accounts = new Map<string, AccountWrites>();
  private readonly credentialWrites = new Map<string, number>();
  /** Whether a register flow of this process has begun (ends the read-only snapshot; never reset). */
  private writing = false;

  constructor(ctx: ProviderContext) {
    const options = { clock: this.clock, reuseWindowMs: LIST_REUSE_WINDOW_MS, beforeCall: this.gather };
    this.list = new CoalescedReads(() => listSourceCredentials(ctx), options);
    this.storefronts = new CoalescedReads((storefrontId) => getStorefront(ctx, storefrontId), options);
    // Registrations do not change a storefront's capabilities: no need to wait for the POSTs in flight.
    this.capabilityCalls = new CoalescedReads((storefrontId) => getStorefrontCapabilities(ctx, storefrontId), {
      clock: this.clock,
      reuseWindowMs: LIST_REUSE_WINDOW_MS,
    });
  }

  /** Settles when every register POST in flight now has ended, or after {@link POST_GATHER_CAP_MS}. */
  private readonly gather = (): Promise<void> => {
    const posts: Promise<void>[] = [];
    for (const writes of this.accounts.values())
      for (const flow of writes.inFlight) if (flow.post) posts.push(flow.post.ended);
    if (posts.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, POST_GATHER_CAP_MS);
      void Promise.all(posts).then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  };

  /**
   * Every credential of the customer, from a list call that started after tick `after` (0: any recent one, or any
   * at all while this process is read-only).
   */
  async credentials(after = 0): Promise<SourceCredential[]> {
    return (await this.list.get("all", after, this.readAgeLimit())).value;
  }

  /** A storefront, from a call that started after tick `after` (0: any recent one, or any while read-only). */
  async storefront(storefrontId: number, after = 0): Promise<Storefront> {
    return (await this.storefronts.get(storefrontId, after, this.readAgeLimit())).value;
  }

  /** How old an answer a read may take: any while no register flow has begun here, else the reuse window. */
  private readAgeLimit(): number {
    return this.writing ? LIST_REUSE_WINDOW_MS : Number.POSITIVE_INFINITY;
  }

  /**
   * A storefront's per-source rows (which sources take credentials), shared by every create and rotation of the
   * window: one call per storefront per batch. Registrations do not change them, so any recent answer serves.
   */
  async capabilities(storefrontId: number): Promise<StorefrontCapabilities> {
    return (await this.capabilityCalls.get(storefrontId, 0)).value;
  }

  /** The tick a read of this credential must start after: its last register POST in this process (0: none). */
  lastWriteTo(credentialId: string): number {
    return this.credentialWrites.get(credentialId) ?? 0;
  }

  /**
   * The credentials as a register flow must judge them (existing registration? baseline?), and the flow, claimed
   * in the same turn so a concurrent flow for the same account waits for this one. Call
   * {@link SourceCredentialDirectory.finish} when the flow's POSTs are done, whatever the outcome.
   */
  async beginRegistration(
    accountIdentifier: string,
    credentialId?: string,
  ): Promise<{ credentials: SourceCredential[]; flow: RegistrationFlow }> {
    // The look before registering never takes the read-only snapshot: only answers of the reuse window.
    let after = 0;
    for (;;) {
      const answer = await this.list.get("all", after, LIST_REUSE_WINDOW_MS);
      const writes = this.accounts.get(accountIdentifier);
      if (!writes || (writes.inFlight.size === 0 && writes.lastEndedAt < answer.startedAt)) {
        return { credentials: answer.value, flow: this.claim(accountIdentifier, credentialId) };
      }
      // This process registered the account since that list started (or is registering it): its effect must be
      // listed before this flow decides anything.
      await Promise.all([...writes.inFlight].map((f) => f.finished));
      after = Math.max(after, writes.lastEndedAt);
    }
  }

  /** Record that a register POST of `flow` is being sent (new list calls wait a little for it to end). */
  posting(flow: RegistrationFlow): void {
    let end = (): void => undefined;
    const ended = new Promise<void>((resolve) => (end = resolve));
    (flow as FlowRecord).post = { ended, end: () => end() };
  }

  /** Record that a register POST of `flow` ended (successful or not): reads must now start after this tick. */
  posted(flow: RegistrationFlow, credentialId?: string): number {
    const record = flow as FlowRecord;
    record.post?.end();
    record.post = undefined;
    record.endedAt = this.clock.tick();
    if (credentialId) record.credentialIds.add(credentialId);
    const writes = this.accounts.get(record.accountIdentifier);
    if (writes) writes.lastEndedAt = record.endedAt;
    for (const id of record.credentialIds) this.credentialWrites.set(id, record.endedAt);
    return record.endedAt;
  }

  /** Record the credential a flow turned out to register (found by a reconciling list) as written at its end. */
  wrote(flow: RegistrationFlow, credentialId: string): void {
    (flow as FlowRecord).credentialIds.add(credentialId);
    if (flow.endedAt > 0) this.credentialWrites.set(credentialId, flow.endedAt);
  }

  /** End a flow: flows of the same account waiting for it go on. */
  finish(flow: RegistrationFlow): void {
    const record = flow as FlowRecord;
    record.post?.end();
    record.post = undefined;
    const writes = this.accounts.get(record.accountIdentifier);
    writes?.inFlight.delete(record);
    if (writes && writes.inFlight.size === 0 && writes.lastEndedAt === 0)
      this.accounts.delete(record.accountIdentifier);
    record.finish();
  }

  private claim(accountIdentifier: string, credentialId: string | undefined): FlowRecord {
    this.writing = true;
    let finish = (): void => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const record: FlowRecord = {
      accountIdentifier,
      endedAt: 0,
      post: undefined,
      credentialIds: new Set(credentialId ? [credentialId] : []),
      finished,
      finish: () => finish(),
    };
    let writes = this.accounts.get(accountIdentifier);
    if (!writes) {
      writes = { lastEndedAt: 0, inFlight: new Set() };
      this.accounts.set(accountIdentifier, writes);
    }
    writes.inFlight.add(record);
    return record;
  }
}

/** The process's directory (shared by every StorefrontSourceCredential the provider process serves). */
export function sourceCredentialDirectory(ctx: ProviderContext): SourceCredentialDirectory {
  return ctx.memo("interchange.sourceCredentialDirectory", () => new SourceCredentialDirectory(ctx));
}
