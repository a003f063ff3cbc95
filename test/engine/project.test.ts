/** prepareProject: the on-disk layout of a user's project with this package installed. */
import { existsSync, lstatSync, mkdirSync, readFileSync, realpathSync, rmSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareProject, type PulumiProject } from "../../engine/project";

const REPO = resolve(__dirname, "../..");
let project: PulumiProject;

beforeAll(async () => {
  project = await prepareProject({ projectName: "credentials-demo" });
});

afterAll(async () => {
  await project?.cleanup();
});

describe("prepareProject", () => {
  it("writes package.json and Pulumi.yaml naming the project", () => {
    expect(readFileSync(join(project.dir, "Pulumi.yaml"), "utf8")).toBe("name: credentials-demo\nruntime: nodejs\n");
    const manifest = JSON.parse(readFileSync(join(project.dir, "package.json"), "utf8")) as Record<string, unknown>;
    expect(manifest["name"]).toBe("credentials-demo");
    expect(Object.keys(manifest["dependencies"] as object)).toEqual(["pulumi-platform-credentials"]);
  });

  it("installs a real copy of the built package (not a link) with package.json, dist/ and the contracts", () => {
    const installed = join(project.dir, "node_modules", "pulumi-platform-credentials");
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(realpathSync(installed)).toBe(installed);
    expect(existsSync(join(installed, "dist", "engine", "programEntry.js"))).toBe(true);
    expect(readFileSync(join(installed, "package.json"), "utf8")).toBe(
      readFileSync(join(REPO, "package.json"), "utf8"),
    );
    expect(existsSync(join(installed, "emulator", "contracts", "interchange-buyer.openapi.yml"))).toBe(true);
    expect(project.resolve("pulumi-platform-credentials/dist/engine/project.js")).toBe(
      join(installed, "dist", "engine", "project.js"),
    );
  });

  it("links the package's dependencies so @pulumi/pulumi resolves to the same real file", () => {
    expect(lstatSync(join(project.dir, "node_modules", "@pulumi")).isSymbolicLink()).toBe(true);
    expect(project.resolve("@pulumi/pulumi/package.json")).toBe(
      realpathSync(join(REPO, "node_modules", "@pulumi", "pulumi", "package.json")),
    );
    expect((project.require("@pulumi/pulumi/package.json") as { name: string }).name).toBe("@pulumi/pulumi");
  });

  it("uses the enclosing project when the package is already installed under node_modules, and leaves it", async () => {
    const userProject = mkdtempSync(join(tmpdir(), "user-project-"));
    try {
      const installed = join(userProject, "node_modules", "pulumi-platform-credentials");
      mkdirSync(installed, { recursive: true });
      const inPlace = await prepareProject({ packageRoot: installed });
      expect(inPlace.dir).toBe(userProject);
      await inPlace.cleanup();
      expect(existsSync(installed)).toBe(true);
    } finally {
      rmSync(userProject, { recursive: true, force: true });
    }
  });

  it("removes the directory it created on cleanup", async () => {
    const throwaway = await prepareProject();
    expect(existsSync(join(throwaway.dir, "node_modules"))).toBe(true);
    await throwaway.cleanup();
    expect(existsSync(throwaway.dir)).toBe(false);
  });
});
