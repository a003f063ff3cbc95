/**
 * Upgrading the package under existing state, through the real `pulumi` CLI: stacks written by this version, then
 * the package reinstalled as a new release (same code, bumped version, as `npm install pulumi-platform-credentials@next`
 * would), then `preview` shows no changes, the serialized provider in state is byte-identical, and refresh and destroy
 * run the newly installed code (the User-Agent the platform sees says so).
 */
import { rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { installPackage } from "../../engine/install";
import { resourcesOf, useE2E } from "./support";

const NEXT = "0.1.1-upgrade.1";

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

      e2e.clearRequests();
      for (const stack of stacks) {
        expect((await e2e.record(stack.preview())).result.changeSummary).toEqual({ same: 4 });
      }
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
});
