/**
 * The denominator of "(this package − floor) / direct": the HTTP work of `pulumi up`, `refresh` and `destroy` of a
 * workload made straight on undici from the bench process, with no engine, no host and no provider code. Each
 * resource gets the fewest calls its operation needs (MINIMUM_CALLS in bench/report.ts: a source credential's create
 * is list, register, list, storefront; a data-delivery credential's is GET advertiser, PUT, GET once the probe is
 * done), as a chain, with {@link ENGINE_PARALLELISM} chains in flight as the engine runs them, in program order, and
 * one Commerce Layer token per command (as each command's provider host gets one). Writes to one advertiser go one
 * at a time (the API replaces the whole list). A probe is read {@link PROBE_DELAY_MS} after its write was answered
 * (then every 50 ms): the platform's time, which no client can skip.
 */
import { Agent, request } from "undici";
import type { EmulatorEndpoints } from "./emulatorProcess";
import { CREDENTIALS, ENGINE_PARALLELISM, PROBE_DELAY_MS, type Workload } from "./workload";
import { setTimeout as sleep } from "node:timers/promises";

/** Runs `work` for every item with at most `limit` in flight, in order. */
export async function inFlight<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

type Item =
  { kind: "source"; index: number } | { kind: "delivery"; index: number } | { kind: "apiCredential"; index: number };

interface DeliveryEntry {
  name: string;
  config: Record<string, unknown>;
}

/** The direct contender of one workload: `up`, `refresh`, `destroy` as the engine would schedule them. */
export class DirectContender {
  private readonly dispatcher = new Agent({ keepAliveTimeout: 30_000, connections: 64 });
  private readonly sourceIds: string[] = [];
  private readonly apiIds: string[] = [];
  private readonly advertiserChains = new Map<string, Promise<unknown>>();
  private readonly items: Item[];

  constructor(
    private readonly endpoints: EmulatorEndpoints,
    private readonly workload: Workload,
  ) {
    this.items = [
      ...workload.sources.map((_, index) => ({ kind: "source" as const, index })),
      ...workload.deliveries.map((_, index) => ({ kind: "delivery" as const, index })),
      ...workload.apiCredentials.map((_, index) => ({ kind: "apiCredential" as const, index })),
    ];
  }

  /** Creates every resource. */
  async up(): Promise<void> {
    const token = await this.token();
    await inFlight(this.items, ENGINE_PARALLELISM, async (item) => {
      if (item.kind === "source") {
        const s = this.workload.sources[item.index]!;
        await this.interchange("GET", "/storefronts/credentials");
        const registered = (await this.interchange(
          "POST",
          `/storefronts/${s.storefrontId}/sources/${s.sourceId}/credentials`,
          { accountIdentifier: s.accountIdentifier, auth: { type: "api_key", token: s.token } },
        )) as { id: string };
        this.sourceIds[item.index] = registered.id;
        await this.interchange("GET", "/storefronts/credentials");
        await this.interchange("GET", `/storefronts/${s.storefrontId}`);
      } else if (item.kind === "delivery") {
        const d = this.workload.deliveries[item.index]!;
        await this.oneAtATime(d.advertiserId, async () => {
          const entries = await this.deliveryEntries(d.advertiserId);
          entries.push({ name: d.credentialName, config: { type: "GCS", bucket: d.bucket } });
          await this.interchange("PUT", `/advertisers/${d.advertiserId}`, { dataDelivery: { credentials: entries } });
        });
        await this.probeOutcome(d.advertiserId, d.credentialName);
      } else {
        const a = this.workload.apiCredentials[item.index]!;
        const created = (await this.commerceLayer(token, "POST", "/api_credentials?include=organization,role", {
          data: {
            type: "api_credentials",
            attributes: { name: a.credentialName, kind: "integration" },
            relationships: {
              organization: { data: { type: "organizations", id: a.organizationId } },
              role: { data: { type: "roles", id: a.roleId } },
            },
          },
        })) as { data: { id: string } };
        this.apiIds[item.index] = created.data.id;
      }
    });
  }

  /** Reads every resource back (a refresh). */
  async refresh(): Promise<void> {
    const token = await this.token();
    await inFlight(this.items, ENGINE_PARALLELISM, async (item) => {
      if (item.kind === "source") {
        const s = this.workload.sources[item.index]!;
        await this.interchange("GET", "/storefronts/credentials");
        await this.interchange("GET", `/storefronts/${s.storefrontId}`);
      } else if (item.kind === "delivery") {
        const d = this.workload.deliveries[item.index]!;
        await this.interchange("GET", `/advertisers/${d.advertiserId}`);
        await this.interchange(
          "POST",
          `/advertisers/${d.advertiserId}/data-delivery-credentials/${d.credentialName}/validate`,
        );
        await this.probeOutcome(d.advertiserId, d.credentialName);
      } else {
        await this.commerceLayer(token, "GET", `/api_credentials/${this.apiIds[item.index]}?include=organization,role`);
      }
    });
  }

  /** Deletes every resource (source credentials cannot be revoked: nothing to call). */
  async destroy(): Promise<void> {
    const token = await this.token();
    await inFlight(this.items, ENGINE_PARALLELISM, async (item) => {
      if (item.kind === "delivery") {
        const d = this.workload.deliveries[item.index]!;
        await this.oneAtATime(d.advertiserId, async () => {
          const entries = (await this.deliveryEntries(d.advertiserId)).filter((e) => e.name !== d.credentialName);
          await this.interchange("PUT", `/advertisers/${d.advertiserId}`, { dataDelivery: { credentials: entries } });
        });
      } else if (item.kind === "apiCredential") {
        await this.commerceLayer(token, "DELETE", `/api_credentials/${this.apiIds[item.index]}`);
      }
    });
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private oneAtATime(advertiserId: string, work: () => Promise<void>): Promise<void> {
    const result = (this.advertiserChains.get(advertiserId) ?? Promise.resolve()).then(work);
    this.advertiserChains.set(
      advertiserId,
      result.catch(() => undefined),
    );
    return result;
  }

  private async deliveryEntries(advertiserId: string): Promise<DeliveryEntry[]> {
    const advertiser = (await this.interchange("GET", `/advertisers/${advertiserId}`)) as {
      dataDelivery?: { credentials?: DeliveryEntry[] };
    };
    return (advertiser.dataDelivery?.credentials ?? []).map((c) => ({ name: c.name, config: c.config }));
  }

  private async probeOutcome(advertiserId: string, name: string): Promise<void> {
    await sleep(PROBE_DELAY_MS);
    for (;;) {
      const advertiser = (await this.interchange("GET", `/advertisers/${advertiserId}`)) as {
        dataDelivery?: { credentials?: { name: string; status: string }[] };
      };
      const status = advertiser.dataDelivery?.credentials?.find((c) => c.name === name)?.status;
      if (status === undefined) throw new Error(`direct: data-delivery credential ${name} is missing`);
      if (status !== "PENDING") return;
      await sleep(50);
    }
  }

  private async interchange(method: string, path: string, body?: unknown): Promise<unknown> {
    const answer = await request(`${this.endpoints.interchangeUrl}${path}`, {
      method: method as "GET",
      dispatcher: this.dispatcher,
      headers: {
        authorization: `Bearer ${CREDENTIALS.interchangeApiKey}`,
        accept: "application/json",
        "content-type": "application/json",
        "user-agent": "bench-direct",
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await answer.body.text();
    if (answer.statusCode >= 300) throw new Error(`direct ${method} ${path} answered ${answer.statusCode}: ${text}`);
    return (JSON.parse(text) as { data: unknown }).data;
  }

  private async token(): Promise<string> {
    if (this.workload.apiCredentials.length === 0) return "";
    const answer = await request(this.endpoints.commerceLayerAuthUrl, {
      method: "POST",
      dispatcher: this.dispatcher,
      headers: { "content-type": "application/json", accept: "application/json", "user-agent": "bench-direct" },
      body: JSON.stringify({
        grant_type: "client_credentials",
        client_id: CREDENTIALS.commerceLayerClientId,
        client_secret: CREDENTIALS.commerceLayerClientSecret,
      }),
    });
    return ((await answer.body.json()) as { access_token: string }).access_token;
  }

  private async commerceLayer(token: string, method: string, path: string, body?: unknown): Promise<unknown> {
    const answer = await request(`${this.endpoints.commerceLayerApiUrl}${path}`, {
      method: method as "GET",
      dispatcher: this.dispatcher,
      headers: {
        authorization: `Bearer ${token}`,
        accept: "application/vnd.api+json",
        "content-type": "application/vnd.api+json",
        "user-agent": "bench-direct",
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await answer.body.text();
    if (answer.statusCode >= 300) throw new Error(`direct ${method} ${path} answered ${answer.statusCode}: ${text}`);
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  }
}
