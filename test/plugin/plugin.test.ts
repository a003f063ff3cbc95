/**
 * The provider plugin as the engine launches it: both launch modes print a port and serve GetSchema; the schema is a
 * valid Pulumi package schema generated from the definitions; Configure, secrets and preview unknowns behave as a
 * real provider's must. (The full CRUD walk against the emulator is in parity.test.ts.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Secret } from "../../engine/secrets";
import { settingKeys } from "../../provider/config";
import { PLUGIN_MAIN, REPO_ROOT, pluginUrn, startPlugin, type PluginProcess } from "./pluginClient";

// The build, not the source: the plugin's registry loads definitions with a run-time require vitest does not transform.
const fromBuild = createRequire(join(REPO_ROOT, "dist", "provider", "plugin", "main.js"));
const pluginProvider = fromBuild("./provider") as typeof import("../../provider/plugin/provider");
const pluginSchema = fromBuild("./schema") as typeof import("../../provider/plugin/schema");

const version = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;
const TOKEN = /^[a-zA-Z][-a-zA-Z0-9_]*:([^0-9][a-zA-Z0-9._/-]*)?:[^0-9][a-zA-Z0-9._/-]*$/;

/** The structural rules of Pulumi's package metaschema (pkg/codegen/schema/pulumi.json) that this schema uses. */
const packageSchemaRules = {
  $defs: {
    typeSpec: {
      type: "object",
      oneOf: [
        {
          properties: { type: { enum: ["boolean", "integer", "number", "string"] } },
          required: ["type"],
          not: { anyOf: [{ required: ["items"] }, { required: ["additionalProperties"] }, { required: ["$ref"] }] },
        },
        {
          properties: { type: { const: "array" }, items: { $ref: "#/$defs/propertySpec" } },
          required: ["type", "items"],
        },
        {
          properties: { type: { const: "object" }, additionalProperties: { $ref: "#/$defs/propertySpec" } },
          required: ["type"],
          not: { anyOf: [{ required: ["items"] }, { required: ["$ref"] }] },
        },
        { properties: { $ref: { type: "string" } }, required: ["$ref"], not: { required: ["items"] } },
      ],
    },
    propertySpec: {
      allOf: [{ $ref: "#/$defs/typeSpec" }],
      properties: {
        description: { type: "string", minLength: 1 },
        secret: { type: "boolean" },
        default: { type: ["boolean", "number", "string"] },
        const: { type: ["boolean", "number", "string"] },
      },
    },
    propertyMap: { type: "object", additionalProperties: { $ref: "#/$defs/propertySpec" } },
    objectTypeSpec: {
      type: "object",
      properties: {
        type: { const: "object" },
        description: { type: "string" },
        properties: { $ref: "#/$defs/propertyMap" },
        required: { type: "array", items: { type: "string" } },
      },
    },
  },
  type: "object",
  required: ["name", "version", "resources"],
  additionalProperties: false,
  properties: {
    name: { type: "string", pattern: "^[a-zA-Z][-a-zA-Z0-9_]*$" },
    version: { type: "string", pattern: "^v?\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$" },
    displayName: { type: "string" },
    description: { type: "string" },
    keywords: { type: "array", items: { type: "string" } },
    license: { type: "string" },
    repository: { type: "string" },
    config: {
      type: "object",
      additionalProperties: false,
      properties: { variables: { $ref: "#/$defs/propertyMap" } },
    },
    provider: { type: "object", properties: { inputProperties: { $ref: "#/$defs/propertyMap" } } },
    types: {
      type: "object",
      propertyNames: { pattern: TOKEN.source },
      additionalProperties: { allOf: [{ $ref: "#/$defs/objectTypeSpec" }], required: ["type", "properties"] },
    },
    resources: {
      type: "object",
      propertyNames: { pattern: TOKEN.source },
      additionalProperties: {
        allOf: [{ $ref: "#/$defs/objectTypeSpec" }],
        required: ["description", "properties", "inputProperties", "requiredInputs"],
        properties: {
          inputProperties: { $ref: "#/$defs/propertyMap" },
          requiredInputs: { type: "array", items: { type: "string" } },
        },
      },
    },
    functions: {
      type: "object",
      propertyNames: { pattern: TOKEN.source },
      additionalProperties: {
        type: "object",
        required: ["description", "inputs", "outputs"],
        additionalProperties: false,
        properties: {
          description: { type: "string", minLength: 1 },
          inputs: { $ref: "#/$defs/objectTypeSpec" },
          outputs: { $ref: "#/$defs/objectTypeSpec" },
        },
      },
    },
    language: { type: "object" },
    meta: {
      type: "object",
      properties: { moduleFormat: { type: "string" }, supportPack: { type: "boolean" } },
    },
  },
};

interface Prop {
  type?: string;
  $ref?: string;
  items?: Prop;
  additionalProperties?: Prop;
  description?: string;
  secret?: boolean;
}
interface PackageSchema {
  name: string;
  version: string;
  types: Record<string, { properties: Record<string, Prop>; required?: string[] }>;
  resources: Record<
    string,
    {
      description: string;
      properties: Record<string, Prop>;
      required: string[];
      inputProperties: Record<string, Prop>;
      requiredInputs: string[];
    }
  >;
  functions: Record<
    string,
    {
      description: string;
      inputs: { properties: Record<string, Prop>; required?: string[] };
      outputs: { properties: Record<string, Prop>; required?: string[] };
    }
  >;
}

describe("launch", () => {
  it.each([
    ["directly (node dist/provider/plugin/main.js <engine>)", "direct" as const],
    ["through Pulumi's plugin runner (run-plugin <main> --logtostderr -v=9 <engine>)", "runPlugin" as const],
  ])(
    "serves GetSchema and GetPluginInfo when started %s",
    async (_how, launch) => {
      const plugin = await startPlugin({
        launch,
        args: launch === "runPlugin" ? ["--logtostderr", "-v=9", "127.0.0.1:1"] : ["127.0.0.1:1"],
      });
      try {
        expect(plugin.port).toBeGreaterThan(0);
        const schema = JSON.parse(await plugin.getSchema()) as PackageSchema;
        expect(schema.name).toBe("platform-credentials");
        expect(Object.keys(schema.resources).sort()).toEqual([
          "platform-credentials:commercelayer:ApiCredential",
          "platform-credentials:interchange:DataDeliveryCredential",
          "platform-credentials:interchange:StorefrontSourceCredential",
        ]);
        expect(await plugin.getPluginInfo()).toBe(version);
      } finally {
        await plugin.close();
      }
    },
    30_000,
  );

  describe("a package directory whose package.json main calls serveIfLaunchedAsPlugin(module)", () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "plugin-dir-"));
      writeFileSync(
        join(dir, "package.json"),
        JSON.stringify({ name: "dir-plugin", version: "1.0.0", main: "entry.js" }),
      );
      writeFileSync(
        join(dir, "entry.js"),
        `require(${JSON.stringify(join(REPO_ROOT, "dist/provider/plugin/launch.js"))}).serveIfLaunchedAsPlugin(module);\n` +
          "exports.loaded = true;\n",
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it("serves when the plugin runner is given the directory (what engines that ignore `main` do)", async () => {
      const plugin = await startPlugin({ launch: "runPlugin", target: dir });
      try {
        expect((JSON.parse(await plugin.getSchema()) as PackageSchema).name).toBe("platform-credentials");
      } finally {
        await plugin.close();
      }
    }, 30_000);

    it("does not serve when another program imports it (a user's program, another plugin)", () => {
      const run = spawnSync(process.execPath, ["-e", `console.log(require(${JSON.stringify(dir)}).loaded)`], {
        encoding: "utf8",
        timeout: 20_000,
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toBe("true\n");
    });
  });

  it("PulumiPlugin.yaml names the nodejs runtime and the compiled entry point", () => {
    const manifest = readFileSync(join(REPO_ROOT, "PulumiPlugin.yaml"), "utf8");
    expect(manifest).toMatch(/^runtime: nodejs$/m);
    expect(manifest).toMatch(/^main: dist\/provider\/plugin\/main\.js$/m);
    expect(join(REPO_ROOT, "dist/provider/plugin/main.js")).toBe(PLUGIN_MAIN);
  });
});

describe("package schema", () => {
  let schema: PackageSchema;
  beforeAll(() => {
    schema = JSON.parse(JSON.stringify(pluginSchema.buildPackageSchema())) as PackageSchema;
  });

  it("validates against the package metaschema's structural rules", () => {
    const validate = new Ajv2020({ allErrors: true, strict: false }).compile(packageSchemaRules);
    const valid = validate(schema);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("resolves every $ref to a defined type, and types every property", () => {
    const dangling: string[] = [];
    const untyped: string[] = [];
    const refs = new Set<string>();
    const visit = (where: string, p: Prop): void => {
      if (p.$ref) {
        refs.add(p.$ref);
        const token = p.$ref.replace(/^#\/types\//, "");
        if (p.$ref !== "pulumi.json#/Any" && !schema.types[token]) dangling.push(`${where} → ${p.$ref}`);
      } else if (!p.type) untyped.push(where);
      if (p.items) visit(`${where}[]`, p.items);
      if (p.additionalProperties) visit(`${where}.*`, p.additionalProperties);
    };
    for (const [token, r] of Object.entries(schema.resources)) {
      for (const [k, p] of Object.entries({ ...r.properties })) visit(`${token}.${k}`, p);
      for (const [k, p] of Object.entries(r.inputProperties)) visit(`${token} input ${k}`, p);
    }
    for (const [token, f] of Object.entries(schema.functions)) {
      for (const [k, p] of Object.entries(f.inputs.properties)) visit(`${token} argument ${k}`, p);
      for (const [k, p] of Object.entries(f.outputs.properties)) visit(`${token} result ${k}`, p);
    }
    for (const [token, t] of Object.entries(schema.types))
      for (const [k, p] of Object.entries(t.properties)) visit(`${token}.${k}`, p);
    expect({ dangling, untyped }).toEqual({ dangling: [], untyped: [] });
    // The walk saw every type through a $ref (none is unreachable), so the checks above covered them.
    expect([...refs].filter((ref) => ref.startsWith("#/types/")).sort()).toEqual(
      Object.keys(schema.types)
        .map((token) => `#/types/${token}`)
        .sort(),
    );
  });

  it("describes every resource, every resource property, every function argument and result, and every type property", () => {
    const missing: string[] = [];
    for (const [token, r] of Object.entries(schema.resources)) {
      if (!r.description) missing.push(token);
      for (const [k, p] of Object.entries({ ...r.properties, ...r.inputProperties }))
        if (!p.description) missing.push(`${token}.${k}`);
    }
    for (const [token, f] of Object.entries(schema.functions)) {
      for (const [k, p] of Object.entries({ ...f.inputs.properties, ...f.outputs.properties }))
        if (!p.description) missing.push(`${token}.${k}`);
    }
    for (const [token, t] of Object.entries(schema.types)) {
      for (const [k, p] of Object.entries(t.properties)) if (!p.description) missing.push(`${token}.${k}`);
    }
    expect(missing).toEqual([]);
  });

  it("keeps required lists inside the declared properties and never uses the reserved names id and urn", () => {
    for (const r of Object.values(schema.resources)) {
      expect(r.requiredInputs.filter((k) => !(k in r.inputProperties))).toEqual([]);
      expect(r.required.filter((k) => !(k in r.properties))).toEqual([]);
      expect(Object.keys(r.properties).filter((k) => k === "id" || k === "urn")).toEqual([]);
    }
    for (const t of Object.values(schema.types))
      expect((t.required ?? []).filter((k) => !(k in t.properties))).toEqual([]);
  });

  it("marks exactly the secret properties secret", () => {
    const secretsOf = (props: Record<string, Prop>): string[] =>
      Object.entries(props)
        .filter(([, p]) => p.secret)
        .map(([k]) => k)
        .sort();
    const r = schema.resources;
    expect(secretsOf(r["platform-credentials:interchange:StorefrontSourceCredential"]!.inputProperties)).toEqual([
      "auth",
    ]);
    expect(secretsOf(r["platform-credentials:interchange:StorefrontSourceCredential"]!.properties)).toEqual(["auth"]);
    expect(
      secretsOf(schema.types["platform-credentials:interchange:DataDeliveryCredentialDestination"]!.properties),
    ).toEqual(["sasToken"]);
    expect(secretsOf(r["platform-credentials:commercelayer:ApiCredential"]!.properties)).toEqual([
      "clientId",
      "clientSecret",
    ]);
    expect(secretsOf(r["platform-credentials:commercelayer:ApiCredential"]!.inputProperties)).toEqual([]);
  });

  it("describes every provider setting as a config variable and a provider argument, credentials secret", () => {
    const { config, provider } = pluginSchema.buildPackageSchema();
    const names = Object.keys(settingKeys);
    expect(Object.keys(config.variables)).toEqual(names);
    expect(Object.keys(provider.inputProperties)).toEqual(names);
    expect(provider.inputProperties).toEqual(config.variables);
    expect(
      Object.entries(config.variables)
        .filter(([, p]) => p.secret)
        .map(([k]) => k),
    ).toEqual(["interchangeApiKey", "commerceLayerClientSecret"]);
    expect(config.variables["interchangeApiKey"]?.description).toContain("SCOPE3_API_KEY");
  });
});

describe("engine protocol", () => {
  let plugin: PluginProcess;
  const sourceUrn = pluginUrn("platform-credentials:interchange:StorefrontSourceCredential", "preview");
  beforeAll(async () => {
    plugin = await startPlugin({ launch: "runPlugin" });
  }, 30_000);
  afterAll(async () => {
    await plugin?.close();
  });

  it("answers Configure accepting secrets, without preview support (so the engine never creates during preview)", async () => {
    expect(await plugin.configure()).toEqual({
      acceptSecrets: true,
      acceptResources: true,
      acceptOutputs: true,
      supportsPreview: false,
    });
  });

  it("lets preview unknowns through Check and keeps a secret input wrapped in the checked inputs", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const res = await plugin.check(
      sourceUrn,
      {},
      {
        storefrontId: 101,
        sourceId: unknown,
        accountIdentifier: "acct-preview",
        auth: new Secret({ type: "apiKey", token: unknown }),
      },
    );
    expect(res.failures).toEqual([]);
    expect(res.inputs["sourceId"]).toBe(unknown);
    expect(res.inputs["auth"]).toEqual(new Secret({ type: "apiKey", token: unknown }));
  });

  it("reports Check failures with their property paths and never echoes a secret", async () => {
    const res = await plugin.check(
      sourceUrn,
      {},
      {
        storefrontId: 101,
        sourceId: "src_apikey",
        accountIdentifier: "",
        auth: new Secret({ type: "apiKey", token: "super-secret-token-value" }),
      },
    );
    expect(res.failures.map((f) => f.property)).toEqual(["accountIdentifier"]);
    expect(JSON.stringify(res.failures)).not.toContain("super-secret-token-value");
    expect(res.inputs["auth"]).toEqual(new Secret({ type: "apiKey", token: "super-secret-token-value" }));
  });

  it("rejects a URN of another package, naming the type", async () => {
    await expect(plugin.check(pluginUrn("aws:s3:Bucket", "b"), {}, {})).rejects.toThrow(
      "aws:s3:Bucket is not a resource type of the platform-credentials provider",
    );
  });
});

describe("secret wrapping and stack config", () => {
  it("unwraps nested secrets and output values, recording their paths", () => {
    const sig = pluginProvider.SECRET_SIGNATURE_KEY;
    const { value, secretPaths } = pluginProvider.unwrapSecrets({
      destination: { type: "AZURE_BLOB", sasToken: { [sig]: pluginProvider.SECRET_SIGNATURE, value: "sv=1" } },
      tags: ["a", { [sig]: pluginProvider.SECRET_SIGNATURE, value: "b" }],
      later: { [sig]: pluginProvider.OUTPUT_VALUE_SIGNATURE, secret: true },
    });
    expect(value).toEqual({
      destination: { type: "AZURE_BLOB", sasToken: "sv=1" },
      tags: ["a", "b"],
      later: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
    });
    expect(secretPaths).toEqual([["destination", "sasToken"], ["tags", 1], ["later"]]);
  });

  it("records keys containing `.` and `[n]` as one segment each, not as nested paths", () => {
    const sig = pluginProvider.SECRET_SIGNATURE_KEY;
    const secret = (value: unknown) => ({ [sig]: pluginProvider.SECRET_SIGNATURE, value });
    const { secretPaths } = pluginProvider.unwrapSecrets({
      metadata: { "team.lead": secret("ada"), "tags[0]": secret("pci"), "a.b[1].c": secret("x") },
    });
    expect(secretPaths).toEqual([
      ["metadata", "team.lead"],
      ["metadata", "tags[0]"],
      ["metadata", "a.b[1].c"],
    ]);
  });

  it("wraps values at segment paths, telling keys from indexes and skipping missing ones", () => {
    const wrapped = pluginProvider.wrapSecretPaths(
      {
        destination: { sasToken: "sv=1" },
        tags: ["a", "b"],
        clientId: "id",
        metadata: { "team.lead": "ada", "tags[0]": "pci", team: { lead: "plain" }, "0": "zero" },
      },
      [
        ["destination", "sasToken"],
        ["tags", 1],
        ["clientSecret"],
        ["clientId"],
        ["metadata", "team.lead"],
        ["metadata", "tags[0]"],
        ["metadata", 0],
        ["tags", "1"],
      ],
    );
    const secret = (value: unknown) => ({
      [pluginProvider.SECRET_SIGNATURE_KEY]: pluginProvider.SECRET_SIGNATURE,
      value,
    });
    expect(wrapped).toEqual({
      destination: { sasToken: secret("sv=1") },
      tags: ["a", secret("b")],
      clientId: secret("id"),
      metadata: { "team.lead": secret("ada"), "tags[0]": secret("pci"), team: { lead: "plain" }, "0": "zero" },
    });
  });
});
