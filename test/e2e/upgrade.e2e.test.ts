/**
 * Upgrading the package under existing state, through the real `pulumi` CLI: stacks written by this version, then
 * the package reinstalled as a new release (same code, bumped version, as `npm install pulumi-platform-credentials@next`
 * would), then `preview` shows no changes, the serialized provider in state is byte-identical, and refresh and destroy
 * run the newly installed code (the User-Agent the platform sees says so).
 */
import { readFileSync, rmSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { installPackage } from "../../engine/install";
import { resourcesOf, useE2E } from "./support";

const NEXT = "0.1.1-upgrade.1";
/** The `__provider` texts that stacks written by 0.1.0 carry, per type token (serialized from 0.1.0 as installed). */
const TEXTS_0_1_0 = JSON.parse(
  readFileSync(resolve(__dirname, "..", "fixtures", "upgrade", "provider-0.1.0.json"), "utf8"),
) as Record<string, string>;

describe.sequential("upgrading the installed package under existing stacks", () => {
  const e2e = useE2E();

  it(
    "preview after the upgrade shows no changes; refresh and destroy run the new release",
    async () => {
      const stacks = await Promise.all(
        ["storefront-credentials", "data-delivery", "commercelayer"].map((x) => e2e.exampleStack(x)),
      );
      await e2e.admin("POST", "/interchange/settings", { probeDelayMs: 100 });
      for (const stack of stacks) await e2e.record(stack.up());
      const providerTexts = async () =>
        (await Promise.all(stacks.map((s) => s.exportStack()))).flatMap((d) =>
          resourcesOf(d).flatMap((r) =>
            r.inputs?.["__provider"] === undefined ? [] : [String(r.inputs["__provider"])],
          ),
        );
      const before = await providerTexts();
      expect(before).toHaveLength(9);

      const next = await installPackage({ version: NEXT });
      expect(next.version).toBe(NEXT);
      for (const stack of stacks) {
        // What `npm install pulumi-platform-credentials@next` does to the project: node_modules now holds the release.
        rmSync(join(stack.projectDir, "node_modules"));
        symlinkSync(join(next.root, "node_modules"), join(stack.projectDir, "node_modules"));
      }

      for (const stack of stacks) {
        expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 4 });
      }
      // Counted from here: a preview also runs the program, whose lookups (examples/commercelayer's role) call the
      // platform from the program's process, which this harness keeps between commands with the modules it loaded.
      e2e.clearRequests();
      for (const stack of stacks) await e2e.record(stack.refresh());
      const agents = Object.keys(e2e.emulator.userAgentCounts());
      expect(agents).toEqual([`pulumi-platform-credentials/${NEXT}`]);
      for (const stack of stacks) {
        expect((await e2e.record(stack.up())).result.summary.resourceChanges).toEqual({ same: 4 });
      }
      expect(await providerTexts()).toEqual(before);

      e2e.clearRequests();
      for (const stack of stacks) {
        expect((await e2e.record(stack.destroy())).result.summary.resourceChanges).toEqual({ delete: 4 });
      }
      expect(Object.keys(e2e.emulator.userAgentCounts())).toEqual([`pulumi-platform-credentials/${NEXT}`]);
    },
    5 * 60_000,
  );

  it(
    "a stack written by 0.1.0 (the previous, inlined __provider) previews no change, refreshes and destroys",
    async () => {
      const stack = await e2e.exampleStack("data-delivery", { stackName: "from-0-1-0" });
      await e2e.record(stack.up());
      // The state 0.1.0 wrote: the same resources, with 0.1.0's provider text in inputs and outputs.
      const exported = await stack.exportStack();
      const replaced = resourcesOf(exported).filter((r) => r.inputs?.["__provider"] !== undefined);
      expect(replaced.length).toBeGreaterThan(0);
      for (const resource of replaced) {
        const old = TEXTS_0_1_0[resource.type];
        expect(old, resource.type).toBeDefined();
        resource.inputs!["__provider"] = old;
        resource.outputs!["__provider"] = old;
      }
      await stack.importStack(exported);
      const textsNow = async (side: "inputs" | "outputs") =>
        new Set(resourcesOf(await stack.exportStack()).flatMap((r) => (r[side]?.["__provider"] as string) ?? []));

      // The provider's diff decides (`changes: false`): a changed `__provider` alone is no change for the engine.
      e2e.clearRequests();
      expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: replaced.length + 1 });
      expect((await e2e.record(stack.up())).result.summary.resourceChanges).toEqual({ same: replaced.length + 1 });
      // A `same` step takes the program's inputs and keeps the stored outputs: refresh and destroy, which run the text
      // in the outputs, go through 0.1.0's text (adapter.ts's kind-taking functions) until the resource is updated.
      expect([...(await textsNow("inputs"))].every((t) => !t.includes("provider/pulumi/adapter"))).toBe(true);
      expect([...(await textsNow("outputs"))].sort()).toEqual(
        [...new Set(replaced.map((r) => TEXTS_0_1_0[r.type]!))].sort(),
      );
      const refreshed = await e2e.record(stack.refresh());
      expect(refreshed.result.summary.resourceChanges).toEqual({ same: replaced.length + 1 });
      expect(Object.keys(e2e.emulator.userAgentCounts()).length).toBeGreaterThan(0);
      expect((await e2e.record(stack.destroy())).result.summary.resourceChanges).toEqual({
        delete: replaced.length + 1,
      });
      expect(resourcesOf(await stack.exportStack())).toEqual([]);
    },
    5 * 60_000,
  );
});
