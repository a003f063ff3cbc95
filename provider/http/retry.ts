/**
 * The one retry mechanism of the package: the HTTP client's retries, the reconciled retries of non-idempotent
 * creates, and probe polling all run through {@link retry}, with their waits from a {@link Backoff} schedule.
 * Each caller keeps its own decision (what counts as done, what may be repeated, how long the platform asked to
 * wait); the loop, the waiting and the schedule arithmetic live here once.
 */
import { setTimeout as sleep } from "node:timers/promises";

/** What one attempt decided: finish with `value`, or be called again after `retryInMs` milliseconds. */
export type AttemptDecision<T> = { readonly value: T } | { readonly retryInMs: number };

/**
 * Call `attempt` (1-based attempt number) until it returns `{ value }`, waiting `retryInMs` between attempts. An
 * attempt that throws ends the loop with that error: giving up (attempts exhausted, a final answer) is the
 * attempt's own decision, so every caller states its limits where it states its reasons.
 */
export async function retry<T>(attempt: (n: number) => Promise<AttemptDecision<T>>): Promise<T> {
  for (let n = 1; ; n++) {
    const decision = await attempt(n);
    if ("value" in decision) return decision.value;
    if (decision.retryInMs > 0) await sleep(decision.retryInMs);
  }
}

/** A schedule of waits that grow geometrically up to a ceiling. */
export interface Backoff {
  /** The wait after the first attempt, in milliseconds. */
  readonly firstMs: number;
  /** Growth of the wait per attempt (2: doubling). */
  readonly factor: number;
  /** Ceiling of one wait, in milliseconds. */
  readonly maxMs: number;
  /**
   * `half`: a random wait between half the step and the step, so concurrent writers spread out but never hammer;
   * `none`: exactly the step (polling, where the wait is a judgement of when the answer is ready).
   */
  readonly jitter: "half" | "none";
}

/** The wait after attempt `n` (1-based) under `schedule`, in whole milliseconds. */
export function backoffDelay(schedule: Backoff, n: number): number {
  const step = Math.min(schedule.maxMs, schedule.firstMs * schedule.factor ** (n - 1));
  return Math.round(schedule.jitter === "half" ? step / 2 + (Math.random() * step) / 2 : step);
}
