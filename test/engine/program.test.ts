/**
 * runProgram: a compiled program under Pulumi's mocks in a child process, reporting registrations and outputs as
 * the engine would receive them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { urn } from "../../engine/host";
import { ProgramError, runProgram, type ProgramRun } from "../../engine/program";
import type { PulumiProject } from "../../engine/project";
import { isSecret, Secret } from "../../engine/secrets";
import { FAILING_PROGRAM, prepareWidgetProject, WIDGET_PROGRAM, WIDGET_TYPE } from "./fixtureProject";

const PASSWORD = "widget-password-0c7e";
let project: PulumiProject;
let run: ProgramRun;

beforeAll(async () => {
  project = await prepareWidgetProject();
  run = await runProgram({
    project,
    program: WIDGET_PROGRAM,
    config: { "fixture:widgetPassword": new Secret(PASSWORD), "fixture:size": "4" },
    stackReferences: { "org/shared/prod": { region: "eu-west", deployToken: new Secret("deploy-token-91") } },
  });
});

afterAll(async () => {
  await project?.cleanup();
});

describe("runProgram", () => {
  it("captures every registration in order with its type token and URN", () => {
    expect(run.registrations.map((reg) => [reg.type, reg.name, reg.urn])).toEqual([
      ["pulumi:pulumi:StackReference", "org/shared/prod", urn("pulumi:pulumi:StackReference", "org/shared/prod")],
      [WIDGET_TYPE, "primary", urn(WIDGET_TYPE, "primary")],
      [WIDGET_TYPE, "secondary", urn(WIDGET_TYPE, "secondary")],
    ]);
    expect(run.registrations[0]?.readId).toBe("org/shared/prod");
  });

  it("captures inputs with secret inputs wrapped, config values applied, and dependencies", () => {
    const [, primary, secondary] = run.registrations;
    expect(primary?.inputs["password"]).toEqual(new Secret(PASSWORD));
    expect(primary?.inputs["label"]).toBe("primary");
    expect(primary?.inputs["spec"]).toEqual({ size: 4 });
    expect(Object.keys(primary?.inputs ?? {}).sort()).toEqual(["__provider", "label", "password", "spec"]);
    expect(secondary?.inputs["password"]).toBeUndefined();
    expect(secondary?.dependencies).toEqual([urn(WIDGET_TYPE, "primary")]);
  });

  it("captures the serialized provider text, which loads the implementation by specifier and holds no secret", () => {
    const [, primary, secondary] = run.registrations;
    const text = primary?.providerText ?? "";
    expect(text).toBe(primary?.inputs["__provider"]);
    expect(text).toContain('require("engine-fixture-widgets/impl").create(inputs)');
    expect(text).not.toContain(PASSWORD);
    expect(secondary?.providerText).toBe(text);
    expect(run.registrations[0]?.providerText).toBeUndefined();
  });

  it("captures additionalSecretOutputs from the RegisterResource request", () => {
    expect(run.registrations.map((reg) => reg.additionalSecretOutputs)).toEqual([[], ["token"], ["token"]]);
  });

  it("returns the stack's exports with secretness, including stack-reference outputs", () => {
    expect(run.outputs).toEqual({
      primaryLabel: "primary",
      primaryPassword: new Secret(PASSWORD),
      secondaryId: "secondary-id",
      sharedRegion: "eu-west",
      sharedToken: new Secret("deploy-token-91"),
    });
    expect(isSecret(run.outputs["sharedRegion"])).toBe(false);
    expect(isSecret(run.outputs["sharedToken"])).toBe(true);
  });

  it("rejects with the program's error when the program throws", async () => {
    const failure = runProgram({ project, program: FAILING_PROGRAM });
    await expect(failure).rejects.toBeInstanceOf(ProgramError);
    await expect(failure).rejects.toThrow("fixture program failed on purpose: widget 'second' has no label");
  });

  it("rejects with Pulumi's config error when required config is missing", async () => {
    const failure = runProgram({
      project,
      program: WIDGET_PROGRAM,
      stackReferences: { "org/shared/prod": { region: "eu-west" } },
    });
    await expect(failure).rejects.toThrow("Missing required configuration variable 'fixture:widgetPassword'");
  });
});
