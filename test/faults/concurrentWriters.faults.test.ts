/**
 * 50 concurrent writers on one advertiser through one real dynamic-provider host: nothing is lost. The API allows at
 * most 20 live data-delivery credentials per advertiser, so 50 writers on distinct credentials cannot exist at once;
 * the 50 are 5 creates plus 5 updates each of 9 credentials, next to 5 siblings the stack does not manage (19 live).
 */
import { expect, it } from "vitest";
import { dataDeliveryCredential } from "../../provider/interchange/dataDeliveryCredential";
import { urnOf, useFaultBench, withProvider } from "./support";

const KIND = "interchange:DataDeliveryCredential";
const bench = useFaultBench(KIND);

interface Live {
  credentialId: string;
  name: string;
  config: { bucket?: string };
}

it("5 creates and 45 updates at once keep every credential and every sibling", async () => {
  const b = bench.current;
  await b.reset({ probeDelayMs: 10 });
  const ctx = b.context();
  const make = (name: string, bucket: string) =>
    dataDeliveryCredential.check({
      advertiserId: "12345",
      name,
      destination: { type: "GCS", bucket },
      probeTimeoutSeconds: 20,
    }).inputs;
  const siblings = await Promise.all(
    ["s1", "s2", "s3", "s4", "s5"].map((n) =>
      dataDeliveryCredential.create(ctx, make(`sibling-${n}`, `acme-sibling-${n}`)),
    ),
  );
  const targets = await Promise.all(
    Array.from({ length: 9 }, (_, i) => dataDeliveryCredential.create(ctx, make(`target-${i}`, `acme-target-${i}`))),
  );
  const host = await b.freshHost();
  b.clearCounts();
  const writers = [
    ...Array.from({ length: 5 }, (_, i) =>
      host.create(urnOf(KIND, `new-${i}`), withProvider(b, make(`new-${i}`, `acme-new-${i}`))),
    ),
    ...targets.flatMap((t, i) =>
      Array.from({ length: 5 }, (_, v) =>
        host.update(
          t.id,
          urnOf(KIND, `target-${i}`),
          withProvider(b, t.state),
          withProvider(b, make(`target-${i}`, `acme-target-${i}-v${v}`)),
        ),
      ),
    ),
  ];
  expect(writers).toHaveLength(50);
  const outcomes = await Promise.allSettled(writers);
  await host.close();
  expect(outcomes.filter((o) => o.status === "rejected")).toEqual([]);
  const state = b.emulator.state() as { interchange: { advertisers: { id: string; credentials: Live[] }[] } };
  const live = state.interchange.advertisers.find((a) => a.id === "12345")?.credentials ?? [];
  expect(live.map((c) => c.name).sort()).toEqual(
    [
      ...siblings.map((s) => s.state.name),
      ...targets.map((t) => t.state.name),
      ...Array.from({ length: 5 }, (_, i) => `new-${i}`),
    ].sort(),
  );
  for (const s of siblings) {
    const found = live.find((c) => c.name === s.state.name);
    expect(found?.credentialId).toBe(s.state.credentialId);
    expect(found?.config.bucket).toBe((s.state.destination as { bucket: string }).bucket);
  }
  targets.forEach((t, i) => {
    const found = live.find((c) => c.name === t.state.name);
    expect(found?.credentialId).toBe(t.state.credentialId);
    expect(found?.config.bucket).toMatch(new RegExp(`^acme-target-${i}-v[0-4]$`));
  });
  // Every writer wrote exactly once: serialized, nothing retried after a conflict.
  expect(b.counts()["PUT /api/v2/buyer/advertisers/{advertiserId}"]).toBe(50);
}, 120_000);
