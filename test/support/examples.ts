/**
 * The example programs of examples/ as the tests under mocks run them: where their compiled program is, and their
 * stack config taken from each example's Pulumi.yaml (the same zero-setup defaults `pulumi up` uses), with the
 * emulator's address swapped in.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { CREDENTIAL_EXAMPLES, SECRET_CONFIG_KEYS, type EmulatorEndpoints } from "../../demo/config";
import { Secret } from "../../engine/secrets";

export { CREDENTIAL_EXAMPLES, SECRET_CONFIG_KEYS, type EmulatorEndpoints };

/** Every example program (the policy pack is not a program). */
export const EXAMPLE_PROGRAMS = [...CREDENTIAL_EXAMPLES, "consumer"] as const;

/** Name of an example program directory under examples/. */
export type ExampleName = (typeof EXAMPLE_PROGRAMS)[number];

/** An example's project name and stack config. */
export interface ExampleConfig {
  /** `name` of its Pulumi.yaml (the namespace of its unqualified config keys). */
  projectName: string;
  /** Fully qualified config keys (`data-delivery:gcsBucket`) to values; secret keys as `Secret`. */
  config: Record<string, string | Secret<string>>;
}

/** The repository (or installed package) root that holds examples/ and dist/, from dist/demo or demo/. */
export function packageRootFrom(dir: string): string {
  for (const candidate of [join(dir, ".."), join(dir, "..", "..")]) {
    if (existsSync(join(candidate, "examples")) && existsSync(join(candidate, "package.json"))) return candidate;
  }
  throw new Error(`Cannot find the examples/ directory above ${dir}: run the demo from a clone of the repository.`);
}

/** Path of an example's compiled program (built by `npm run build` from examples/<name>/index.ts). */
export function exampleProgram(root: string, name: ExampleName): string {
  const program = join(root, "dist", "examples", name, "index.js");
  if (!existsSync(program)) throw new Error(`${program} is missing: run \`npm run build\` first.`);
  return program;
}

/**
 * The example's Pulumi.yaml `config:` as stack config: unqualified keys get the project's namespace, provider
 * endpoints point at `endpoints` (when given), keys in {@link SECRET_CONFIG_KEYS} become secret, and `overrides`
 * (qualified or not) win, as `pulumi config set` values win over project defaults.
 */
export function exampleConfig(
  root: string,
  name: ExampleName,
  endpoints?: EmulatorEndpoints,
  overrides: Record<string, string> = {},
): ExampleConfig {
  const manifest = parse(readFileSync(join(root, "examples", name, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config?: Record<string, unknown>;
  };
  const qualify = (key: string) => (key.includes(":") ? key : `${manifest.name}:${key}`);
  const values: Record<string, string> = {};
  for (const [key, raw] of Object.entries(manifest.config ?? {})) {
    // Project-level config is either a plain value or `{value: ...}`; object values are JSON-encoded, as the CLI does.
    const value = raw !== null && typeof raw === "object" && "value" in raw ? (raw as { value: unknown }).value : raw;
    values[qualify(key)] = typeof value === "string" ? value : JSON.stringify(value);
  }
  if (endpoints) {
    const replace = (key: string, url: string) => {
      if (key in values) values[key] = url;
    };
    replace("interchange:baseUrl", endpoints.interchangeUrl);
    replace("commercelayer:baseUrl", endpoints.commerceLayerApiUrl);
    replace("commercelayer:authUrl", endpoints.commerceLayerAuthUrl);
  }
  for (const [key, value] of Object.entries(overrides)) values[qualify(key)] = value;
  const config: Record<string, string | Secret<string>> = {};
  for (const [key, value] of Object.entries(values)) {
    config[key] = SECRET_CONFIG_KEYS.has(key) ? new Secret(value) : value;
  }
  return { projectName: manifest.name, config };
}
