/**
 * interchange.StorefrontSourceCredential under injected faults, through Pulumi's real dynamic-provider host: every API
 * call of create, read and update gets a 429, a 503, a connection reset and a malformed body in turn (writes: after
 * the platform acted). The registration is never made twice, never left registered without its id in state, and
 * errors never carry the API key or the source token. Delete makes no call (the API cannot revoke).
 */
import { expect } from "vitest";
import { PartialFailureError } from "../../engine/host";
import { Secret } from "../../engine/secrets";
import { storefrontSourceCredential } from "../../provider/interchange/storefrontSourceCredential";
import type { ResourceDefinition } from "../../provider/resource";
import { describeFaultTable, expectNoOrphan, type Attempt } from "./faultTable";
import { useFaultBench, type FaultBench } from "./support";

const KIND = "interchange:StorefrontSourceCredential";
const TOKEN = "fault-suite-source-token-1";
const ROTATED = "fault-suite-source-token-2";
const ACCOUNT = "fault-acct-1";
const bench = useFaultBench(KIND);

interface StoredCredential {
  id: string;
  accountIdentifier: string;
  auth: { token?: string } | null;
}

function registrations(b: FaultBench): StoredCredential[] {
  const state = b.emulator.state() as { interchange: { sourceCredentials: StoredCredential[] } };
  return state.interchange.sourceCredentials.filter((c) => c.accountIdentifier === ACCOUNT);
}

const inputs = {
  storefrontId: 101,
  sourceId: "src_apikey",
  accountIdentifier: ACCOUNT,
  auth: new Secret({ type: "apiKey", token: TOKEN }),
  adopt: false,
};

describeFaultTable(
  {
    kind: KIND,
    definition: storefrontSourceCredential as unknown as ResourceDefinition,
    inputs,
    updatedInputs: { ...inputs, auth: new Secret({ type: "apiKey", token: ROTATED }) },
    service: /Scope3 Interchange/,
    callFree: ["delete"],
    async verify(b, attempt: Attempt) {
      if (!b.secrets.includes(TOKEN)) b.secrets.push(TOKEN, ROTATED);
      const stored = registrations(b);
      // Never registered twice, whatever failed.
      expect(stored.length, attempt.label).toBeLessThanOrEqual(1);
      expectNoOrphan(
        attempt,
        stored.map((c) => c.id),
      );
      if (attempt.error) {
        if (attempt.op !== "create")
          expect(
            stored.map((c) => c.id),
            attempt.label,
          ).toEqual([attempt.prepared.id]);
        if (attempt.error instanceof PartialFailureError) expect(attempt.error.id).toBe(stored[0]?.id);
        return;
      }
      const value = attempt.value as { id?: string; outputs?: Record<string, unknown> };
      switch (attempt.op) {
        case "create":
          expect(
            stored.map((c) => c.id),
            attempt.label,
          ).toEqual([value.id]);
          expect(value.outputs?.status, attempt.label).toBe("ACTIVE");
          break;
        case "read":
          expect(value.id, attempt.label).toBe(attempt.prepared.id);
          expect(value.outputs?.credentialId, attempt.label).toBe(attempt.prepared.id);
          break;
        case "update":
          expect(stored[0]?.auth?.token, attempt.label).toBe(ROTATED);
          expect(value.outputs?.credentialId, attempt.label).toBe(attempt.prepared.id);
          break;
        case "delete":
          break;
      }
    },
  },
  bench,
);
