/**
 * Conformance checks against the vendors' own OpenAPI documents (emulator/contracts/, copies of
 * ../shared/api/). Every emulator response a test looks at, and every request body our clients send, is
 * validated here with Ajv; a mismatch throws with the schema errors.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { parse } from "yaml";

export type Api = "interchange" | "commercelayer";

const files: Record<Api, string> = {
  interchange: "interchange-buyer.openapi.yml",
  commercelayer: "commercelayer-provisioning.openapi.yml",
};

/** Prefix of each API's paths as the emulator serves them (the documents' `paths` are relative to it). */
export const API_PREFIX: Record<Api, string> = {
  interchange: "/api/v2/buyer",
  commercelayer: "/api",
};

// The documents are OpenAPI 3.0: Ajv understands `nullable` itself, but its `discriminator` support rejects
// `mapping`, so drop the keyword (the `oneOf` it annotates still validates). Two more 3.0 dialect points Ajv
// refuses: `nullable` without `type` (on `allOf` wrappers: becomes `anyOf [schema, null]`) and the boolean
// `exclusiveMinimum`/`exclusiveMaximum` (become the numeric draft-07 keywords).
function stripDiscriminators(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripDiscriminators);
  if (node && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (k !== "discriminator") out[k] = stripDiscriminators(v);
    for (const [flag, bound] of [
      ["exclusiveMinimum", "minimum"],
      ["exclusiveMaximum", "maximum"],
    ] as const) {
      if (typeof out[flag] === "boolean") {
        if (out[flag] === true && typeof out[bound] === "number") out[flag] = out[bound];
        else delete out[flag];
        if (typeof out[flag] === "number") delete out[bound];
      }
    }
    if (out.nullable === true && out.type === undefined) {
      const { nullable: _nullable, ...rest } = out;
      return { anyOf: [rest, { type: "null" }] };
    }
    return out;
  }
  return node;
}

interface Doc {
  paths: Record<string, Record<string, Operation>>;
}
interface Operation {
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { content?: Record<string, { schema: unknown }> }>;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
const docs = new Map<Api, Doc>();
const compiled = new Map<string, ValidateFunction>();

function doc(api: Api): Doc {
  let d = docs.get(api);
  if (!d) {
    const text = readFileSync(join(__dirname, "..", "..", "emulator", "contracts", files[api]), "utf8");
    d = stripDiscriminators(parse(text)) as Doc;
    ajv.addSchema(d as object, api);
    docs.set(api, d);
  }
  return d;
}

function validator(key: string): ValidateFunction {
  let v = compiled.get(key);
  if (!v) {
    // Schemas inside the document use local `#/components/...` refs: resolve them against the document.
    v = ajv.compile({ $ref: key });
    compiled.set(key, v);
  }
  return v;
}

function pointerEscape(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

function operation(api: Api, method: string, template: string): { op: Operation; pointer: string } {
  const d = doc(api);
  const m = method.toLowerCase();
  const op = d.paths[template]?.[m];
  if (!op) throw new Error(`${api} contract has no operation ${method} ${template}`);
  return { op, pointer: `${api}#/paths/${pointerEscape(template)}/${m}` };
}

function check(v: ValidateFunction, value: unknown, what: string): void {
  if (!v(value)) {
    throw new Error(`${what} does not match the contract:\n${ajv.errorsText(v.errors, { separator: "\n" })}`);
  }
}

const interchangeError = "interchange#/components/schemas/ErrorResponse";

/**
 * Validate a response body against the contract. `template` is the document's path (without the API prefix),
 * e.g. `/storefronts/{storefrontId}`. Interchange success bodies may be enveloped (`{data, error: null}`):
 * the envelope's `data` is validated against the operation's schema (the spec describes the payload only);
 * Interchange errors are validated against `ErrorResponse`. Commerce Layer documents are validated whole.
 */
export function assertResponseMatches(api: Api, method: string, template: string, status: number, body: unknown): void {
  const what = `${api} ${method} ${template} → ${status}`;
  doc(api); // the error schemas below are referenced inside the document, which must be registered first
  if (api === "interchange" && status >= 400) {
    check(validator(interchangeError), body, what);
    return;
  }
  if (api === "commercelayer" && status >= 400) {
    check(validator("cl-errors"), body, what);
    return;
  }
  const { op, pointer } = operation(api, method, template);
  const response = op.responses[String(status)];
  if (!response) throw new Error(`${what}: the contract documents no ${status} response`);
  const contentType = Object.keys(response.content ?? {})[0];
  if (!contentType) {
    if (body !== undefined && body !== "" && body !== null) throw new Error(`${what}: the contract documents no body`);
    return;
  }
  let payload = body;
  if (api === "interchange" && body && typeof body === "object" && !Array.isArray(body) && "data" in body) {
    const env = body as { data: unknown; error: unknown };
    if (env.error !== null) throw new Error(`${what}: success envelope carries an error`);
    payload = env.data;
  }
  const key = `${pointer}/responses/${status}/content/${pointerEscape(contentType)}/schema`;
  check(validator(key), payload, what);
}

/** Validate a request body against the operation's request schema. */
export function assertRequestMatches(api: Api, method: string, template: string, body: unknown): void {
  const { op, pointer } = operation(api, method, template);
  const contentType = Object.keys(op.requestBody?.content ?? {})[0];
  if (!contentType) throw new Error(`${api} ${method} ${template}: the contract documents no request body`);
  const key = `${pointer}/requestBody/content/${pointerEscape(contentType)}/schema`;
  check(validator(key), body, `${api} request ${method} ${template}`);
}

// Commerce Layer's error document is described in its docs, not in the reduced OpenAPI file (API.md §2).
ajv.addSchema(
  {
    type: "object",
    required: ["errors"],
    properties: {
      errors: {
        type: "array",
        minItems: 1,
        items: {
          type: "object",
          required: ["title", "detail", "code", "status"],
          properties: {
            title: { type: "string" },
            detail: { type: "string" },
            code: { type: "string" },
            status: { type: "string", pattern: "^[1-5][0-9][0-9]$" },
            source: { type: "object", properties: { pointer: { type: "string" } } },
            meta: { type: "object" },
          },
        },
      },
    },
  },
  "cl-errors",
);
