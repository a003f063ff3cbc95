/**
 * The lookups' reference pages (docs/interchange-lookups.md, docs/commercelayer-lookups.md) list exactly the arguments
 * and result fields each lookup declares (nested `list[].field` rows included), and the README and docs/plugin.md
 * name every function; the SDK exports both forms of each.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";

/* eslint-disable @typescript-eslint/no-require-imports -- the lookups load lazily, with a require vitest does not serve */
const { lookupFor, lookupKinds } = require("../../dist/provider/lookup") as typeof import("../../provider/lookup");
const sdk = require("../../dist/sdk") as typeof import("../../sdk");
/* eslint-enable @typescript-eslint/no-require-imports */

const root = resolve(__dirname, "..", "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");

/** The first-column names of the table under `### <heading>` inside the `## <section>` of a page. */
function tableNames(page: string, section: string, heading: string): string[] {
  const start = page.indexOf(`## ${section}\n`);
  expect(start, `section "## ${section}"`).toBeGreaterThanOrEqual(0);
  const rest = page.slice(start + section.length + 4);
  const end = rest.search(/^## /m);
  const body = end === -1 ? rest : rest.slice(0, end);
  const at = body.indexOf(`### ${heading}\n`);
  expect(at, `"### ${heading}" in ${section}`).toBeGreaterThanOrEqual(0);
  const lines = body.slice(at).split("\n").slice(1);
  const table = lines.slice(lines.findIndex((l) => l.startsWith("|")));
  const after = table.findIndex((l) => !l.startsWith("|"));
  const rows = (after === -1 ? table : table.slice(0, after)).slice(2);
  return rows.map((row) => /^\|\s*`([^`]+)`/.exec(row)?.[1] ?? row);
}

/** Field names of a z.object, with `list[].field` for the fields of an array of objects. */
function fieldNames(schema: z.ZodType): string[] {
  const json = z.toJSONSchema(schema, { io: "output", unrepresentable: "any" }) as {
    properties?: Record<string, { type?: string; items?: { properties?: Record<string, unknown> } }>;
  };
  return Object.entries(json.properties ?? {}).flatMap(([name, p]) => [
    name,
    ...(p.type === "array" && p.items?.properties ? Object.keys(p.items.properties).map((k) => `${name}[].${k}`) : []),
  ]);
}

const PAGES: Record<string, string> = {
  interchange: "docs/interchange-lookups.md",
  commercelayer: "docs/commercelayer-lookups.md",
};

describe.each(lookupKinds)("%s", (kind) => {
  const def = lookupFor(kind)!;
  const section = `${def.token.module}.${def.token.name}`;
  const page = read(PAGES[def.token.module]!);

  it("its page's Arguments table lists exactly its arguments", () => {
    expect(tableNames(page, section, "Arguments").sort()).toEqual(fieldNames(def.args).sort());
  });

  it("its page's Result table lists exactly its result fields (lists of objects: those the page details)", () => {
    const documented = tableNames(page, section, "Result");
    const declared = fieldNames(def.result);
    // A list of objects is either detailed row by row (`sources[].sourceId`) or summed up in its type column.
    const detailed = new Set(documented.filter((n) => n.includes("[].")).map((n) => n.split("[].")[0]));
    expect(documented.sort()).toEqual(
      declared.filter((n) => !n.includes("[].") || detailed.has(n.split("[].")[0]!)).sort(),
    );
  });

  it("the README and docs/plugin.md name it; the SDK exports its Promise and Output forms", () => {
    expect(read("README.md")).toContain(`${section}`);
    expect(read("docs/plugin.md")).toContain(`platform-credentials:${kind}`);
    const module = (sdk as unknown as Record<string, Record<string, unknown>>)[def.token.module]!;
    expect(typeof module[def.token.name]).toBe("function");
    expect(typeof module[`${def.token.name}Output`]).toBe("function");
  });
});
