/**
 * A runnable copy of examples/policy-pack for the analyzer tests: its index.ts transpiled to index.js, its
 * package.json (the pack needs the version), and a node_modules in which `@pulumi/*` is this repository's and
 * `pulumi-platform-credentials` is a stand-in whose `policies` export is the built dist/sdk/policies. And
 * {@link usePolicyPack}, which runs that copy for a test file through the real analyzer.
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startPolicyPack, type PolicyPackConfig, type PolicyPackProcess } from "../../engine/analyzer";

const repoRoot = resolve(__dirname, "..", "..");
const exampleDir = join(repoRoot, "examples", "policy-pack");
const builtPolicies = join(repoRoot, "dist", "sdk", "policies", "index.js");

/** A prepared pack directory and how to remove it. */
export interface PolicyPackFixture {
  /** The pack directory to hand to `startPolicyPack`. */
  dir: string;
  /** Removes the directory. */
  remove(): void;
}

/** Prepares the pack in a fresh temporary directory. Needs `npx tsc -p tsconfig.json` to have built dist/. */
export function preparePolicyPack(): PolicyPackFixture {
  if (!existsSync(builtPolicies)) {
    throw new Error(`${builtPolicies} is missing: run \`npx tsc -p tsconfig.json\` before the policy tests.`);
  }
  const dir = mkdtempSync(join(tmpdir(), "policy-pack-"));
  const source = readFileSync(join(exampleDir, "index.ts"), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: "index.ts",
  });
  writeFileSync(join(dir, "index.js"), outputText);
  const manifest = JSON.parse(readFileSync(join(exampleDir, "package.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(join(dir, "package.json"), JSON.stringify({ ...manifest, main: "index.js", dependencies: {} }));
  writeFileSync(join(dir, "PulumiPolicy.yaml"), readFileSync(join(exampleDir, "PulumiPolicy.yaml")));

  const modules = join(dir, "node_modules");
  mkdirSync(modules);
  symlinkSync(join(repoRoot, "node_modules", "@pulumi"), join(modules, "@pulumi"), "dir");
  // The pack imports `pulumi-platform-credentials/policies`; the stand-in exposes exactly that subpath from the build.
  const standIn = join(modules, "pulumi-platform-credentials");
  mkdirSync(standIn);
  writeFileSync(
    join(standIn, "package.json"),
    JSON.stringify({ name: "pulumi-platform-credentials", exports: { "./policies": "./policies.js" } }),
  );
  writeFileSync(join(standIn, "policies.js"), `module.exports = require(${JSON.stringify(builtPolicies)});\n`);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Prepares the pack and starts it once for the test file (stopped and removed in afterAll). With `configureEach`,
 * the pack is configured with it before each test, so no test sees another's config. The returned pack forwards to
 * the running one: use it inside tests and hooks.
 */
export function usePolicyPack(configureEach?: PolicyPackConfig): PolicyPackProcess {
  let fixture: PolicyPackFixture | undefined;
  let running: PolicyPackProcess | undefined;
  beforeAll(async () => {
    fixture = preparePolicyPack();
    running = await startPolicyPack(fixture.dir);
  });
  afterAll(async () => {
    await running?.close();
    fixture?.remove();
  });
  if (configureEach) {
    beforeEach(async () => {
      await current().configure(configureEach);
    });
  }
  const current = (): PolicyPackProcess => {
    if (!running) throw new Error("the policy pack is not started yet (use it inside tests and hooks)");
    return running;
  };
  return {
    get port() {
      return current().port;
    },
    get pid() {
      return current().pid;
    },
    logs: () => current().logs(),
    info: () => current().info(),
    configure: (config) => current().configure(config),
    analyze: (resource) => current().analyze(resource),
    analyzeStack: (resources) => current().analyzeStack(resources),
    close: () => current().close(),
  };
}

/** Every value that appears in some diagnostic's message or description. */
export function leakedValues(
  diagnostics: readonly { message: string; description: string }[],
  values: readonly string[],
): string[] {
  return values.filter((value) => diagnostics.some((d) => d.message.includes(value) || d.description.includes(value)));
}

/** A URN of the test stack. */
export function testUrn(type: string, name: string): string {
  return `urn:pulumi:stack::project::${type}::${name}`;
}
