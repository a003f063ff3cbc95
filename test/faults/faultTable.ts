/**
 * The table every resource's fault suite runs: for each operation (create, read, update, delete), a clean run through
 * a fresh host discovers every API call the operation makes (route and occurrence, from the emulator's counts); then
 * each fault kind (429 with Retry-After, 503, connection reset, malformed body) is injected into each of those calls
 * in turn, from the same starting point, and the resource's invariants are checked after every attempt: the operation
 * succeeded with the right result or failed with a clear error that contains no secret, with no duplicate, no lost
 * sibling, and no remote object left that state does not name.
 */
import { describe, expect, it } from "vitest";
import { PartialFailureError, ProviderError, type DynamicProviderHost, type PropertyMap } from "../../engine/host";
import { reveal } from "../../engine/secrets";
import type { ResourceDefinition, State } from "../../provider/resource";
import {
  callsOf,
  FAULT_KINDS,
  faultFor,
  outcomeOf,
  urnOf,
  withProvider,
  type FaultBench,
  type FaultKind,
  type Kind,
} from "./support";

/** A lifecycle operation. */
export type Operation = "create" | "read" | "update" | "delete";

/** What set-up left behind for the operation: the resource as state knows it. */
export interface Prepared {
  /** The resource id (absent for create). */
  id?: string;
  /** Its state (inputs + outputs, plain values) after set-up (absent for create). */
  state?: State;
}

/** The result of one attempt of the operation. */
export interface Attempt {
  readonly op: Operation;
  readonly prepared: Prepared;
  /** What the host answered: create → `{id, outputs}`, read → `{id, outputs}`, update → `{outputs}`, delete → void. */
  readonly value?: unknown;
  /** Why it failed. */
  readonly error?: Error;
  /** Where the fault was (for assertion messages). */
  readonly label: string;
}

/** A resource's part of the table. */
export interface ResourceFaultCase {
  kind: Kind;
  /** The resource's definition (imported by the suite: vitest cannot follow the registry's lazy requires). */
  definition: ResourceDefinition;
  /** The inputs of the resource under test, as a program sends them (secrets marked or plain). */
  inputs: PropertyMap;
  /** The new inputs of the update. */
  updatedInputs: PropertyMap;
  /** Interchange settings applied after each reset (probe timing). */
  interchangeSettings?: Record<string, unknown>;
  /** Set-up before every run (siblings), through a context of this process. */
  arrange?(bench: FaultBench): Promise<void>;
  /** Checks that hold after any attempt, whatever its outcome. */
  verify(bench: FaultBench, attempt: Attempt): Promise<void>;
  /** The service name a clear error of this resource names. */
  service: RegExp;
  /** Operations that make no API call at all (the table asserts exactly that instead). */
  callFree?: Operation[];
}

async function prepare(bench: FaultBench, row: ResourceFaultCase, op: Operation): Promise<Prepared> {
  await bench.reset(row.interchangeSettings);
  await row.arrange?.(bench);
  if (op === "create") return {};
  const def = row.definition;
  const checked = def.check(reveal(row.inputs));
  expect(checked.failures).toEqual([]);
  const created = await def.create(bench.context(), checked.inputs);
  return { id: created.id, state: created.state };
}

async function runOperation(
  host: DynamicProviderHost,
  row: ResourceFaultCase,
  op: Operation,
  prepared: Prepared,
  bench: FaultBench,
): Promise<unknown> {
  const name = "fault-subject";
  const resourceUrn = urnOf(row.kind, name);
  const stateProps = withProvider(bench, (prepared.state ?? {}) as PropertyMap);
  switch (op) {
    case "create": {
      const checked = await host.check(resourceUrn, {}, withProvider(bench, row.inputs));
      expect(checked.failures).toEqual([]);
      return host.create(resourceUrn, checked.inputs);
    }
    case "read":
      return host.read(prepared.id ?? "", resourceUrn, stateProps, withProvider(bench, row.inputs));
    case "update": {
      const checked = await host.check(resourceUrn, stateProps, withProvider(bench, row.updatedInputs));
      expect(checked.failures).toEqual([]);
      return host.update(prepared.id ?? "", resourceUrn, stateProps, checked.inputs);
    }
    case "delete":
      return host.delete(prepared.id ?? "", resourceUrn, stateProps);
  }
}

/** Asserts the shape every failure must have: the provider's own message, naming the platform, no secret. */
export function expectClearError(error: Error, row: ResourceFaultCase, bench: FaultBench, label: string): void {
  expect(error, label).toBeInstanceOf(ProviderError);
  expect(error.message, label).toMatch(row.service);
  expect(error.message, label).not.toMatch(/\[object Object\]|undefined is not|Cannot read properties/);
  for (const secret of bench.secrets) expect(error.message.includes(secret), `${label}: secret in error`).toBe(false);
}

/** The table's tests for one resource. */
export function describeFaultTable(row: ResourceFaultCase, bench: { readonly current: FaultBench }): void {
  const ops: Operation[] = ["create", "read", "update", "delete"];
  const discovered = new Map<Operation, Promise<ReturnType<typeof callsOf>>>();
  /** A clean run from the starting point of every attempt names each call the operation makes (once per op). */
  const discover = (b: FaultBench, op: Operation): Promise<ReturnType<typeof callsOf>> => {
    let calls = discovered.get(op);
    if (!calls) {
      calls = (async () => {
        const clean = await prepare(b, row, op);
        const host = await b.freshHost();
        b.clearCounts();
        const run = await outcomeOf(runOperation(host, row, op, clean, b));
        await host.close();
        expect(run.error, `${op} without faults`).toBeUndefined();
        const found = callsOf(b.counts());
        expect(found.length, `${op} makes API calls`).toBeGreaterThan(0);
        await row.verify(b, { op, prepared: clean, value: run.value, label: `${op} clean` });
        return found;
      })();
      discovered.set(op, calls);
    }
    return calls;
  };
  describe(`${row.kind}: one fault in any API call of any operation`, () => {
    for (const op of ops) {
      if (row.callFree?.includes(op)) {
        it(`${op} makes no API call, so no fault can reach it`, async () => {
          const b = bench.current;
          const prepared = await prepare(b, row, op);
          const host = await b.freshHost();
          b.clearCounts();
          await runOperation(host, row, op, prepared, b);
          await host.close();
          expect(b.counts()).toEqual({});
        });
        continue;
      }
      for (const kind of FAULT_KINDS) {
        it(`${op}: ${kind} in each call ends in success or a clear error, nothing duplicated, lost or orphaned`, async () => {
          const b = bench.current;
          const calls = await discover(b, op);
          for (const call of calls) {
            const label = `${op} with ${kind} on ${call.method} ${call.path} #${call.occurrence + 1}`;
            const prepared = await prepare(b, row, op);
            const host = await b.freshHost();
            b.clearCounts();
            b.fault(faultFor(kind as FaultKind, call));
            const outcome = await outcomeOf(runOperation(host, row, op, prepared, b));
            await host.close();
            if (outcome.error) expectClearError(outcome.error, row, b, label);
            await row.verify(b, { op, prepared, label, ...outcome });
            // The fault was consumed: the operation really went through the faulted call.
            expect(b.emulator.faults(), label).toEqual([]);
          }
        });
      }
    }
  });
}

/** When a create failed: the error is a partial failure naming the object, or no object exists remotely. */
export function expectNoOrphan(attempt: Attempt, remoteIds: string[]): void {
  if (attempt.op !== "create" || !attempt.error) return;
  if (attempt.error instanceof PartialFailureError) {
    expect(remoteIds, attempt.label).toContain(attempt.error.id);
  } else {
    expect(remoteIds, `${attempt.label}: failed create left ${remoteIds.join(", ")}`).toEqual([]);
  }
}
