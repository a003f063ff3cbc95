/**
 * commercelayer.ApiCredential creates whose answer is lost, through Pulumi's real dynamic-provider host (a fresh
 * process per `pulumi` command): the create is reconciled only against the credential it made (its metadata marker
 * and every sent attribute), never against another resource's credential of the same name; and when even the list
 * that reconciles fails, the resource stays in the stack as unconfirmed and the next `up` takes over the credential
 * that create made instead of making a second one.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { PartialFailureError, ProviderError, type PropertyMap } from "../../engine/host";
import { CREATE_MARKER_KEY } from "../../provider/commercelayer/apiCredential";
import { outcomeOf, urnOf, useFaultBench, withProvider, type FaultBench } from "./support";

const KIND = "commercelayer:ApiCredential";
const bench = useFaultBench(KIND);
const CREATE = "POST /api/api_credentials";
const LIST = "GET /api/api_credentials";

interface Stored {
  id: string;
  name: string;
  mode: string;
  clientId: string;
  clientSecret: string;
  metadata: Record<string, unknown> | null;
}

function stored(b: FaultBench): Stored[] {
  return (b.emulator.state() as { commercelayer: { apiCredentials: Stored[] } }).commercelayer.apiCredentials;
}

const erp = (extra: PropertyMap = {}): PropertyMap => ({
  organizationId: "BlueBrnd01",
  name: "ERP sync",
  kind: "integration",
  roleId: "BlueAdmin1",
  metadata: { owner: "platform-team" },
  ...extra,
});

/** Check then Create in a fresh host, as `pulumi up` does for a new resource. */
async function createInFreshHost(b: FaultBench, name: string, inputs: PropertyMap) {
  const host = await b.freshHost();
  const checked = await host.check(urnOf(KIND, name), {}, withProvider(b, inputs));
  expect(checked.failures).toEqual([]);
  return { host, checked: checked.inputs, outcome: await outcomeOf(host.create(urnOf(KIND, name), checked.inputs)) };
}

beforeEach(async () => {
  await bench.current.reset();
});

describe("a lost create answer is reconciled only against the credential this create made", () => {
  for (const [label, secondMode] of [
    ["another mode", "test"],
    ["identical attributes", "live"],
  ] as const) {
    it(`never takes another resource's same-named credential (${label}): a 503 that did nothing is retried`, async () => {
      const b = bench.current;
      const first = await createInFreshHost(b, "erp-live", erp({ mode: "live" }));
      await first.host.close();
      const firstId = (first.outcome.value as { id: string }).id;
      b.clearCounts();
      // The platform answers 503 without creating anything.
      b.fault({ method: "POST", path: "/api/api_credentials", status: 503, times: 1 });
      const second = await createInFreshHost(b, "erp-second", erp({ mode: secondMode }));
      await second.host.close();
      expect(second.outcome.error).toBeUndefined();
      const secondId = (second.outcome.value as { id: string }).id;
      expect(secondId).not.toBe(firstId);
      const all = stored(b);
      expect(all.map((c) => c.id).sort()).toEqual([firstId, secondId].sort());
      expect(all.find((c) => c.id === secondId)?.mode).toBe(secondMode);
      // The second resource has its own client secret, not the first one's.
      const outputs = (second.outcome.value as { outputs: PropertyMap }).outputs;
      expect(JSON.stringify(outputs)).not.toContain(all.find((c) => c.id === firstId)?.clientSecret);
      // One list to reconcile (nothing carried this create's marker), then the one retry of the POST.
      expect(b.counts()).toMatchObject({ [CREATE]: 2, [LIST]: 1 });
    });
  }

  it("stores the marker in metadata, reports metadata without it, and shows no drift on diff or refresh", async () => {
    const b = bench.current;
    const { host, checked, outcome } = await createInFreshHost(b, "erp", erp());
    const created = outcome.value as { id: string; outputs: PropertyMap };
    const [record] = stored(b);
    expect(Object.keys(record?.metadata ?? {}).sort()).toEqual(["owner", CREATE_MARKER_KEY]);
    expect(record?.metadata?.[CREATE_MARKER_KEY]).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.outputs.metadata).toEqual({ owner: "platform-team" });
    const diff = await host.diff(created.id, urnOf(KIND, "erp"), created.outputs, checked);
    expect(diff.changes).toBe("none");
    const read = await host.read(created.id, urnOf(KIND, "erp"), created.outputs, checked);
    expect(read.outputs.metadata).toEqual({ owner: "platform-team" });
    expect(read.inputs?.metadata).toEqual({ owner: "platform-team" });
    await host.close();
  });

  it("refuses the reserved metadata key at check, with its path, before any HTTP call", async () => {
    const b = bench.current;
    const host = await b.freshHost();
    b.clearCounts();
    const checked = await host.check(
      urnOf(KIND, "erp"),
      {},
      withProvider(b, erp({ metadata: { [CREATE_MARKER_KEY]: "mine" } })),
    );
    await host.close();
    expect(checked.failures).toEqual([
      {
        property: `metadata.${CREATE_MARKER_KEY}`,
        reason:
          `the metadata key "${CREATE_MARKER_KEY}" is reserved: the provider stores its create marker there, to ` +
          "recognise the credential after a lost create answer; use another key",
      },
    ]);
    expect(b.counts()).toEqual({});
  });
});

describe("a create whose answer and reconciliation both fail", () => {
  /** The POST fails as `postFault` says, then every attempt of the reconciling list answers 503. */
  async function unconfirmedCreate(b: FaultBench, postFault: Record<string, unknown>) {
    b.fault({ method: "POST", path: "/api/api_credentials", times: 1, ...postFault });
    // The host retries a GET twice (maxRetries 2): three 503s exhaust it.
    b.fault({ method: "GET", path: "/api/api_credentials", status: 503, times: 3 });
    const { host, checked, outcome } = await createInFreshHost(b, "erp", erp());
    await host.close();
    expect(outcome.error).toBeInstanceOf(PartialFailureError);
    return { checked, error: outcome.error as PartialFailureError };
  }

  /** The next `pulumi up`: a new host, Check with the stored inputs as olds, then Update (the engine updates a resource with initialization errors whatever the diff says). */
  async function nextUp(b: FaultBench, error: PartialFailureError, checked: PropertyMap) {
    const host = await b.freshHost();
    const rechecked = await host.check(urnOf(KIND, "erp"), checked, withProvider(b, erp()));
    expect(rechecked.failures).toEqual([]);
    const diff = await host.diff(error.id, urnOf(KIND, "erp"), error.outputs, rechecked.inputs);
    expect(diff.changes).toBe("none");
    const updated = await outcomeOf(host.update(error.id, urnOf(KIND, "erp"), error.outputs, rechecked.inputs));
    return { host, updated, inputs: rechecked.inputs };
  }

  it("stays in the stack as unconfirmed, saying it may exist and how it will be found", async () => {
    const b = bench.current;
    const { error } = await unconfirmedCreate(b, { reset: true, after: true });
    const [made] = stored(b);
    const marker = made?.metadata?.[CREATE_MARKER_KEY] as string;
    expect(error.id).toBe(`unconfirmed:${marker}`);
    expect(error.message).toContain(
      'Commerce Layer may have created API credential "ERP sync" in organization BlueBrnd01: the create request ' +
        "failed without a usable answer",
    );
    expect(error.message).toContain(`If it exists, it carries metadata ${CREATE_MARKER_KEY}=${marker}.`);
    expect(error.message).toContain(
      "the next `pulumi up` (or `pulumi refresh`, `pulumi destroy`) looks for that marker and takes that credential " +
        "over, or creates it if it does not exist, so it is never created twice.",
    );
    expect(error.outputs).toMatchObject({ name: "ERP sync", organizationId: "BlueBrnd01" });
  });

  it("is taken over by the next up (no second POST), then refresh reports its real id and destroy deletes it", async () => {
    const b = bench.current;
    const { error, checked } = await unconfirmedCreate(b, { reset: true, after: true });
    const [made] = stored(b);
    b.clearCounts();
    const { host, updated } = await nextUp(b, error, checked);
    expect(updated.error).toBeUndefined();
    const outputs = (updated.value as { outputs: PropertyMap }).outputs;
    expect(outputs).toMatchObject({ name: "ERP sync", metadata: { owner: "platform-team" } });
    expect(JSON.stringify(outputs)).toContain(made?.clientSecret);
    expect(b.counts()[CREATE] ?? 0).toBe(0);
    expect(stored(b).map((c) => c.id)).toEqual([made?.id]);

    const refreshed = await host.read(error.id, urnOf(KIND, "erp"), outputs, checked);
    expect(refreshed.id).toBe(made?.id);
    await host.delete(refreshed.id, urnOf(KIND, "erp"), refreshed.outputs);
    await host.close();
    expect(stored(b)).toEqual([]);
  });

  it("when the POST never reached the platform, the next up creates exactly one credential", async () => {
    const b = bench.current;
    const { error, checked } = await unconfirmedCreate(b, { reset: true });
    expect(stored(b)).toEqual([]);
    b.clearCounts();
    const { host, updated } = await nextUp(b, error, checked);
    expect(updated.error).toBeUndefined();
    const all = stored(b);
    expect(all).toHaveLength(1);
    expect(all[0]?.metadata?.[CREATE_MARKER_KEY]).toBe(error.id.slice("unconfirmed:".length));
    expect(b.counts()).toMatchObject({ [CREATE]: 1, [LIST]: 1 });
    // A destroy before any refresh still finds it by the provisional id.
    await host.delete(error.id, urnOf(KIND, "erp"), (updated.value as { outputs: PropertyMap }).outputs);
    await host.close();
    expect(stored(b)).toEqual([]);
  });

  it("a plain failure (not ambiguous) is still a plain error and leaves nothing", async () => {
    const b = bench.current;
    const { host, outcome } = await createInFreshHost(b, "erp", erp({ roleId: "NoSuchRole" }));
    await host.close();
    expect(outcome.error).toBeInstanceOf(ProviderError);
    expect(outcome.error).not.toBeInstanceOf(PartialFailureError);
    expect(stored(b)).toEqual([]);
  });
});
