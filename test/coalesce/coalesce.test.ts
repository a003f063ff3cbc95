/**
 * The shared read mechanism (provider/coalesce.ts) and the retry loop (provider/http/retry.ts) on their own, with
 * scripted calls: who shares a request, when a new one starts, and what a retry waits.
 */
import { describe, expect, it } from "vitest";
import { CoalescedReads } from "../../provider/coalesce";
import { backoffDelay, retry } from "../../provider/http/retry";

/** A call per key that answers when told to, counting how many requests were sent. */
function scripted() {
  const pending: Array<{ key: string; resolve: (v: string) => void; reject: (e: Error) => void }> = [];
  let sent = 0;
  const call = (key: string) =>
    new Promise<string>((resolve, reject) => {
      sent += 1;
      pending.push({ key, resolve: (v) => resolve(v), reject });
    });
  return { call, pending, sent: () => sent };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("CoalescedReads", () => {
  it("shares one request among concurrent callers of a key, and not across keys", async () => {
    const s = scripted();
    const reads = new CoalescedReads(s.call, { reuseWindowMs: 1_000 });
    const answers = [reads.get("a"), reads.get("a"), reads.get("b")];
    await turn();
    expect(s.sent()).toBe(2);
    for (const p of s.pending) p.resolve(`${p.key}!`);
    expect((await Promise.all(answers)).map((a) => a.value)).toEqual(["a!", "a!", "b!"]);
  });

  it("serves a caller that needs a newer answer from one request queued behind the one in flight", async () => {
    const s = scripted();
    const reads = new CoalescedReads(s.call, { reuseWindowMs: 1_000 });
    const first = reads.get("a");
    await turn();
    const mark = reads.clock.tick();
    const newer = [reads.get("a", mark), reads.get("a", mark)];
    await turn();
    expect(s.sent()).toBe(1); // at most one request in flight per key
    s.pending[0]?.resolve("old");
    expect((await first).value).toBe("old");
    await turn();
    expect(s.sent()).toBe(2);
    s.pending[1]?.resolve("new");
    const [x, y] = await Promise.all(newer);
    expect([x?.value, y?.value]).toEqual(["new", "new"]);
    expect(x?.startedAt).toBeGreaterThan(mark);
  });

  it("reuses a completed answer within the window only; with no window, only requests in flight", async () => {
    const s = scripted();
    const windowed = new CoalescedReads(s.call, { reuseWindowMs: 60_000 });
    const none = new CoalescedReads(s.call, { reuseWindowMs: 0 });
    for (const reads of [windowed, none]) {
      const answer = reads.get("a");
      await turn();
      s.pending.at(-1)?.resolve("x");
      await answer;
    }
    const before = s.sent();
    const again = [windowed.get("a"), none.get("a")];
    await turn();
    expect(s.sent() - before).toBe(1); // only the reader without a window asked again
    s.pending.at(-1)?.resolve("y");
    expect((await Promise.all(again)).map((a) => a.value)).toEqual(["x", "y"]);
  });

  it("lets a caller name its own age limit: Infinity takes any completed answer, a smaller one asks again", async () => {
    const s = scripted();
    const reads = new CoalescedReads(s.call, { reuseWindowMs: 20 });
    const first = reads.get("a");
    await turn();
    s.pending.at(-1)?.resolve("x");
    await first;
    await new Promise((resolve) => setTimeout(resolve, 40)); // past the 20 ms window
    expect((await reads.get("a", 0, Number.POSITIVE_INFINITY)).value).toBe("x");
    expect(s.sent()).toBe(1);
    const windowed = reads.get("a");
    await turn();
    expect(s.sent()).toBe(2); // the default limit is the window, which has passed
    s.pending.at(-1)?.resolve("y");
    expect((await windowed).value).toBe("y");
    const strict = reads.get("a", 0, 0);
    await turn();
    expect(s.sent()).toBe(3); // 0: only a request in flight serves
    s.pending.at(-1)?.resolve("z");
    expect((await strict).value).toBe("z");
  });

  it("never reuses a failed request", async () => {
    const s = scripted();
    const reads = new CoalescedReads(s.call, { reuseWindowMs: 60_000 });
    const failing = reads.get("a");
    await turn();
    s.pending[0]?.reject(new Error("boom"));
    await expect(failing).rejects.toThrow("boom");
    const next = reads.get("a");
    await turn();
    expect(s.sent()).toBe(2);
    s.pending[1]?.resolve("ok");
    expect((await next).value).toBe("ok");
  });

  it("waits for beforeCall before a new request starts", async () => {
    const s = scripted();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const reads = new CoalescedReads(s.call, { reuseWindowMs: 0, beforeCall: () => gate });
    const answer = reads.get("a");
    await turn();
    expect(s.sent()).toBe(0);
    release();
    await turn();
    expect(s.sent()).toBe(1);
    s.pending[0]?.resolve("z");
    expect((await answer).value).toBe("z");
  });
});

describe("retry and Backoff", () => {
  it("calls again after each retryInMs until an attempt returns a value; a throw ends it", async () => {
    const seen: number[] = [];
    const started = Date.now();
    const value = await retry(async (n) => {
      seen.push(n);
      return n < 3 ? { retryInMs: 20 } : { value: `done at ${n}` };
    });
    expect(value).toBe("done at 3");
    expect(seen).toEqual([1, 2, 3]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    await expect(
      retry(async (n) => {
        if (n === 2) throw new Error("gave up at 2");
        return { retryInMs: 0 };
      }),
    ).rejects.toThrow("gave up at 2");
  });

  it("grows geometrically to the ceiling; half jitter stays between half the step and the step", () => {
    const polls = { firstMs: 300, factor: 1.5, maxMs: 2_000, jitter: "none" as const };
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(polls, n))).toEqual([300, 450, 675, 1013, 1519, 2000, 2000]);
    const http = { firstMs: 250, factor: 2, maxMs: 8_000, jitter: "half" as const };
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const step = Math.min(8_000, 250 * 2 ** (n - 1));
      const delay = backoffDelay(http, n);
      expect(delay).toBeGreaterThanOrEqual(step / 2);
      expect(delay).toBeLessThanOrEqual(step);
    }
  });
});
