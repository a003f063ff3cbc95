/**
 * Everything derived from the resource definitions is committed as generated and must match a fresh generation:
 * the TypeScript SDK classes, provider/kinds.ts and the docs' argument/output tables (`npm run gen`), and the Python
 * and Go SDKs (sdk/python, sdk/go) and schema (sdk/schema.json), which Pulumi's own code generators make of the
 * plugin's current schema (`npm run gen-sdks` regenerates all of it). Each test fails when a change to a resource
 * definition was not followed by a regeneration. Needs Go (as the CLI build does) and dist/.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(__dirname, "..", "..");
const out = mkdtempSync(join(tmpdir(), "ppc-gen-sdks-"));

function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return files;
}

/**
 * The files of a committed SDK directory, without what git ignores there: `pip install sdk/python` (the Python
 * e2e test) leaves build/ and *.egg-info/ behind, which are not part of the SDK.
 */
function committedFilesUnder(dir: string): Map<string, string> {
  const files = filesUnder(dir);
  const ignored = spawnSync("git", ["check-ignore", "--stdin"], {
    cwd: dir,
    input: [...files.keys()].join("\n"),
    encoding: "utf8",
  });
  for (const path of ignored.stdout.split("\n").filter(Boolean)) files.delete(path);
  return files;
}

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("generated SDKs", () => {
  it("TypeScript SDK classes, provider/kinds.ts and docs tables match what `npm run gen` generates", () => {
    const check = spawnSync(process.execPath, [join(root, "dist", "engine", "gensdk", "typescript.js"), "--check"], {
      encoding: "utf8",
      timeout: 120_000,
    });
    expect(check.stderr, "run npm run gen").toBe("");
    expect(check.status).toBe(0);
  }, 120_000);

  it("match what `npm run gen-sdks` generates from the current schema", () => {
    execFileSync("bash", [join(root, "engine", "gensdk", "generate.sh"), out], { stdio: "pipe", timeout: 600_000 });
    for (const language of ["python", "go"]) {
      const generated = filesUnder(join(out, language));
      const committed = committedFilesUnder(join(root, "sdk", language));
      expect([...committed.keys()].sort(), `sdk/${language}: files (run npm run gen-sdks)`).toEqual(
        [...generated.keys()].sort(),
      );
      for (const [file, text] of generated) {
        expect(committed.get(file), `sdk/${language}/${file} is stale: run npm run gen-sdks`).toBe(text);
      }
    }
    expect(readFileSync(join(root, "sdk", "schema.json"), "utf8")).toBe(readFileSync(join(out, "schema.json"), "utf8"));
  }, 600_000);
});
