/**
 * What CI and other stacks do with these stacks, through the real `pulumi` CLI: the shipped policy pack
 * (examples/policy-pack, run by the real analyzer) on `preview` and `up`, and examples/consumer reading the three
 * credential stacks with a real StackReference, secrets staying secret there.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { copyProject, policyPackLauncher } from "../../engine/install";
import type { ProjectStack } from "../../engine/stack";
import { diagnosticsOf, expectNoPlaintextSecrets, isEncryptedSecret, policyViolationsOf, useE2E } from "./support";

describe.sequential("policy pack and StackReference through the real pulumi CLI", () => {
  const e2e = useE2E();
  let storefront: ProjectStack;
  let dataDelivery: ProjectStack;
  let commercelayer: ProjectStack;
  let policyPack: string;

  it("a clean stack passes the policy pack on preview and up", async () => {
    policyPack = policyPackLauncher(
      copyProject(e2e.installed, e2e.installed.example("policy-pack"), join(e2e.session.dir, "policy-pack")),
    );
    commercelayer = await e2e.exampleStack("commercelayer");
    const preview = await e2e.record(commercelayer.preview({ policyPacks: [policyPack] }));
    expect(policyViolationsOf(preview.events)).toEqual([]);
    expect(preview.result.stdout).toMatch(
      /Policy Packs run:\s+Name\s+Version\s+platform-credentials\|local\|\S+\s+0\.1\.0/,
    );
    const up = await e2e.record(commercelayer.up({ policyPacks: [policyPack] }));
    expect(up.result.summary.resourceChanges).toEqual({ create: 4 });
    expect(policyViolationsOf(up.events)).toEqual([]);
  });

  it("an advisory violation only warns: up succeeds and reports it", async () => {
    storefront = await e2e.exampleStack("storefront-credentials");
    const up = await e2e.record(storefront.up({ policyPacks: [policyPack] }));
    expect(up.result.summary.resourceChanges).toEqual({ create: 4 });
    expect(policyViolationsOf(up.events)).toEqual(["storefront-oauth-consent-pending: advisory"]);
    expect(up.result.stdout).toMatch(/advisory.*storefront-oauth-consent-pending/s);
  });

  it("a mandatory violation fails preview before any write, naming the policy", async () => {
    await commercelayer.setConfig({ "commercelayer:webappRedirectUri": { value: "http://localhost:3000/callback" } });
    e2e.clearRequests();
    const failure = await e2e.recordFailure(commercelayer.preview({ policyPacks: [policyPack] }));
    expect(policyViolationsOf(failure.events)).toEqual(["commercelayer-webapp-https-redirect: mandatory"]);
    const messages = failure.events.flatMap((e) => (e.policyEvent ? [e.policyEvent.message] : []));
    expect(messages.join("\n")).toContain("Set redirectUri to an https:// URL of the web application.");
    expect(failure.message + failure.stdout + failure.stderr).toContain("commercelayer-webapp-https-redirect");
    const upFailure = await e2e.recordFailure(commercelayer.up({ policyPacks: [policyPack] }));
    expect(policyViolationsOf(upFailure.events)).toContain("commercelayer-webapp-https-redirect: mandatory");
    expect(
      Object.keys(e2e.requests()).filter((route) => !route.startsWith("GET ") && !route.includes("oauth")),
    ).toEqual([]);
    await commercelayer.setConfig({
      "commercelayer:webappRedirectUri": { value: "https://backoffice.acme.example/callback" },
    });
    const clean = await e2e.record(commercelayer.preview({ policyPacks: [policyPack] }));
    expect(clean.result.changeSummary).toEqual({ same: 4 });
  });

  it("a stack policy judges outputs after up: a FAILED probe is a mandatory violation", async () => {
    dataDelivery = await e2e.exampleStack("data-delivery");
    await e2e.admin("POST", "/interchange/settings", { probeDelayMs: 100 });
    await e2e.record(dataDelivery.up());
    await e2e.admin("POST", "/interchange/destinations", { destination: "acme-lld-s3", granted: false });
    // `preview --refresh` re-probes (validateOnRefresh) and the stack policy sees the fresh status.
    const failure = await e2e.recordFailure(dataDelivery.preview({ policyPacks: [policyPack], refresh: true }));
    expect(policyViolationsOf(failure.events)).toContain("data-delivery-credential-validated: mandatory");
    await e2e.admin("POST", "/interchange/destinations", { destination: "acme-lld-s3", granted: true });
    const fixed = await e2e.record(dataDelivery.preview({ policyPacks: [policyPack], refresh: true }));
    expect(policyViolationsOf(fixed.events)).toEqual([]);
  });

  it("the consumer reads the three stacks with StackReference; secret outputs stay secret there", async () => {
    const consumer = await e2e.exampleStack("consumer");
    const up = await e2e.record(consumer.up());
    expect(diagnosticsOf(up.events, "error")).toEqual([]);
    const outputs = up.result.outputs;
    expect(outputs["erpSettings"]?.secret).toBe(true);
    expect(outputs["erpClientIdForJobs"]?.secret).toBe(true);
    const erpSecret = (await commercelayer.outputs())["erpClientSecret"];
    expect(erpSecret?.secret).toBe(true);
    expect((outputs["erpSettings"]?.value as { clientSecret: string }).clientSecret).toBe(erpSecret?.value);
    expect(outputs["dataDeliveryReady"]).toEqual({ value: true, secret: false });
    expect(outputs["pendingConsentUrl"]?.secret).toBe(false);
    expect(String(outputs["pendingConsentUrl"]?.value)).toMatch(/^https:\/\/.+consent=/);

    const exported = await consumer.exportStack();
    const stackOutputs = (
      exported.deployment as { resources: { type: string; outputs?: Record<string, unknown> }[] }
    ).resources.find((r) => r.type === "pulumi:pulumi:Stack")?.outputs;
    expect(isEncryptedSecret(stackOutputs?.["erpSettings"])).toBe(true);
    expect(stackOutputs?.["dataDeliveryReady"]).toBe(true);
    const plain = await consumer.cli(["stack", "output", "--json"]);
    expect(JSON.parse(plain.stdout)).toMatchObject({ erpSettings: "[secret]", dataDeliveryReady: true });
    expectNoPlaintextSecrets([JSON.stringify(exported), plain.stdout], [String(erpSecret?.value)], "the consumer");
    expectNoPlaintextSecrets(e2e.recorded, [String(erpSecret?.value)], "recorded output");
    await e2e.record(consumer.destroy());
  });

  it("destroys the credential stacks", async () => {
    for (const stack of [storefront, dataDelivery, commercelayer]) {
      const { result } = await e2e.record(stack.destroy());
      expect(result.summary.resourceChanges?.["delete"]).toBe(4);
    }
  });
});
