/**
 * commercelayer.ApiCredential under injected faults, through Pulumi's real dynamic-provider host (a fresh process per
 * attempt, so the OAuth token call is part of every operation): every call of create, read, update and delete gets a
 * 429, a 503, a connection reset and a malformed body in turn (writes: after the platform acted). No credential is
 * created twice or left without its id in state, and errors never carry the client secret.
 */
import { expect } from "vitest";
import { PartialFailureError } from "../../engine/host";
import { apiCredential } from "../../provider/commercelayer/apiCredential";
import type { ResourceDefinition } from "../../provider/resource";
import { describeFaultTable, expectNoOrphan, type Attempt } from "./faultTable";
import { useFaultBench, type FaultBench } from "./support";

const KIND = "commercelayer:ApiCredential";
const NAME = "fault-integration";
const bench = useFaultBench(KIND);

interface StoredCredential {
  id: string;
  name: string;
  clientSecret: string;
  metadata: Record<string, unknown> | null;
}

function credentials(b: FaultBench): StoredCredential[] {
  const state = b.emulator.state() as { commercelayer: { apiCredentials: StoredCredential[] } };
  return state.commercelayer.apiCredentials.filter((c) => c.name === NAME);
}

const inputs = {
  organizationId: "BlueBrnd01",
  name: NAME,
  kind: "integration",
  roleId: "BlueRead01",
  metadata: { owner: "platform-team" },
};

describeFaultTable(
  {
    kind: KIND,
    definition: apiCredential as unknown as ResourceDefinition,
    inputs,
    updatedInputs: { ...inputs, metadata: { owner: "data-team" } },
    service: /Commerce Layer/,
    async verify(b, attempt: Attempt) {
      const stored = credentials(b);
      for (const c of stored) if (!b.secrets.includes(c.clientSecret)) b.secrets.push(c.clientSecret);
      expect(stored.length, attempt.label).toBeLessThanOrEqual(1);
      expectNoOrphan(
        attempt,
        stored.map((c) => c.id),
      );
      if (attempt.error) {
        if (attempt.op === "read" || attempt.op === "update") {
          expect(
            stored.map((c) => c.id),
            attempt.label,
          ).toEqual([attempt.prepared.id]);
        }
        if (attempt.error instanceof PartialFailureError) expect(attempt.error.id).toBe(stored[0]?.id);
        return;
      }
      const value = attempt.value as { id?: string; outputs?: Record<string, unknown> } | undefined;
      switch (attempt.op) {
        case "create":
          expect(
            stored.map((c) => c.id),
            attempt.label,
          ).toEqual([value?.id]);
          expect(value?.outputs?.clientSecret, attempt.label).toBeDefined();
          break;
        case "read":
          expect(value?.id, attempt.label).toBe(attempt.prepared.id);
          break;
        case "update":
          expect(stored[0]?.metadata, attempt.label).toEqual({ owner: "data-team" });
          break;
        case "delete":
          expect(stored, attempt.label).toEqual([]);
          break;
      }
    },
  },
  bench,
);
