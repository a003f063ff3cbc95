/**
 * What every benchmarked stack holds: the same realistic mix at every size (75 % storefront source credentials over
 * several storefronts, 15 % data-delivery credentials over several advertisers, 10 % Commerce Layer API credentials),
 * the emulator seed that makes room for it, and the engine parallelism the bench assumes. Shared by the program
 * generator (bench/projects.ts), the direct undici contender (bench/direct.ts) and the emulator process.
 */
import { availableParallelism } from "node:os";
import { defaultSeed, type SeedDocument } from "../emulator/seed";

/** Storefronts of the bench seed: each with one API-key source of its own agent, visible to acme. */
export const BENCH_STOREFRONTS: readonly { storefrontId: number; sourceId: string }[] = [
  { storefrontId: 101, sourceId: "src_apikey" },
  { storefrontId: 103, sourceId: "src_bench3" },
  { storefrontId: 104, sourceId: "src_bench4" },
  { storefrontId: 105, sourceId: "src_bench5" },
  { storefrontId: 106, sourceId: "src_bench6" },
];

/** Data-delivery credentials per advertiser (the API allows 20; writes to one advertiser are serialized). */
export const CREDENTIALS_PER_ADVERTISER = 6;
/** Acme advertisers of the bench seed, without data delivery: enough for 800 resources. */
export const BENCH_ADVERTISERS: readonly string[] = Array.from({ length: 24 }, (_, i) => String(30001 + i));

/** The acme Interchange key and the Commerce Layer client of the default seed. */
export const CREDENTIALS = {
  interchangeApiKey: "scope3_acme_emulatorkey",
  commerceLayerClientId: "cl-emulator-client",
  commerceLayerClientSecret: "cl-emulator-secret",
  organizationId: "BlueBrnd01",
  roleId: "BlueRead01",
} as const;

/**
 * Resource operations the engine runs at once: `pulumi up/refresh/destroy --parallel` defaults to 4 × the CPUs Go
 * sees (8 on the bench's 2-core machines, as `pulumi up --help` says). The direct contender uses the same.
 */
export const ENGINE_PARALLELISM = 4 * availableParallelism();

/** A storefront source credential of the workload. */
export interface SourceSpec {
  readonly name: string;
  readonly storefrontId: number;
  readonly sourceId: string;
  readonly accountIdentifier: string;
  readonly token: string;
}

/** A data-delivery credential of the workload (GCS, so the probe validates). */
export interface DeliverySpec {
  readonly name: string;
  readonly advertiserId: string;
  readonly credentialName: string;
  readonly bucket: string;
}

/** A Commerce Layer API credential of the workload (integration, acting as a role). */
export interface ApiCredentialSpec {
  readonly name: string;
  readonly organizationId: string;
  readonly credentialName: string;
  readonly roleId: string;
}

/** One stack's resources. */
export interface Workload {
  readonly size: number;
  readonly sources: readonly SourceSpec[];
  readonly deliveries: readonly DeliverySpec[];
  readonly apiCredentials: readonly ApiCredentialSpec[];
}

const pad = (i: number): string => String(i).padStart(3, "0");

/**
 * The mix at `size` resources (200: 150 source credentials over 5 storefronts, 30 data-delivery credentials over
 * 5 advertisers, 20 Commerce Layer credentials). `tag` makes accounts and names unique to a contender.
 */
export function workload(size: number, tag: string): Workload {
  const deliveries = Math.round(size * 0.15);
  const apiCredentials = Math.round(size * 0.1);
  return mix({ sources: size - deliveries - apiCredentials, deliveries, apiCredentials }, tag);
}

/** A workload with these many resources of each kind. */
export function mix(counts: { sources: number; deliveries: number; apiCredentials: number }, tag: string): Workload {
  if (Math.ceil(counts.deliveries / CREDENTIALS_PER_ADVERTISER) > BENCH_ADVERTISERS.length) {
    throw new Error(`${counts.deliveries} data-delivery credentials need more advertisers than the bench seed has`);
  }
  return {
    size: counts.sources + counts.deliveries + counts.apiCredentials,
    sources: Array.from({ length: counts.sources }, (_, i) => {
      const where = BENCH_STOREFRONTS[i % BENCH_STOREFRONTS.length]!;
      return {
        name: `source-${pad(i)}`,
        ...where,
        accountIdentifier: `${tag}-account-${pad(i)}`,
        token: `${tag}-token-${pad(i)}`,
      };
    }),
    deliveries: Array.from({ length: counts.deliveries }, (_, i) => ({
      name: `delivery-${pad(i)}`,
      advertiserId: BENCH_ADVERTISERS[Math.floor(i / CREDENTIALS_PER_ADVERTISER)]!,
      credentialName: `${tag}-lld-${pad(i)}`,
      bucket: `${tag}-lld-${pad(i)}`,
    })),
    apiCredentials: Array.from({ length: counts.apiCredentials }, (_, i) => ({
      name: `api-${pad(i)}`,
      organizationId: CREDENTIALS.organizationId,
      credentialName: `${tag}-integration-${pad(i)}`,
      roleId: CREDENTIALS.roleId,
    })),
  };
}

/** Emulator settings of every benchmark: no rate limits (the limiters are not what is measured), 200 ms probes. */
export const PROBE_DELAY_MS = 200;

/** The default seed plus the bench's storefronts and advertisers, rate limits off. */
export function benchSeed(): SeedDocument {
  const seed = structuredClone(defaultSeed);
  const interchange = seed.interchange!;
  for (const { storefrontId, sourceId } of BENCH_STOREFRONTS) {
    if (interchange.storefronts.some((s) => s.id === storefrontId)) continue;
    interchange.storefronts.push({
      id: storefrontId,
      name: `Bench Storefront ${storefrontId}`,
      platformId: `bench-${storefrontId}`,
      publisherDomain: `bench-${storefrontId}.example`,
      customers: ["acme"],
      sources: [
        { id: sourceId, name: `Bench Exchange ${storefrontId}`, agentId: `agent-${sourceId}`, authType: "API_KEY" },
      ],
    });
  }
  for (const id of BENCH_ADVERTISERS) interchange.advertisers.push({ id, customer: "acme", name: `Bench ${id}` });
  interchange.settings = { ...interchange.settings, rateLimitPerMinute: 0, probeDelayMs: PROBE_DELAY_MS };
  const commercelayer = seed.commercelayer!;
  commercelayer.settings = { ...commercelayer.settings, rateLimitPerInterval: 0 };
  return seed;
}
