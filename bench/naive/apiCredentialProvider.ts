/**
 * The peer baseline: a Commerce Layer API credential as a dynamic provider written the way the Pulumi docs' dynamic
 * provider examples are written. The provider object is serialized by value (it lives outside node_modules), every
 * method builds its request with the global `fetch` (no shared pool, no keep-alive tuning), asks for a fresh OAuth
 * token on every call, and reads its settings from the environment. No retries, no reconciliation, no secret
 * handling: it exists only to measure what "the usual way" costs through the same host.
 */
import * as pulumi from "@pulumi/pulumi";

/** Inputs of the naive resource (the same attributes the product's resource sends). */
export interface NaiveApiCredentialArgs {
  /** Organization id. */
  organizationId: pulumi.Input<string>;
  /** Credential name. */
  name: pulumi.Input<string>;
  /** Credential kind (`integration`). */
  kind: pulumi.Input<string>;
  /** Role id. */
  roleId: pulumi.Input<string>;
}

/** The part of a JSON:API answer the naive provider reads. */
interface JsonApiDocument {
  data: { id: string; attributes: Record<string, string> };
}

async function naiveToken(): Promise<string> {
  const response = await fetch(process.env["COMMERCELAYER_AUTH_URL"] ?? "", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({
      grant_type: "client_credentials",
      client_id: process.env["COMMERCELAYER_CLIENT_ID"],
      client_secret: process.env["COMMERCELAYER_CLIENT_SECRET"],
    }),
  });
  if (!response.ok) throw new Error(`token request failed: ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function naiveCall(method: string, path: string, body?: unknown): Promise<JsonApiDocument> {
  const token = await naiveToken();
  const response = await fetch(`${process.env["COMMERCELAYER_BASE_URL"] ?? ""}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      accept: "application/vnd.api+json",
      "content-type": "application/vnd.api+json",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} failed: ${response.status}`);
  return response.status === 204 ? ({} as JsonApiDocument) : ((await response.json()) as JsonApiDocument);
}

const naiveProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    const document = await naiveCall("POST", "/api_credentials", {
      data: {
        type: "api_credentials",
        attributes: { name: inputs.name, kind: inputs.kind },
        relationships: {
          organization: { data: { type: "organizations", id: inputs.organizationId } },
          role: { data: { type: "roles", id: inputs.roleId } },
        },
      },
    });
    const attributes = document.data.attributes;
    return { id: document.data.id, outs: { ...inputs, clientId: attributes.client_id } };
  },
  async read(id, props) {
    const document = await naiveCall("GET", `/api_credentials/${id}`);
    return { id, props: { ...props, name: document.data.attributes.name } };
  },
  async update(id, _olds, news) {
    await naiveCall("PATCH", `/api_credentials/${id}`, {
      data: { type: "api_credentials", id, attributes: { name: news.name } },
    });
    return { outs: news };
  },
  async delete(id) {
    await naiveCall("DELETE", `/api_credentials/${id}`);
  },
};

/** The naive resource, as the docs' examples declare one. */
export class NaiveApiCredential extends pulumi.dynamic.Resource {
  /** The credential's client id. */
  declare readonly clientId: pulumi.Output<string>;

  /** Declares the credential. */
  constructor(name: string, args: NaiveApiCredentialArgs, opts?: pulumi.CustomResourceOptions) {
    super(naiveProvider, name, { ...args, clientId: undefined }, opts, "bench", "NaiveApiCredential");
  }
}
