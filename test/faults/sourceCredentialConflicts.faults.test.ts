/**
 * interchange.StorefrontSourceCredential when another writer registers the same account, and when a create cannot be
 * confirmed either way, through Pulumi's real dynamic-provider host: one host process per stack (or per `pulumi`
 * command) against one emulator. Interchange keeps one registration per account and source and silently rotates its
 * secret on every registration, so a create must tell its own new registration from anyone else's.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import { PartialFailureError, ProviderError, type PropertyMap } from "../../engine/host";
import { Secret } from "../../engine/secrets";
import { outcomeOf, urnOf, useFaultBench, withProvider, type FaultBench } from "./support";

const KIND = "interchange:StorefrontSourceCredential";
const bench = useFaultBench(KIND);
const REGISTER = "POST /api/v2/buyer/storefronts/{storefrontId}/sources/{sourceId}/credentials";
const LIST_PATH = "/api/v2/buyer/storefronts/credentials";
const ACCOUNT = "conflict-acct-1";
const TOKEN_A = "stack-a-source-token";
const TOKEN_B = "stack-b-source-token";

interface Stored {
  id: string;
  accountIdentifier: string;
  createdAt: string;
  updatedAt: string;
  auth: { token?: string } | null;
}

function registrations(b: FaultBench): Stored[] {
  const state = b.emulator.state() as { interchange: { sourceCredentials: Stored[] } };
  return state.interchange.sourceCredentials.filter((c) => c.accountIdentifier === ACCOUNT);
}

const inputs = (token: string, extra: PropertyMap = {}): PropertyMap => ({
  storefrontId: 101,
  sourceId: "src_apikey",
  accountIdentifier: ACCOUNT,
  auth: new Secret({ type: "apiKey", token }),
  ...extra,
});

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(10);
  expect(condition()).toBe(true);
}

/** The checked inputs of a new resource in `host`. */
async function checked(host: Awaited<ReturnType<FaultBench["freshHost"]>>, name: string, props: PropertyMap) {
  const result = await host.check(urnOf(KIND, name), {}, withProvider(bench.current, props));
  expect(result.failures).toEqual([]);
  return result.inputs;
}

beforeEach(async () => {
  await bench.current.reset();
  bench.current.secrets.push(TOKEN_A, TOKEN_B);
});

describe("two stacks registering the same account", () => {
  it("both look before either registers: the one whose registration came second reports a conflict, not success", async () => {
    const b = bench.current;
    const [stackA, stackB] = await Promise.all([b.freshHost(), b.freshHost()]);
    const [inputsA, inputsB] = [
      await checked(stackA, "a", inputs(TOKEN_A)),
      await checked(stackB, "b", inputs(TOKEN_B)),
    ];
    b.clearCounts();
    // Stack A's register POST is held for 2 s: stack B looks (nothing listed yet), registers and reads its
    // registration back before A's POST lands and re-registers the same account with A's token.
    b.fault({ method: "POST", path: REGISTER.slice(5), delayMs: 2_000, times: 1 });
    const a = outcomeOf(stackA.create(urnOf(KIND, "a"), inputsA));
    await until(() => (b.counts()[REGISTER] ?? 0) === 1);
    const stackBResult = await outcomeOf(stackB.create(urnOf(KIND, "b"), inputsB));
    const stackAResult = await a;
    await Promise.all([stackA.close(), stackB.close()]);

    const [registration] = registrations(b);
    expect(registrations(b)).toHaveLength(1);
    expect(stackBResult.error).toBeUndefined();
    expect((stackBResult.value as { id: string }).id).toBe(registration?.id);
    // A's POST came last, so the platform now holds A's token: A must not report this registration as its own.
    expect(registration?.auth?.token).toBe(TOKEN_A);
    expect(stackAResult.error).toBeInstanceOf(ProviderError);
    expect(stackAResult.error).not.toBeInstanceOf(PartialFailureError);
    expect(stackAResult.error?.message).toContain(
      `account "${ACCOUNT}" on storefront 101 source "src_apikey": credential ${registration?.id} was registered ` +
        `again after it was created (createdAt ${registration?.createdAt}, updatedAt ${registration?.updatedAt}), ` +
        "so it is not a new registration of this resource; the likely cause is another writer",
    );
    expect(stackAResult.error?.message).toContain("set `adopt: true` and run `pulumi up`");
    expect(stackAResult.error?.message).toContain("This resource was not added to the stack.");
    expect(b.counts()[REGISTER]).toBe(2);
  });

  it("a registration listed before the POST (under no source) is a conflict without adopt, and adopted with it", async () => {
    const b = bench.current;
    const first = await b.freshHost();
    const made = await first.create(urnOf(KIND, "first"), await checked(first, "first", inputs(TOKEN_A)));
    await first.close();
    // The agent is unlinked from its sources: the registration stays listed with `sources: []`, so a look before
    // registering does not see it as this account's registration on the source.
    const orphan = await fetch(`${b.emulator.adminUrl}/interchange/credentials/${made.id}/orphan`, { method: "POST" });
    expect(orphan.status).toBe(200);

    const second = await b.freshHost();
    const refused = await outcomeOf(
      second.create(urnOf(KIND, "second"), await checked(second, "second", inputs(TOKEN_B))),
    );
    expect(refused.error).toBeInstanceOf(ProviderError);
    expect(refused.error?.message).toContain(
      `credential ${made.id} was already listed before this registration (for another source of the same agent, ` +
        "or with no source left), so it is not a new registration of this resource",
    );
    const adopted = await second.create(
      urnOf(KIND, "second"),
      await checked(second, "second", inputs(TOKEN_B, { adopt: true })),
    );
    await second.close();
    expect(adopted.id).toBe(made.id);
    expect(registrations(b).map((r) => r.id)).toEqual([made.id]);
  });
});

describe("a create whose register answer and reconciling list both fail", () => {
  /** POST fails as `postFault` says (after the pre-POST look), then every attempt of the reconciling list gets a 503. */
  async function unconfirmed(b: FaultBench, postFault: Record<string, unknown>) {
    const host = await b.freshHost();
    const props = await checked(host, "acct", inputs(TOKEN_A));
    b.fault({ method: "POST", path: REGISTER.slice(5), times: 1, ...postFault });
    // The first list is the look before registering; the three after it are the reconciliation and its retries.
    b.fault({ method: "GET", path: LIST_PATH, status: 503, skip: 1, times: 3 });
    const outcome = await outcomeOf(host.create(urnOf(KIND, "acct"), props));
    await host.close();
    expect(outcome.error).toBeInstanceOf(PartialFailureError);
    return { props, error: outcome.error as PartialFailureError };
  }

  /** The next `pulumi up` in a new host: Check, then Update (the engine always updates a resource that failed to initialize). */
  async function nextUp(b: FaultBench, error: PartialFailureError, props: PropertyMap) {
    const host = await b.freshHost();
    const rechecked = await host.check(urnOf(KIND, "acct"), props, withProvider(b, inputs(TOKEN_A)));
    expect(rechecked.failures).toEqual([]);
    const updated = await outcomeOf(host.update(error.id, urnOf(KIND, "acct"), error.outputs, rechecked.inputs));
    return { host, updated };
  }

  it("stays in the stack as unconfirmed, saying the registration may exist and how it will be recognised", async () => {
    const b = bench.current;
    const { error } = await unconfirmed(b, { reset: true, after: true });
    expect(error.id).toBe(`unconfirmed:101/src_apikey/${ACCOUNT}`);
    expect(error.message).toContain(
      `Interchange may have registered account "${ACCOUNT}" on storefront 101 source "src_apikey": the register ` +
        "request failed without a usable answer",
    );
    expect(error.message).toContain(
      "The next `pulumi up` (or `pulumi refresh`) lists the credentials and takes the registration of this account " +
        "on this source as this resource's when nobody registered it again since it was created",
    );
    expect(registrations(b)).toHaveLength(1);
  });

  it("the next up recognises its own registration without registering again; refresh then reports its id", async () => {
    const b = bench.current;
    const { error, props } = await unconfirmed(b, { reset: true, after: true });
    const [own] = registrations(b);
    b.clearCounts();
    const { host, updated } = await nextUp(b, error, props);
    expect(updated.error).toBeUndefined();
    const outputs = (updated.value as { outputs: PropertyMap }).outputs;
    expect(outputs).toMatchObject({ credentialId: own?.id, status: "ACTIVE", revocation: "manual" });
    expect(b.counts()[REGISTER] ?? 0).toBe(0);
    const refreshed = await host.read(error.id, urnOf(KIND, "acct"), outputs, props);
    await host.close();
    expect(refreshed.id).toBe(own?.id);
    expect(registrations(b).map((r) => [r.id, r.auth?.token])).toEqual([[own?.id, TOKEN_A]]);
  });

  it("when the POST never reached the platform, the next up registers the account once", async () => {
    const b = bench.current;
    const { error, props } = await unconfirmed(b, { reset: true });
    expect(registrations(b)).toEqual([]);
    b.clearCounts();
    const { host, updated } = await nextUp(b, error, props);
    await host.close();
    expect(updated.error).toBeUndefined();
    const [made] = registrations(b);
    expect((updated.value as { outputs: PropertyMap }).outputs).toMatchObject({ credentialId: made?.id });
    expect(b.counts()[REGISTER]).toBe(1);
  });

  it("when someone registered the account again meanwhile, the next up does not take it and says why", async () => {
    const b = bench.current;
    const { error, props } = await unconfirmed(b, { reset: true, after: true });
    const other = await b.freshHost();
    await other.create(urnOf(KIND, "other"), await checked(other, "other", inputs(TOKEN_B, { adopt: true })));
    await other.close();
    b.clearCounts();
    const { host, updated } = await nextUp(b, error, props);
    await host.close();
    expect(updated.error).toBeInstanceOf(ProviderError);
    expect(updated.error?.message).toContain("but it was registered again after it was created");
    expect(updated.error?.message).toContain("The resource stays unconfirmed in the stack.");
    expect(b.counts()[REGISTER] ?? 0).toBe(0);
    expect(registrations(b).map((r) => r.auth?.token)).toEqual([TOKEN_B]);
  });
});
