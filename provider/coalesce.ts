/**
 * Shared reads for every platform's list/get calls: concurrent callers that can use the same answer share one
 * request (single flight), under one freshness rule.
 *
 * Time is a counter ({@link ReadClock}) rather than the wall clock: it advances when a read request starts and
 * whenever the caller marks a moment that later reads must follow (a write ended). "This answer reflects that write"
 * is then a comparison of two ticks, exact even when both happen within the same millisecond.
 *
 * The freshness rule: a caller asks for an answer whose request started after tick `after` (0: any). The newest
 * request serves it when its start qualifies and it is still in flight, or answered at most `reuseWindowMs` ago (a
 * caller may name another age limit, e.g. a read-only command's snapshot).
 * Otherwise the caller shares the one request queued behind the newest (at most one request per key is in flight,
 * so a burst of callers costs one request per round), which starts after `beforeCall` settles.
 */

/** The tick counter that orders read starts and the moments callers mark. */
export class ReadClock {
  private ticks = 0;

  /** Advance the clock: every read request that starts from now on has a greater tick than the one returned. */
  tick(): number {
    return ++this.ticks;
  }
}

/** An answer together with the tick at which its request started. */
export interface CoalescedAnswer<T> {
  /** The answer. */
  readonly value: T;
  /** The clock's tick when the request was sent: it reflects everything marked at a lower tick. */
  readonly startedAt: number;
}

/** Options of {@link CoalescedReads}. */
export interface CoalescedReadsOptions {
  /** The clock shared with whoever marks the moments reads must follow; a new one by default. */
  readonly clock?: ReadClock;
  /**
   * How long a completed answer is reused by later callers whose `after` it meets, in milliseconds; 0 shares only
   * requests still in flight.
   */
  readonly reuseWindowMs: number;
  /** Awaited before a new request starts (e.g. to let writes in flight end first, so one read follows them all). */
  readonly beforeCall?: () => Promise<void>;
}

interface CallEntry<T> {
  readonly startedAt: number;
  readonly promise: Promise<CoalescedAnswer<T>>;
  /** When the answer arrived, in `Date.now()` milliseconds (undefined while in flight). */
  settledAt?: number;
}

interface KeyState<T> {
  newest: CallEntry<T> | undefined;
  queued: Promise<CoalescedAnswer<T>> | undefined;
}

/** Shared reads of one kind (one list, or one object per key), all under the freshness rule of this module. */
export class CoalescedReads<K, T> {
  /** The clock the answers' `startedAt` ticks come from. */
  readonly clock: ReadClock;
  private readonly keys = new Map<K, KeyState<T>>();

  constructor(
    private readonly call: (key: K) => Promise<T>,
    private readonly options: CoalescedReadsOptions,
  ) {
    this.clock = options.clock ?? new ReadClock();
  }

  /**
   * An answer for `key` from a request that started after tick `after` (0: any answer the rule allows), answered at
   * most `maxAgeMs` ago (default the `reuseWindowMs` option; `Infinity`: any age) or still in flight.
   */
  get(key: K, after = 0, maxAgeMs = this.options.reuseWindowMs): Promise<CoalescedAnswer<T>> {
    let state = this.keys.get(key);
    if (!state) {
      state = { newest: undefined, queued: undefined };
      this.keys.set(key, state);
    }
    const newest = state.newest;
    if (
      newest &&
      newest.startedAt > after &&
      (newest.settledAt === undefined || this.reusable(newest.settledAt, maxAgeMs))
    ) {
      return newest.promise;
    }
    // A queued request starts later than anything asked so far, so it qualifies for every caller.
    if (state.queued) return state.queued;
    const previous =
      newest && newest.settledAt === undefined
        ? newest.promise.then(
            () => undefined,
            () => undefined,
          )
        : Promise.resolve();
    const owner = state;
    const queued = previous
      .then(() => this.options.beforeCall?.())
      .then(() => {
        owner.queued = undefined;
        return this.begin(key, owner).promise;
      });
    state.queued = queued;
    return queued;
  }

  private reusable(settledAt: number, maxAgeMs: number): boolean {
    // An answer with no reuse window was dropped when it arrived (see begin), whatever a caller would accept.
    return this.options.reuseWindowMs > 0 && maxAgeMs > 0 && Date.now() - settledAt <= maxAgeMs;
  }

  private begin(key: K, state: KeyState<T>): CallEntry<T> {
    const startedAt = this.clock.tick();
    const entry: CallEntry<T> = {
      startedAt,
      promise: this.call(key).then(
        (value) => {
          entry.settledAt = Date.now();
          // Nothing will reuse it: drop the answer rather than hold it for the life of the process.
          if (this.options.reuseWindowMs <= 0) this.forget(key, state, entry);
          return { value, startedAt };
        },
        (err: unknown) => {
          // A failed request is never reused: the next caller tries again (the HTTP client already retried).
          this.forget(key, state, entry);
          throw err;
        },
      ),
    };
    state.newest = entry;
    return entry;
  }

  private forget(key: K, state: KeyState<T>, entry: CallEntry<T>): void {
    if (state.newest !== entry) return;
    state.newest = undefined;
    if (!state.queued) this.keys.delete(key);
  }
}
