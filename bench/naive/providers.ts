/**
 * The peer baseline: the three resources written the way the Pulumi docs' dynamic-provider examples are written,
 * doing the same HTTP work as this package. Each provider object is serialized by value (the file is copied into the
 * bench project, outside node_modules); every method builds its requests with the global `fetch`, asks for a fresh
 * Commerce Layer token on every call, lists every source credential on every read, and reads its settings from the
 * environment. Data-delivery writes to one advertiser go one at a time through a promise chain in the host process
 * (without it, two writes in flight lose each other's entry: the API replaces the whole list). No retries, no
 * reconciliation, no shared reads, no secret handling: "the usual way", measured through the same engine.
 * Probes are polled every 300 ms, the same first wait as this package's (FIRST_PROBE_POLL_MS).
 */
import * as pulumi from "@pulumi/pulumi";

/** A Scope3 Interchange answer (`{data, error}`). */
interface Envelope<T> {
  data: T;
}

interface RemoteSourceCredential {
  id: string;
  accountIdentifier: string;
  status: string;
  updatedAt: string;
  sources: { storefrontId: number; sourceId: string }[];
}

interface RemoteDeliveryCredential {
  credentialId: string;
  name: string;
  status: string;
  config: Record<string, unknown>;
}

interface RemoteAdvertiser {
  dataDelivery?: { credentials?: RemoteDeliveryCredential[] };
}

async function interchange<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${process.env["INTERCHANGE_BASE_URL"] ?? ""}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${process.env["SCOPE3_API_KEY"] ?? ""}`,
      accept: "application/json",
      "content-type": "application/json",
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as Envelope<T>).data;
}

const naiveSourceProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    const before = await interchange<RemoteSourceCredential[]>("GET", "/storefronts/credentials");
    const onSource = (c: RemoteSourceCredential) =>
      c.accountIdentifier === inputs.accountIdentifier &&
      c.sources.some((s) => s.storefrontId === inputs.storefrontId && s.sourceId === inputs.sourceId);
    if (before.some(onSource)) throw new Error(`${inputs.accountIdentifier} is already registered`);
    const registered = await interchange<{ id: string }>(
      "POST",
      `/storefronts/${inputs.storefrontId}/sources/${inputs.sourceId}/credentials`,
      { accountIdentifier: inputs.accountIdentifier, auth: { type: "api_key", token: inputs.token } },
    );
    const after = await interchange<RemoteSourceCredential[]>("GET", "/storefronts/credentials");
    const credential = after.find((c) => c.id === registered.id);
    const storefront = await interchange<{ connected: boolean }>("GET", `/storefronts/${inputs.storefrontId}`);
    return {
      id: registered.id,
      outs: {
        ...inputs,
        status: credential?.status,
        updatedAt: credential?.updatedAt,
        connected: storefront.connected,
      },
    };
  },
  async read(id, props) {
    const all = await interchange<RemoteSourceCredential[]>("GET", "/storefronts/credentials");
    const credential = all.find((c) => c.id === id);
    if (!credential) throw new Error(`source credential ${id} is gone`);
    const storefront = await interchange<{ connected: boolean }>("GET", `/storefronts/${props.storefrontId}`);
    return {
      id,
      props: { ...props, status: credential.status, updatedAt: credential.updatedAt, connected: storefront.connected },
    };
  },
  async delete() {
    // Interchange has no revoke: the registration stays.
  },
};

/** One write at a time per advertiser in this host process. */
function oneAtATime<T>(advertiserId: string, work: () => Promise<T>): Promise<T> {
  const chains = ((globalThis as { naiveAdvertiserChains?: Map<string, Promise<unknown>> }).naiveAdvertiserChains ??=
    new Map());
  const result = (chains.get(advertiserId) ?? Promise.resolve()).then(work);
  chains.set(
    advertiserId,
    result.catch(() => undefined),
  );
  return result;
}

async function deliveryCredentials(advertiserId: string): Promise<RemoteDeliveryCredential[]> {
  const advertiser = await interchange<RemoteAdvertiser>("GET", `/advertisers/${advertiserId}`);
  return advertiser.dataDelivery?.credentials ?? [];
}

async function putDeliveryCredentials(advertiserId: string, entries: unknown[]): Promise<void> {
  await interchange("PUT", `/advertisers/${advertiserId}`, { dataDelivery: { credentials: entries } });
}

async function waitForProbe(advertiserId: string, name: string): Promise<RemoteDeliveryCredential> {
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const credential = (await deliveryCredentials(advertiserId)).find((c) => c.name === name);
    if (!credential) throw new Error(`data-delivery credential ${name} is gone`);
    if (credential.status !== "PENDING") return credential;
  }
}

const naiveDeliveryProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    await oneAtATime(inputs.advertiserId, async () => {
      const current = await deliveryCredentials(inputs.advertiserId);
      const entries = current.map((c) => ({ name: c.name, config: c.config }));
      entries.push({ name: inputs.name, config: { type: "GCS", bucket: inputs.bucket } });
      await putDeliveryCredentials(inputs.advertiserId, entries);
    });
    const credential = await waitForProbe(inputs.advertiserId, inputs.name);
    return { id: credential.credentialId, outs: { ...inputs, status: credential.status } };
  },
  async read(id, props) {
    await deliveryCredentials(props.advertiserId);
    await interchange("POST", `/advertisers/${props.advertiserId}/data-delivery-credentials/${props.name}/validate`);
    const credential = await waitForProbe(props.advertiserId, props.name);
    return { id, props: { ...props, status: credential.status } };
  },
  async delete(_id, props) {
    await oneAtATime(props.advertiserId, async () => {
      const current = await deliveryCredentials(props.advertiserId);
      const entries = current.filter((c) => c.name !== props.name).map((c) => ({ name: c.name, config: c.config }));
      await putDeliveryCredentials(props.advertiserId, entries);
    });
  },
};

async function commerceLayerToken(): Promise<string> {
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

interface JsonApiDocument {
  data: { id: string; attributes: Record<string, string> };
}

async function commerceLayer(method: string, path: string, body?: unknown): Promise<JsonApiDocument> {
  const token = await commerceLayerToken();
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

const naiveApiCredentialProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    const document = await commerceLayer("POST", "/api_credentials?include=organization,role", {
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
    return { id: document.data.id, outs: { ...inputs, clientId: attributes["client_id"] } };
  },
  async read(id, props) {
    const document = await commerceLayer("GET", `/api_credentials/${id}?include=organization,role`);
    return { id, props: { ...props, name: document.data.attributes["name"] } };
  },
  async delete(id) {
    await commerceLayer("DELETE", `/api_credentials/${id}`);
  },
};

/** Inputs of {@link NaiveSourceCredential}. */
export interface NaiveSourceCredentialArgs {
  /** Storefront id. */
  storefrontId: pulumi.Input<number>;
  /** Source id. */
  sourceId: pulumi.Input<string>;
  /** Account identifier. */
  accountIdentifier: pulumi.Input<string>;
  /** The source's API key for the account. */
  token: pulumi.Input<string>;
}

/** A storefront source credential, the docs' way. */
export class NaiveSourceCredential extends pulumi.dynamic.Resource {
  /** Declares the credential. */
  constructor(name: string, args: NaiveSourceCredentialArgs, opts?: pulumi.CustomResourceOptions) {
    super(naiveSourceProvider, name, { ...args }, opts, "bench", "NaiveSourceCredential");
  }
}

/** Inputs of {@link NaiveDeliveryCredential}. */
export interface NaiveDeliveryCredentialArgs {
  /** Advertiser id. */
  advertiserId: pulumi.Input<string>;
  /** Credential name. */
  name: pulumi.Input<string>;
  /** GCS bucket. */
  bucket: pulumi.Input<string>;
}

/** A data-delivery credential (GCS), the docs' way. */
export class NaiveDeliveryCredential extends pulumi.dynamic.Resource {
  /** Declares the credential. */
  constructor(name: string, args: NaiveDeliveryCredentialArgs, opts?: pulumi.CustomResourceOptions) {
    super(naiveDeliveryProvider, name, { ...args }, opts, "bench", "NaiveDeliveryCredential");
  }
}

/** Inputs of {@link NaiveApiCredential}. */
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

/** A Commerce Layer API credential, the docs' way. */
export class NaiveApiCredential extends pulumi.dynamic.Resource {
  /** Declares the credential. */
  constructor(name: string, args: NaiveApiCredentialArgs, opts?: pulumi.CustomResourceOptions) {
    super(naiveApiCredentialProvider, name, { ...args }, opts, "bench", "NaiveApiCredential");
  }
}
