/**
 * The Pulumi package schema of the provider plugin, generated from the resource definitions' zod schemas (the
 * same definitions the dynamic resources use), so the two can never disagree.
 */
import { z } from "zod";
import { resourceKinds, definitionFor } from "../definitions";
import { lookupFor, lookupKinds, type LookupDefinition } from "../lookup";
import type { ResourceDefinition } from "../resource";
import { packageVersion } from "../version";
import { pluginSettings } from "./config";
import { PACKAGE_NAME, pluginTypeToken } from "./tokens";

export { PACKAGE_NAME } from "./tokens";

/** A property in a Pulumi package schema. */
export interface PropertySpec {
  type?: string;
  $ref?: string;
  items?: PropertySpec;
  additionalProperties?: PropertySpec;
  description?: string;
  secret?: boolean;
  default?: unknown;
  const?: unknown;
}

/** An object type in a Pulumi package schema. */
export interface ObjectTypeSpec {
  type: "object";
  description?: string;
  properties: Record<string, PropertySpec>;
  required?: string[];
}

/** A resource in a Pulumi package schema. */
export interface ResourceSpec extends ObjectTypeSpec {
  inputProperties: Record<string, PropertySpec>;
  requiredInputs: string[];
}

/** A function (an Invoke) in a Pulumi package schema: a lookup. */
export interface FunctionSpec {
  description: string;
  inputs: ObjectTypeSpec;
  outputs: ObjectTypeSpec;
}

/** The package schema (the subset of fields this provider uses). */
export interface PackageSchema {
  name: string;
  version: string;
  displayName: string;
  description: string;
  keywords: string[];
  license: string;
  repository?: string;
  config: { variables: Record<string, PropertySpec> };
  provider: { description: string; inputProperties: Record<string, PropertySpec> };
  types: Record<string, ObjectTypeSpec>;
  resources: Record<string, ResourceSpec>;
  functions: Record<string, FunctionSpec>;
  language: Record<string, unknown>;
  meta: { supportPack: boolean };
}

type JsonSchema = {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
};

/** The resource token of a definition in the plugin: `platform-credentials:<module>:<Type>`. */
export function pluginToken(def: ResourceDefinition): string {
  return pluginTypeToken(`${def.token.module}:${def.token.type}`);
}

function pascal(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

class SchemaBuilder {
  readonly types: Record<string, ObjectTypeSpec> = {};

  constructor(private readonly module: string) {}

  /** Convert one JSON-Schema node; `typeName` names the object type if the node needs one. */
  property(node: JsonSchema, typeName: string, secretPaths: Set<string>, path: string): PropertySpec {
    const spec = this.convert(node, typeName, secretPaths, path);
    // An enum's description already carries the node's own text plus the allowed values: keep it.
    if (node.description && !spec.description) spec.description = node.description;
    if (node.default !== undefined && typeof node.default !== "object") spec.default = node.default;
    if (secretPaths.has(path)) spec.secret = true;
    return spec;
  }

  private convert(node: JsonSchema, typeName: string, secretPaths: Set<string>, path: string): PropertySpec {
    const variants = (node.oneOf ?? node.anyOf ?? []).filter((v) => v.type !== "null");
    if (variants.length === 1 && variants[0]) return this.convert(variants[0], typeName, secretPaths, path);
    if (variants.length > 1) {
      if (variants.every((v) => v.type === "object" || v.properties)) {
        // Pulumi schemas have no tagged unions of object types that every language supports well: merge the
        // variants into one object whose discriminator (`type`) says which fields apply; `check` enforces them.
        const merged: JsonSchema = { type: "object", properties: {}, required: [] };
        const requiredEverywhere = variants
          .map((v) => new Set(v.required ?? []))
          .reduce((a, b) => new Set([...a].filter((k) => b.has(k))));
        for (const v of variants) {
          for (const [k, p] of Object.entries(v.properties ?? {})) {
            const existing = merged.properties![k];
            if (existing && (existing.const !== undefined || existing.enum) && (p.const !== undefined || p.enum)) {
              // The discriminator: every variant describes its own value, so the merged property says them all.
              const values = [...(existing.enum ?? [existing.const]), ...(p.enum ?? [p.const])];
              const descriptions = [existing.description, p.description].filter((d): d is string => !!d);
              merged.properties![k] = {
                type: "string",
                enum: [...new Set(values)],
                ...(descriptions.length ? { description: descriptions.join(" ") } : {}),
              };
            } else if (!existing) {
              merged.properties![k] = p;
            }
          }
        }
        merged.required = [...requiredEverywhere];
        return this.convert(merged, typeName, secretPaths, path);
      }
      // A union of scalars: the first variant's type (the check rules narrow it).
      return this.convert(variants[0]!, typeName, secretPaths, path);
    }
    const type = Array.isArray(node.type) ? node.type.find((t) => t !== "null") : node.type;
    if (node.enum || node.const !== undefined) {
      const values = node.enum ?? [node.const];
      const kind = typeof values[0] === "number" ? "number" : typeof values[0] === "boolean" ? "boolean" : "string";
      const spec: PropertySpec = { type: kind };
      const listing = values.map((v) => `\`${String(v)}\``).join(", ");
      spec.description = node.description ? `${node.description} One of ${listing}.` : `One of ${listing}.`;
      return spec;
    }
    switch (type) {
      case "string":
      case "integer":
      case "number":
      case "boolean":
        return { type };
      case "array":
        return { type: "array", items: this.property(node.items ?? {}, `${typeName}Item`, secretPaths, `${path}[]`) };
      case "object": {
        if (node.properties && Object.keys(node.properties).length > 0) {
          const token = `${PACKAGE_NAME}:${this.module}:${typeName}`;
          const properties: Record<string, PropertySpec> = {};
          for (const [k, p] of Object.entries(node.properties)) {
            properties[k] = this.property(p, `${typeName}${pascal(k)}`, secretPaths, `${path}.${k}`);
          }
          const spec: ObjectTypeSpec = { type: "object", properties };
          if (node.description) spec.description = node.description;
          if (node.required?.length) spec.required = [...node.required];
          this.types[token] = spec;
          return { $ref: `#/types/${token}` };
        }
        const values = typeof node.additionalProperties === "object" ? node.additionalProperties : { type: "string" };
        return {
          type: "object",
          additionalProperties: this.property(values, `${typeName}Value`, secretPaths, `${path}.*`),
        };
      }
      default:
        // zod's `unknown`/`any`: Pulumi's "any" type.
        return { $ref: "pulumi.json#/Any" };
    }
  }
}

function jsonSchemaOf(schema: z.ZodType, io: "input" | "output"): JsonSchema {
  return z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
}

/**
 * Inputs of the definitions that only the dynamic resources have. `account` selects a named account of the stack
 * config there; plugin programs select an account the Pulumi way, with an explicit provider per account (each its own
 * plugin process with its own credentials), so the plugin neither declares nor accepts it (provider.ts `check`).
 */
export const DYNAMIC_ONLY_INPUTS: ReadonlySet<string> = new Set(["account"]);

function resourceSpec(def: ResourceDefinition, builder: SchemaBuilder): ResourceSpec {
  const inputs = jsonSchemaOf(def.inputs, "input");
  const outputs = jsonSchemaOf(def.outputs, "output");
  for (const schema of [inputs, outputs]) {
    for (const name of DYNAMIC_ONLY_INPUTS) delete schema.properties?.[name];
    if (schema.required) schema.required = schema.required.filter((name) => !DYNAMIC_ONLY_INPUTS.has(name));
  }
  const secretInputs = new Set(def.secretInputs.map((p) => `.${p}`));
  const secretOutputs = new Set([...secretInputs, ...def.secretOutputs.map((p) => `.${p}`)]);
  const inputProperties: Record<string, PropertySpec> = {};
  for (const [k, p] of Object.entries(inputs.properties ?? {})) {
    inputProperties[k] = builder.property(p, `${def.token.type}${pascal(k)}`, secretInputs, `.${k}`);
  }
  const properties: Record<string, PropertySpec> = {};
  for (const [k, p] of Object.entries({ ...inputs.properties, ...outputs.properties })) {
    properties[k] = builder.property(p, `${def.token.type}${pascal(k)}`, secretOutputs, `.${k}`);
  }
  return {
    type: "object",
    description: def.description,
    properties,
    required: [...new Set([...(inputs.required ?? []), ...(outputs.required ?? [])])],
    inputProperties,
    requiredInputs: [...(inputs.required ?? [])],
  };
}

/** The function token of a lookup in the plugin: `platform-credentials:<module>:<name>`. */
export function pluginFunctionToken(def: LookupDefinition): string {
  return pluginTypeToken(`${def.token.module}:${def.token.name}`);
}

/**
 * A lookup as a schema function: its arguments (without the dynamic-only `account`: a plugin program picks the
 * account with an explicit provider, as for resources) and its result. Nothing in a lookup is secret.
 */
function functionSpec(def: LookupDefinition, builder: SchemaBuilder): FunctionSpec {
  const typePrefix = pascal(def.token.name);
  const side = (schema: z.ZodType, io: "input" | "output"): ObjectTypeSpec => {
    const json = jsonSchemaOf(schema, io);
    const properties: Record<string, PropertySpec> = {};
    for (const [k, p] of Object.entries(json.properties ?? {})) {
      if (DYNAMIC_ONLY_INPUTS.has(k)) continue;
      properties[k] = builder.property(p, `${typePrefix}${pascal(k)}`, new Set(), `.${k}`);
    }
    const required = (json.required ?? []).filter((k) => !DYNAMIC_ONLY_INPUTS.has(k));
    return { type: "object", properties, ...(required.length ? { required } : {}) };
  };
  return { description: def.description, inputs: side(def.args, "input"), outputs: side(def.result, "output") };
}

/**
 * The provider's settings, one per plugin setting (config.ts, derived from provider/config.ts `settingKeys`): the
 * same specs as stack config variables and as arguments of an explicit provider, credentials marked secret.
 */
function providerConfigSpec(): {
  variables: Record<string, PropertySpec>;
  inputProperties: Record<string, PropertySpec>;
} {
  const variables: Record<string, PropertySpec> = {};
  const inputProperties: Record<string, PropertySpec> = {};
  for (const { name, setting } of pluginSettings) {
    const spec = (): PropertySpec => ({
      type: "string",
      description: `${setting.description} Environment variable when unset: ${setting.env}.`,
      ...(setting.secret ? { secret: true } : {}),
    });
    variables[name] = spec();
    inputProperties[name] = spec();
  }
  return { variables, inputProperties };
}

/** Build the whole package schema from every resource definition. */
export function buildPackageSchema(): PackageSchema {
  const types: Record<string, ObjectTypeSpec> = {};
  const resources: Record<string, ResourceSpec> = {};
  for (const kind of resourceKinds) {
    const def = definitionFor(kind);
    const builder = new SchemaBuilder(def.token.module);
    resources[pluginToken(def)] = resourceSpec(def, builder);
    Object.assign(types, builder.types);
  }
  const functions: Record<string, FunctionSpec> = {};
  for (const kind of lookupKinds) {
    const def = lookupFor(kind)!;
    const builder = new SchemaBuilder(def.token.module);
    functions[pluginFunctionToken(def)] = functionSpec(def, builder);
    Object.assign(types, builder.types);
  }
  const { variables, inputProperties } = providerConfigSpec();
  return {
    name: PACKAGE_NAME,
    version: packageVersion(),
    displayName: "Platform credentials",
    description:
      "Scope3 Interchange storefront source and data-delivery credentials, and Commerce Layer API credentials, " +
      "as Pulumi resources.",
    keywords: ["pulumi", "scope3", "interchange", "commercelayer", "credentials", "kind/native"],
    license: "Apache-2.0",
    config: { variables },
    provider: {
      description:
        `The ${PACKAGE_NAME} provider. The default provider reads the stack config ${PACKAGE_NAME}:<setting> ` +
        "(`pulumi config set --secret platform-credentials:interchangeApiKey ...`); an explicit provider reads its " +
        "arguments, so one program can use several Scope3 customers or Commerce Layer clients, one provider each. " +
        "A setting left unset falls back to its environment variable (SCOPE3_API_KEY, COMMERCELAYER_CLIENT_ID, ...).",
      inputProperties,
    },
    types,
    resources,
    functions,
    language: {
      nodejs: { packageName: "pulumi-platform-credentials-plugin-sdk", respectSchemaVersion: true },
      // pyproject.toml, so `pip install sdk/python` builds the generated package.
      python: { packageName: "pulumi_platform_credentials", respectSchemaVersion: true, pyproject: { enabled: true } },
      csharp: { rootNamespace: "PlatformCredentials", respectSchemaVersion: true },
      // The module a Go program points a `replace` directive at (sdk/go/go.mod, generated because of supportPack).
      go: {
        importBasePath: "github.com/pulumi-platform-credentials/sdk/go/platformcredentials",
        respectSchemaVersion: true,
      },
    },
    // The generators write each SDK as a package of its own (go.mod, pyproject.toml), as `pulumi package add` does.
    meta: { supportPack: true },
  };
}
