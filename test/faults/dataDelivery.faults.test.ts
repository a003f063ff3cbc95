/**
 * interchange.DataDeliveryCredential under injected faults, through Pulumi's real dynamic-provider host: every call
 * of create, read, update and delete (advertiser GET, whole-list PUT, validate, probe polls) gets a 429, a 503, a
 * connection reset and a malformed body in turn (writes: after the platform acted). A sibling credential written by
 * someone else must survive every attempt unchanged, and the credential is never lost or duplicated.
 */
import { expect } from "vitest";
import { PartialFailureError } from "../../engine/host";
import { dataDeliveryCredential } from "../../provider/interchange/dataDeliveryCredential";
import type { ResourceDefinition } from "../../provider/resource";
import { describeFaultTable, expectNoOrphan, type Attempt } from "./faultTable";
import { useFaultBench, type FaultBench } from "./support";

const KIND = "interchange:DataDeliveryCredential";
const ADVERTISER = "12345";
const bench = useFaultBench(KIND);

interface StoredCredential {
  credentialId: string;
  name: string;
  config: { type: string; bucket?: string };
}

function liveCredentials(b: FaultBench): StoredCredential[] {
  const state = b.emulator.state() as {
    interchange: { advertisers: { id: string; credentials: StoredCredential[] }[] };
  };
  return state.interchange.advertisers.find((a) => a.id === ADVERTISER)?.credentials ?? [];
}

const inputs = {
  advertiserId: ADVERTISER,
  name: "fault-lld",
  destination: { type: "GCS", bucket: "acme-fault-lld" },
  probeTimeoutSeconds: 10,
};
const sibling = {
  advertiserId: ADVERTISER,
  name: "fault-sibling",
  destination: { type: "GCS", bucket: "acme-sibling" },
};
let siblingId: string | undefined;

describeFaultTable(
  {
    kind: KIND,
    definition: dataDeliveryCredential as unknown as ResourceDefinition,
    inputs,
    updatedInputs: { ...inputs, destination: { type: "GCS", bucket: "acme-fault-lld-2" } },
    interchangeSettings: { probeDelayMs: 10 },
    service: /Scope3 Interchange/,
    async arrange(b: FaultBench) {
      const def = dataDeliveryCredential;
      const created = await def.create(b.context(), def.check(sibling).inputs);
      siblingId = created.state.credentialId as string;
    },
    async verify(b, attempt: Attempt) {
      const live = liveCredentials(b);
      // The sibling is re-sent unchanged by every write: same id, same bucket.
      const survivor = live.find((c) => c.name === sibling.name);
      expect(survivor?.credentialId, `${attempt.label}: sibling lost`).toBe(siblingId);
      expect(survivor?.config.bucket, attempt.label).toBe("acme-sibling");
      const mine = live.filter((c) => c.name === inputs.name);
      expect(mine.length, attempt.label).toBeLessThanOrEqual(1);
      expectNoOrphan(
        attempt,
        mine.map((c) => c.credentialId),
      );
      if (attempt.error) {
        if (attempt.op === "read") expect(mine.length, attempt.label).toBe(1);
        if (attempt.error instanceof PartialFailureError) expect(mine.length, attempt.label).toBe(1);
        return;
      }
      const value = attempt.value as { id?: string; outputs?: Record<string, unknown> } | undefined;
      switch (attempt.op) {
        case "create":
          expect(mine.length, attempt.label).toBe(1);
          expect(value?.outputs?.status, attempt.label).toBe("VALIDATED");
          break;
        case "read":
          expect(value?.id, attempt.label).toBe(attempt.prepared.id);
          expect(value?.outputs?.status, attempt.label).toBe("VALIDATED");
          break;
        case "update":
          expect(mine[0]?.config.bucket, attempt.label).toBe("acme-fault-lld-2");
          break;
        case "delete":
          expect(mine, attempt.label).toEqual([]);
          break;
      }
    },
  },
  bench,
);
