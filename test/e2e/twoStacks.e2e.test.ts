/**
 * Two stacks writing the same platform objects at the same time, through the real `pulumi` CLI (two engines, two
 * provider hosts), with the emulator delaying one request so the race really happens:
 * - two stacks registering the same account on the same source: neither takes the other's registration as its own
 *   new credential (issue 11 item 4);
 * - two stacks writing one advertiser's data-delivery list (a full-replace PUT with no version check): a credential
 *   dropped by the other writer is reported, by the write or by the next refresh, never silently (item 3).
 * The platforms cannot prevent these races (no idempotency key, no ETag); what is tested is that none goes unnoticed.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { ProjectStack, StackCommandError } from "../../engine/stack";
import { useE2E } from "./support";

const SOURCE_PROGRAM = resolve(__dirname, "../fixtures/programs/oneSourceCredential.js");
const DELIVERY_PROGRAM = resolve(__dirname, "../fixtures/programs/oneDataDeliveryCredential.js");

type Outcome = { ok: true } | { ok: false; text: string };

async function outcomeOf(command: Promise<unknown>): Promise<Outcome> {
  try {
    await command;
    return { ok: true };
  } catch (error) {
    const failure = error as StackCommandError;
    return { ok: false, text: `${failure.message}\n${failure.stdout}\n${failure.stderr}` };
  }
}

describe.sequential("two stacks on the same platform objects, through the real pulumi CLI", () => {
  const e2e = useE2E();

  it("registering the same account from two stacks at once: no stack takes the other's registration", async () => {
    const config = (token: string) => ({
      "fixture:accountIdentifier": { value: "acme-shared-buyer" },
      "fixture:token": { value: token, secret: true },
    });
    const one = await e2e.fixtureStack(SOURCE_PROGRAM, { stackName: "one", config: config("token-of-stack-one") });
    const two = await e2e.fixtureStack(SOURCE_PROGRAM, { stackName: "two", config: config("token-of-stack-two") });
    // Both registrations are held 1.5 s before the platform acts, so both stacks' pre-create lists see nothing.
    e2e.emulator.addFault({
      method: "POST",
      path: "/api/v2/buyer/storefronts/{storefrontId}/sources/{sourceId}/credentials",
      delayMs: 1500,
      times: 2,
    });
    const outcomes = await Promise.all([outcomeOf(one.up()), outcomeOf(two.up())]);
    const state = (await e2e.admin("GET", "/state")) as {
      interchange: { sourceCredentials: { id: string; accountIdentifier: string }[] };
    };
    const registrations = state.interchange.sourceCredentials.filter(
      (c) => c.accountIdentifier === "acme-shared-buyer",
    );
    // The platform keeps one registration per account and source: the second POST rotated the first one's secret.
    expect(registrations).toHaveLength(1);
    // At most one stack may claim it, and a stack that fails says why: another writer registered the same account.
    expect(outcomes.filter((o) => o.ok).length).toBeLessThanOrEqual(1);
    for (const outcome of outcomes) {
      if (!outcome.ok) expect(outcome.text).toMatch(/another (writer|stack|process)/i);
    }
    const claimed = await Promise.all(
      [one, two].map(async (stack) => (await stack.outputs())["credentialId"]?.value as string | undefined),
    );
    expect(claimed.filter((id) => id === registrations[0]!.id).length).toBeLessThanOrEqual(1);
  });

  it("two stacks writing one advertiser at once: a dropped credential is reported by the write or the next refresh", async () => {
    const stacks: ProjectStack[] = await Promise.all(
      ["lld-stack-a", "lld-stack-b"].map((name) =>
        e2e.fixtureStack(DELIVERY_PROGRAM, {
          stackName: name,
          config: { "fixture:name": { value: name }, "fixture:bucket": { value: `acme-${name}` } },
        }),
      ),
    );
    await e2e.admin("POST", "/interchange/settings", { probeDelayMs: 100 });
    // The first full-list PUT to arrive waits 1.5 s, so the other stack's PUT lands first and is then overwritten.
    e2e.emulator.addFault({ method: "PUT", path: "/api/v2/buyer/advertisers/{advertiserId}", delayMs: 1500, times: 1 });
    const ups = await Promise.all(stacks.map((stack) => outcomeOf(stack.up())));
    const present = new Set((await e2e.storedDataDelivery("12345")).map((c) => c.name));
    // The race really happened: one of the two entries is gone.
    expect(present.size).toBe(1);
    for (const [index, stack] of stacks.entries()) {
      const name = stack.stackName;
      if (present.has(name)) continue;
      // This stack's credential was dropped by the other writer: its up or its next refresh must say so.
      const refresh = await outcomeOf(stack.refresh());
      const reported = [ups[index]!, refresh].filter((o): o is { ok: false; text: string } => !o.ok);
      expect(reported.length, `the loss of ${name} went unreported`).toBeGreaterThan(0);
      expect(reported.map((o) => o.text).join("\n")).toContain(name);
      expect(reported.map((o) => o.text).join("\n")).toMatch(/another writer/i);
    }
  });
});
