/**
 * interchange.DataDeliveryCredential with writers outside the provider process, through Pulumi's real
 * dynamic-provider host: one host process per stack (or per `pulumi` command) against one emulator. The API replaces
 * an advertiser's whole credential list on every PUT and has no version check, so:
 * - a sibling write must not put back an Azure SAS token that was rotated (in the web app) since the state it comes
 *   from was written;
 * - a write whose entries another writer dropped before the write settled fails loudly, and a refresh fails loudly
 *   for a managed entry that vanished later (detected, not prevented).
 */
import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { beforeEach, describe, expect, it } from "vitest";
import { PartialFailureError, ProviderError, type DynamicProviderHost, type PropertyMap } from "../../engine/host";
import { Secret } from "../../engine/secrets";
import { ACME_KEY, outcomeOf, urnOf, useFaultBench, withProvider, type FaultBench } from "./support";

const KIND = "interchange:DataDeliveryCredential";
const bench = useFaultBench(KIND);
const ADVERTISER = "12345";
const GET = "GET /api/v2/buyer/advertisers/{advertiserId}";
const PUT = "PUT /api/v2/buyer/advertisers/{advertiserId}";
const ROUTE = "/api/v2/buyer/advertisers/{advertiserId}";

interface Stored {
  credentialId: string;
  name: string;
  updatedAt: string;
  config: { type: string; bucket?: string; auth?: { sasToken: string } };
}

function stored(b: FaultBench): Stored[] {
  const state = b.emulator.state() as { interchange: { advertisers: { id: string; credentials: Stored[] }[] } };
  return state.interchange.advertisers.find((a) => a.id === ADVERTISER)?.credentials ?? [];
}

const sas = (): string => `sv=2024-11-04&sp=cwd&sr=c&se=2099-01-01T00:00:00Z&sig=${randomBytes(16).toString("hex")}`;
const gcs = (name: string, bucket: string, extra: PropertyMap = {}): PropertyMap => ({
  advertiserId: ADVERTISER,
  name,
  destination: { type: "GCS", bucket },
  probeTimeoutSeconds: 20,
  ...extra,
});
const azure = (name: string, token: string): PropertyMap => ({
  advertiserId: ADVERTISER,
  name,
  destination: {
    type: "AZURE_BLOB",
    storageAccountName: "acmereports",
    containerName: "lld",
    sasToken: new Secret(token),
  },
  probeTimeoutSeconds: 20,
});

async function checked(host: DynamicProviderHost, name: string, props: PropertyMap): Promise<PropertyMap> {
  const result = await host.check(urnOf(KIND, name), {}, withProvider(bench.current, props));
  expect(result.failures).toEqual([]);
  return result.inputs;
}

/** Create in `host` (Check then Create); the id and outputs. */
async function create(host: DynamicProviderHost, name: string, props: PropertyMap) {
  return host.create(urnOf(KIND, name), await checked(host, name, props));
}

/** A PUT of the advertiser's whole list from outside Pulumi (the web app), with the entries given. */
async function webAppPut(b: FaultBench, credentials: unknown[]): Promise<void> {
  const answer = await fetch(`${b.emulator.interchangeUrl}/advertisers/${ADVERTISER}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${ACME_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ dataDelivery: { credentials } }),
  });
  expect(answer.status).toBe(200);
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !condition(); i++) await sleep(10);
  expect(condition()).toBe(true);
}

beforeEach(async () => {
  await bench.current.reset({ probeDelayMs: 10 });
});

describe("a sibling write and an Azure token rotated outside Pulumi", () => {
  it("refuses to re-send the sibling's token from state once the sibling changed on the platform", async () => {
    const b = bench.current;
    const [t1, t2] = [sas(), sas()];
    b.secrets.push(t1, t2);
    const stack = await b.freshHost();
    const azureCreated = await create(stack, "lld-azure", azure("lld-azure", t1));
    const gcsCreated = await create(stack, "lld-gcs", gcs("lld-gcs", "acme-lld-gcs"));
    await stack.close();
    const before = stored(b).find((c) => c.name === "lld-azure");
    // A person rotates the Azure token in the web app (the GCS sibling re-sent unchanged).
    await webAppPut(b, [
      {
        name: "lld-azure",
        config: {
          type: "AZURE_BLOB",
          storageAccountName: "acmereports",
          containerName: "lld",
          auth: { mode: "SAS_TOKEN", sasToken: t2 },
        },
      },
      { name: "lld-gcs", config: { type: "GCS", bucket: "acme-lld-gcs" } },
    ]);
    const rotated = stored(b).find((c) => c.name === "lld-azure");
    expect(rotated?.updatedAt).not.toBe(before?.updatedAt);

    // The next `pulumi up` of the stack: the unchanged Azure resource is diffed (its state shows the old token), the
    // GCS one is updated, which re-sends every sibling.
    const next = await b.freshHost();
    const azureInputs = await checked(next, "lld-azure", azure("lld-azure", t1));
    expect(
      (await next.diff(azureCreated.id, urnOf(KIND, "lld-azure"), azureCreated.outputs, azureInputs)).changes,
    ).toBe("none");
    b.clearCounts();
    const gcsInputs = await checked(next, "lld-gcs", gcs("lld-gcs", "acme-lld-gcs-2"));
    const refused = await outcomeOf(next.update(gcsCreated.id, urnOf(KIND, "lld-gcs"), gcsCreated.outputs, gcsInputs));
    expect(refused.error).toBeInstanceOf(ProviderError);
    expect(refused.error?.message).toContain(
      'Refusing to write data-delivery credential "lld-gcs" on advertiser 12345: the API replaces the advertiser\'s ' +
        `whole credential list, and the AZURE_BLOB sibling(s) "lld-azure" (updatedAt ${before?.updatedAt} → ` +
        `${rotated?.updatedAt}) changed on the platform since the state its SAS token comes from was written`,
    );
    expect(refused.error?.message).toContain("Nothing was written. Run `pulumi refresh`");
    expect(b.counts()[PUT] ?? 0).toBe(0);
    expect(stored(b).find((c) => c.name === "lld-azure")?.config.auth?.sasToken).toBe(t2);

    // The way out: a refresh marks the token unknown (so the next diff shows the change, and no later process can
    // re-send the old token as current), then the program's current token is written.
    const refreshed = await next.read(azureCreated.id, urnOf(KIND, "lld-azure"), azureCreated.outputs, azureInputs);
    expect(refreshed.outputs.updatedAt).toBe(rotated?.updatedAt);
    // Plain from the host (the engine keeps it secret at this path, by the secret input of the same name).
    expect((refreshed.outputs.destination as { sasToken: unknown }).sasToken).toBe("");
    await next.close();
    const later = await b.freshHost();
    const currentInputs = await checked(later, "lld-azure", azure("lld-azure", t2));
    const diff = await later.diff(azureCreated.id, urnOf(KIND, "lld-azure"), refreshed.outputs, currentInputs);
    expect(diff.changes).toBe("some");
    await later.update(azureCreated.id, urnOf(KIND, "lld-azure"), refreshed.outputs, currentInputs);
    await later.update(gcsCreated.id, urnOf(KIND, "lld-gcs"), gcsCreated.outputs, gcsInputs);
    await later.close();
    const after = stored(b);
    expect(after.find((c) => c.name === "lld-azure")?.config.auth?.sasToken).toBe(t2);
    expect(after.find((c) => c.name === "lld-gcs")?.config.bucket).toBe("acme-lld-gcs-2");
  });
});

describe("two stacks writing one advertiser", () => {
  it("a write whose own entry another writer dropped before it settled fails loudly", async () => {
    const b = bench.current;
    const [stackA, stackB] = await Promise.all([b.freshHost(), b.freshHost()]);
    const inputsA = await checked(stackA, "a", gcs("a-lld", "acme-a-lld", { waitForProbe: false }));
    const inputsB = await checked(stackB, "b", gcs("b-lld", "acme-b-lld"));
    b.clearCounts();
    // Stack B read the list (empty) and its PUT is held 1.5 s; stack A writes meanwhile, and A's read after its write
    // is held 2 s, so B's PUT (without A's entry) lands before A checks.
    b.fault({ method: "PUT", path: ROUTE, delayMs: 1_500, times: 1 });
    const b1 = outcomeOf(stackB.create(urnOf(KIND, "b"), inputsB));
    await until(() => (b.counts()[PUT] ?? 0) === 1);
    b.fault({ method: "GET", path: ROUTE, skip: 1, delayMs: 2_000, times: 1 });
    const a1 = await outcomeOf(stackA.create(urnOf(KIND, "a"), inputsA));
    const b1Result = await b1;
    await Promise.all([stackA.close(), stackB.close()]);

    expect(b1Result.error).toBeUndefined();
    expect(a1.error).toBeInstanceOf(ProviderError);
    expect(a1.error).not.toBeInstanceOf(PartialFailureError);
    expect(a1.error?.message).toContain(
      'Scope3 Interchange accepted the write of data-delivery credential "a-lld" on advertiser 12345, but a read ' +
        'after it settled no longer lists data-delivery credential "a-lld" itself. The likely cause is another ' +
        "writer on the same advertiser",
    );
    expect(a1.error?.message).toContain("this is detected, not prevented");
    expect(stored(b).map((c) => c.name)).toEqual(["b-lld"]);
    expect(b.counts()[PUT]).toBe(2);
  });

  it("a sibling the write sent back, removed by another writer before the write settled, is named; the write stays in state", async () => {
    const b = bench.current;
    // Probes take 1 s, so stack A polls a few times before its write settles.
    await b.reset({ probeDelayMs: 1_000 });
    const setup = await b.freshHost();
    const sibling = await create(setup, "shared", gcs("shared", "acme-shared", { waitForProbe: false }));
    await setup.close();

    const [stackA, stackB] = await Promise.all([b.freshHost(), b.freshHost()]);
    const inputsA = await checked(stackA, "a", gcs("a-lld", "acme-a-lld"));
    b.clearCounts();
    const a1 = outcomeOf(stackA.create(urnOf(KIND, "a"), inputsA));
    // Once A's PUT (re-sending "shared") landed, stack B deletes "shared" while A waits for its probe.
    await until(() => (b.counts()[PUT] ?? 0) === 1);
    await stackB.delete(sibling.id, urnOf(KIND, "shared"), sibling.outputs);
    const a1Result = await a1;
    await Promise.all([stackA.close(), stackB.close()]);

    expect(a1Result.error).toBeInstanceOf(PartialFailureError);
    const partial = a1Result.error as PartialFailureError;
    expect(partial.id).toBe("12345/a-lld");
    expect(partial.message).toContain(
      'but a read after it settled no longer lists the sibling(s) "shared" it sent back. The likely cause is ' +
        "another writer on the same advertiser",
    );
    expect(stored(b).map((c) => c.name)).toEqual(["a-lld"]);
  });

  it("both writes succeed when the drop comes later; the dropped stack's refresh fails loudly, and up --replace writes it again", async () => {
    const b = bench.current;
    const [stackA, stackB] = await Promise.all([b.freshHost(), b.freshHost()]);
    const inputsA = await checked(stackA, "a", gcs("a-lld", "acme-a-lld"));
    const inputsB = await checked(stackB, "b", gcs("b-lld", "acme-b-lld"));
    // Stack B read the list (empty) and its PUT is held 1.5 s: stack A writes, probes and verifies meanwhile, then
    // B's PUT replaces the list without A's entry. Neither write can see it: A was done, B never knew of A's entry.
    b.fault({ method: "PUT", path: ROUTE, delayMs: 1_500, times: 1 });
    const b1 = outcomeOf(stackB.create(urnOf(KIND, "b"), inputsB));
    await until(() => (b.counts()[PUT] ?? 0) === 1);
    const a1 = await stackA.create(urnOf(KIND, "a"), inputsA);
    expect((await b1).error).toBeUndefined();
    await Promise.all([stackA.close(), stackB.close()]);
    expect(stored(b).map((c) => c.name)).toEqual(["b-lld"]);

    // Stack A's next `pulumi refresh`.
    const refresh = await b.freshHost();
    const read = await outcomeOf(refresh.read(a1.id, urnOf(KIND, "a"), a1.outputs, inputsA));
    await refresh.close();
    expect(read.error).toBeInstanceOf(ProviderError);
    expect(read.error?.message).toContain(
      `Data-delivery credential "a-lld" (credentialId ${String(a1.outputs.credentialId)}) of advertiser 12345 is no ` +
        "longer listed by Scope3 Interchange, although this stack manages it. The likely cause is another writer on " +
        "the same advertiser",
    );
    expect(read.error?.message).toContain("run `pulumi up --replace` with this resource's URN");

    // `pulumi up --replace`: create the replacement, then delete the old one, which must leave the new entry alone.
    const replace = await b.freshHost();
    b.clearCounts();
    const replacement = await replace.create(urnOf(KIND, "a"), inputsA);
    await replace.delete(a1.id, urnOf(KIND, "a"), a1.outputs);
    await replace.close();
    expect(replacement.outputs.credentialId).not.toBe(a1.outputs.credentialId);
    expect(
      stored(b)
        .map((c) => c.name)
        .sort(),
    ).toEqual(["a-lld", "b-lld"]);
    expect(b.counts()[PUT]).toBe(1);
    expect(b.counts()[GET]).toBeGreaterThanOrEqual(2);
  });
});

describe("the read that verifies a write", () => {
  /** Create `names` (GCS, probe not awaited) in a set-up host; their ids and outputs. */
  async function createAll(b: FaultBench, names: readonly string[]) {
    const setup = await b.freshHost();
    const created = [];
    for (const name of names)
      created.push(await create(setup, name, gcs(name, `acme-${name}`, { waitForProbe: false })));
    await setup.close();
    return created;
  }

  it("deleting five credentials of one advertiser at once: a read and a write each, and one read verifying them all", async () => {
    const b = bench.current;
    const names = ["d-1", "d-2", "d-3", "d-4", "d-5"];
    const created = await createAll(b, names);
    const host = await b.freshHost();
    b.clearCounts();
    // The first write is held a moment, so the other deletes are queued on the advertiser's lock behind it, as when
    // `pulumi destroy` sends them together.
    b.fault({ method: "PUT", path: ROUTE, delayMs: 300, times: 1 });
    await Promise.all(created.map((c, i) => host.delete(c.id, urnOf(KIND, names[i]!), c.outputs)));
    await host.close();
    expect(stored(b)).toEqual([]);
    expect(b.counts()[PUT]).toBe(5);
    // Each write's verification takes the read the next write made right after it; the last removal left the list
    // empty (no sibling sent back to verify), so it reads nothing more.
    expect(b.counts()[GET]).toBe(5);
  });

  it("a create that waited for its probe is verified by a read after the wait, not by the next write's earlier read", async () => {
    const b = bench.current;
    await b.reset({ probeDelayMs: 400 });
    const host = await b.freshHost();
    const [inputsA, inputsB] = [
      await checked(host, "a", gcs("a-lld", "acme-a-lld")),
      await checked(host, "b", gcs("b-lld", "acme-b-lld")),
    ];
    b.clearCounts();
    // B's write (read right after A's, while A's probe is still PENDING) is held 2 s: every poll of A's probe sees
    // one of this process's PUTs in flight, so it cannot verify A's write, and B's read is the one right after it.
    b.fault({ method: "PUT", path: ROUTE, skip: 1, delayMs: 2_000, times: 1 });
    const a = outcomeOf(host.create(urnOf(KIND, "a"), inputsA));
    await until(() => (b.counts()[PUT] ?? 0) === 1);
    const bCreated = outcomeOf(host.create(urnOf(KIND, "b"), inputsB));
    const [aResult, bResult] = [await a, await bCreated];
    await host.close();
    expect(aResult.error).toBeUndefined();
    expect(bResult.error).toBeUndefined();
    expect(aResult.value?.outputs.status).toBe("VALIDATED");
    expect(bResult.value?.outputs.status).toBe("VALIDATED");
  });

  it("a removal whose re-sent sibling another writer drops before the verifying read names it", async () => {
    const b = bench.current;
    const [gone] = await createAll(b, ["gone", "shared"]);
    const host = await b.freshHost();
    b.clearCounts();
    // The read after the removal's write is held; the web app replaces the list without "shared" meanwhile.
    b.fault({ method: "GET", path: ROUTE, skip: 1, delayMs: 1_500, times: 1 });
    const removal = outcomeOf(host.delete(gone!.id, urnOf(KIND, "gone"), gone!.outputs));
    await until(() => (b.counts()[GET] ?? 0) === 2);
    await webAppPut(b, []);
    const result = await removal;
    await host.close();
    expect(result.error).toBeInstanceOf(ProviderError);
    expect(result.error?.message).toContain(
      'Scope3 Interchange accepted the removal of data-delivery credential "gone" on advertiser 12345, but a read ' +
        'after it settled no longer lists the sibling(s) "shared" it sent back.',
    );
  });

  it("the next delete's read verifies the one before: a sibling dropped between them is named by the first", async () => {
    const b = bench.current;
    const created = await createAll(b, ["first", "second", "shared"]);
    const host = await b.freshHost();
    b.clearCounts();
    // The first write is held so the second delete queues behind it; the second delete's read (the second GET) is
    // held, and the web app drops "shared" meanwhile (keeping "second").
    b.fault({ method: "PUT", path: ROUTE, delayMs: 300, times: 1 });
    b.fault({ method: "GET", path: ROUTE, skip: 1, delayMs: 1_500, times: 1 });
    const [first, second] = created;
    const firstOutcome = outcomeOf(host.delete(first!.id, urnOf(KIND, "first"), first!.outputs));
    await until(() => (b.counts()[PUT] ?? 0) === 1);
    const secondOutcome = outcomeOf(host.delete(second!.id, urnOf(KIND, "second"), second!.outputs));
    await until(() => (b.counts()[GET] ?? 0) === 2);
    await webAppPut(b, [{ name: "second", config: { type: "GCS", bucket: "acme-second" } }]);
    const [firstResult, secondResult] = [await firstOutcome, await secondOutcome];
    await host.close();
    expect(secondResult.error).toBeUndefined();
    expect(firstResult.error?.message).toContain(
      'accepted the removal of data-delivery credential "first" on advertiser 12345, but a read after it settled no ' +
        'longer lists the sibling(s) "shared" it sent back.',
    );
    expect(stored(b)).toEqual([]);
    // No read of its own for the first removal: the second delete's read served it; the second left the list empty.
    expect(b.counts()[GET]).toBe(2);
  });
});
