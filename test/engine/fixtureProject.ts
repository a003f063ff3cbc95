/**
 * Shared set-up of the engine harness tests: a prepared project with the throwaway widget provider
 * (test/fixtures/engine/engine-fixture-widgets) installed next to this package, and the fixture programs.
 */
import { cpSync, existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { prepareProject, type PulumiProject } from "../../engine/project";

const FIXTURES = resolve(__dirname, "../fixtures/engine");

/** The fixture program: a StackReference, two widgets (one with a secret password), exports with secrets. */
export const WIDGET_PROGRAM = join(FIXTURES, "program.js");
/** A fixture program that throws after registering one widget. */
export const FAILING_PROGRAM = join(FIXTURES, "failing-program.js");
/** Type token of the fixture widgets. */
export const WIDGET_TYPE = "pulumi-nodejs:dynamic/fixture:Widget";

/** A prepared project (needs `npx tsc -p tsconfig.json` first: it installs dist/) with the widget provider. */
export async function prepareWidgetProject(): Promise<PulumiProject> {
  if (!existsSync(resolve(__dirname, "../../dist/engine/programEntry.js"))) {
    throw new Error("dist/ is missing: run `npx tsc -p tsconfig.json` (npm test does) before these tests.");
  }
  const project = await prepareProject();
  cpSync(join(FIXTURES, "engine-fixture-widgets"), join(project.dir, "node_modules", "engine-fixture-widgets"), {
    recursive: true,
  });
  return project;
}
