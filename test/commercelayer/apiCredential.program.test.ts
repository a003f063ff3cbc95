/**
 * commercelayer.ApiCredential's registration as a program makes it: the fixture program
 * (test/fixtures/programs/commercelayer.js) runs under Pulumi's mocks from an installed copy of the package, and its
 * registration (type token, additionalSecretOutputs, serialized shim) is checked. The lifecycle itself runs through
 * the real `pulumi` CLI in test/e2e/commercelayerFixture.e2e.test.ts. Needs `npx tsc -p tsconfig.json` first.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { urn } from "../../engine/host";
import { runProgram, type ProgramRun, type Registration } from "../../engine/program";
import { prepareProject, type PulumiProject } from "../../engine/project";
import { reveal } from "../../engine/secrets";
import { BLUE_ADMIN } from "./support";

const PROGRAM = resolve(__dirname, "../fixtures/programs/commercelayer.js");
const TYPE = "pulumi-nodejs:dynamic/commercelayer:ApiCredential";
const URN = urn(TYPE, "erp");

let project: PulumiProject;
let run: Promise<ProgramRun>;

async function registrations(): Promise<Registration[]> {
  return (await run).registrations.filter((r) => r.type === TYPE);
}

beforeAll(async () => {
  if (!existsSync(resolve(__dirname, "../../dist/provider/commercelayer/apiCredential.js"))) {
    throw new Error("dist/ is missing: run `npx tsc -p tsconfig.json` (npm test does) before these tests.");
  }
  project = await prepareProject();
  run = runProgram({ project, program: PROGRAM });
});

afterAll(async () => {
  await project?.cleanup();
});

describe("program under mocks", () => {
  it("registers the type token with clientSecret and clientId in additionalSecretOutputs and a small shim", async () => {
    const regs = await registrations();
    expect(regs).toHaveLength(1);
    const [reg] = regs;
    expect(reg!.type).toBe(TYPE);
    expect(reg!.urn).toBe(URN);
    expect([...reg!.additionalSecretOutputs].sort()).toEqual(["clientId", "clientSecret"]);
    expect(reg!.providerText).toContain('require("pulumi-platform-credentials/dist/provider/pulumi/adapter")');
    expect(reg!.providerText).toContain("commercelayer:ApiCredential");
    expect(reg!.providerText!.length).toBeLessThanOrEqual(4096);
    expect(reveal(reg!.inputs)).toMatchObject({
      organizationId: "BlueBrnd01",
      name: "ERP sync",
      kind: "integration",
      roleId: BLUE_ADMIN,
      metadata: { owner: "platform-team" },
    });
  });
});
