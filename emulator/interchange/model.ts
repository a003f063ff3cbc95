/**
 * The Interchange platform's seed (what a seed document's `interchange` part holds) and its in-memory state. The
 * state is plain JSON so `GET /_emulator/state` can show it as is; stored secrets are kept (a test double).
 */
import { z } from "zod";

/** How an inventory source authenticates the buyer's account, which decides the `auth` a registration takes. */
export const SOURCE_AUTH_TYPES = ["API_KEY", "JWT", "BASIC_AUTH", "OAUTH", "NONE"] as const;

/** Authentication type of an inventory source. */
export type SourceAuthType = (typeof SOURCE_AUTH_TYPES)[number];

/** Behaviour switches of the Interchange platform (also changed at run time by `POST /_emulator/interchange/settings`). */
export const interchangeSettingsSchema = z
  .object({
    /** Milliseconds a data-delivery probe takes before its outcome is written (default 200). */
    probeDelayMs: z.number().int().min(0).max(600_000),
    /** `async` (default): validate answers PENDING and finishes later; `sync`: validate answers the final status. */
    validateMode: z.enum(["async", "sync"]),
    /** `rotate` (default): re-registering an account replaces its secret; `conflict`: answers 409 CONFLICT. */
    reregistration: z.enum(["rotate", "conflict"]),
    /** Requests per API key per fixed one-minute window (default 100); 0 disables rate limiting. */
    rateLimitPerMinute: z.number().int().min(0),
  })
  .strict();

/** Behaviour switches of the Interchange platform. */
export type InterchangeSettings = z.infer<typeof interchangeSettingsSchema>;

/** Settings used when neither the seed nor the start options give one. */
export const defaultInterchangeSettings: InterchangeSettings = {
  probeDelayMs: 200,
  validateMode: "async",
  reregistration: "rotate",
  rateLimitPerMinute: 100,
};

const customerSeed = z
  .object({
    /** Customer id used everywhere else in the seed (`acme`). */
    id: z.string().min(1),
    name: z.string().min(1),
    /** Whether the customer accepted the Terms of Service; writes answer 403 TOS_ACCEPTANCE_REQUIRED until then. */
    tosAccepted: z.boolean().default(true),
  })
  .strict();

const apiKeySeed = z
  .object({
    /** The bearer token. Keep it short and obviously fake (`scope3_acme_emulatorkey`). */
    key: z.string().min(1),
    customer: z.string().min(1),
    /** Who the key belongs to; shown as `registeredBy` on registrations made with it. */
    user: z.string().min(1),
    /** Admin keys may register marketplace accounts (`marketplaceAccount: true`). */
    admin: z.boolean().default(false),
  })
  .strict();

const sourceSeed = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    /**
     * The agent behind the source. A credential belongs to the agent, so one registration covers every source
     * that agent backs, across storefronts (the list shows them all in `sources`).
     */
    agentId: z.string().min(1),
    authType: z.enum(SOURCE_AUTH_TYPES),
    requiresCredentials: z.boolean().default(true),
  })
  .strict();

const storefrontSeed = z
  .object({
    id: z.number().int().min(1),
    name: z.string().min(1),
    platformId: z.string().min(1),
    publisherDomain: z.string().nullable().default(null),
    /** Customers who can see the storefront; everyone else gets 404. */
    customers: z.array(z.string().min(1)),
    sources: z.array(sourceSeed),
  })
  .strict();

const gcsConfig = z.object({ type: z.literal("GCS"), bucket: z.string().min(1) }).strict();
const s3Config = z.object({ type: z.literal("S3"), bucket: z.string().min(1), region: z.string().min(1) }).strict();
const azureConfig = z
  .object({
    type: z.literal("AZURE_BLOB"),
    storageAccountName: z.string().min(1),
    containerName: z.string().min(1),
    auth: z.object({ mode: z.literal("SAS_TOKEN"), sasToken: z.string().min(1) }).strict(),
  })
  .strict();

/** A data-delivery destination as submitted (the SAS token included, since the emulator must compare re-submissions). */
export const destinationConfigSchema = z.discriminatedUnion("type", [gcsConfig, s3Config, azureConfig]);

/** A data-delivery destination as stored. */
export type DestinationConfig = z.infer<typeof destinationConfigSchema>;

/** Destination types the API shows but cannot create: such credentials are made in the Interchange web app. */
export const WAREHOUSE_TYPES = ["SNOWFLAKE", "DATABRICKS"] as const;

/**
 * The config of a warehouse credential. The contract shows these types only in `destinationType` and defines no
 * config variant for them (emulator choice: `type` plus whatever string fields the seed gives, returned as stored).
 */
export const warehouseConfigSchema = z.object({ type: z.enum(WAREHOUSE_TYPES) }).catchall(z.string());

/** A warehouse credential's config as stored. */
export type WarehouseConfig = z.infer<typeof warehouseConfigSchema>;

/** Any credential's config as stored: a writable destination or a warehouse made in the web app. */
export type StoredCredentialConfig = DestinationConfig | WarehouseConfig;

/** Whether a stored config is a warehouse (SNOWFLAKE, DATABRICKS). */
export function isWarehouse(config: StoredCredentialConfig): config is WarehouseConfig {
  return (WAREHOUSE_TYPES as readonly string[]).includes(config.type);
}

const dataDeliveryCredentialSeed = z
  .object({
    credentialId: z.string().min(1),
    name: z.string().min(1),
    config: z.union([destinationConfigSchema, warehouseConfigSchema]),
    status: z.enum(["PENDING", "VALIDATED", "FAILED"]).default("VALIDATED"),
    statusError: z.string().optional(),
  })
  .strict();

const deliveryConfigSeed = z
  .object({
    type: z.enum(["GCS", "S3", "AZURE_BLOB"]),
    pathPrefix: z.string().default(""),
    format: z.enum(["JSONL", "PARQUET", "CSV"]).default("JSONL"),
  })
  .strict();

/** Kinds of log-level data an output ships. */
export const DATA_DELIVERY_TYPES = [
  "MB_DELIVERY",
  "IMPRESSIONS",
  "CLICKS",
  "VAST_EVENTS",
  "CAPI_ATTRIBUTION",
  "MMP_POSTBACKS",
] as const;

const outputSeed = z
  .object({
    outputConfigId: z.string().min(1),
    dataDeliveryType: z.enum(DATA_DELIVERY_TYPES),
    cadence: z.enum(["HOURLY", "DAILY", "WEEKLY"]),
    enabled: z.boolean().default(true),
    /** Name of a credential of the same advertiser. */
    credentialName: z.string().min(1),
    deliveryConfig: deliveryConfigSeed,
  })
  .strict();

const advertiserSeed = z
  .object({
    id: z.string().min(1),
    customer: z.string().min(1),
    name: z.string().min(1),
    description: z.string().optional(),
    primaryCurrency: z.string().default("USD"),
    dataDelivery: z
      .object({
        credentials: z.array(dataDeliveryCredentialSeed).default([]),
        outputs: z.array(outputSeed).default([]),
      })
      .strict()
      .default({ credentials: [], outputs: [] }),
  })
  .strict();

const sourceCredentialSeed = z
  .object({
    id: z.string().min(1),
    customer: z.string().min(1),
    /** The source it was registered on (its agent decides which sources it covers). */
    storefrontId: z.number().int().min(1),
    sourceId: z.string().min(1),
    accountIdentifier: z.string().min(1),
    accountType: z.enum(["CLIENT", "MARKETPLACE"]).default("CLIENT"),
    status: z.enum(["ACTIVE", "PENDING"]).default("ACTIVE"),
    registeredBy: z.string().nullable().default(null),
  })
  .strict();

/** Schema of the Interchange seed part; `reset(seed)` parses with it (unknown keys rejected, defaults filled). */
export const interchangeSeedSchema = z
  .object({
    customers: z.array(customerSeed).min(1),
    apiKeys: z.array(apiKeySeed),
    storefronts: z.array(storefrontSeed),
    advertisers: z.array(advertiserSeed),
    sourceCredentials: z.array(sourceCredentialSeed).default([]),
    settings: interchangeSettingsSchema.partial().default({}),
  })
  .strict()
  .superRefine((seed, ctx) => {
    const customers = new Set(seed.customers.map((c) => c.id));
    const unknownCustomer = (path: (string | number)[], id: string): void => {
      if (!customers.has(id)) ctx.addIssue({ code: "custom", path, message: `unknown customer "${id}"` });
    };
    seed.apiKeys.forEach((k, i) => unknownCustomer(["apiKeys", i, "customer"], k.customer));
    seed.storefronts.forEach((s, i) =>
      s.customers.forEach((c, j) => unknownCustomer(["storefronts", i, "customers", j], c)),
    );
    seed.advertisers.forEach((a, i) => {
      unknownCustomer(["advertisers", i, "customer"], a.customer);
      const names = new Set(a.dataDelivery.credentials.map((c) => c.name));
      a.dataDelivery.outputs.forEach((o, j) => {
        if (!names.has(o.credentialName)) {
          ctx.addIssue({
            code: "custom",
            path: ["advertisers", i, "dataDelivery", "outputs", j, "credentialName"],
            message: `no credential named "${o.credentialName}" on this advertiser`,
          });
        }
      });
    });
    seed.sourceCredentials.forEach((c, i) => {
      unknownCustomer(["sourceCredentials", i, "customer"], c.customer);
      const storefront = seed.storefronts.find((s) => s.id === c.storefrontId);
      if (!storefront?.sources.some((s) => s.id === c.sourceId)) {
        ctx.addIssue({
          code: "custom",
          path: ["sourceCredentials", i, "sourceId"],
          message: "unknown storefront source",
        });
      }
    });
  });

/** The Interchange part of a seed document, as written in JSON (defaults filled in by `reset`). */
export type InterchangeSeed = z.input<typeof interchangeSeedSchema>;

/** A seed part after parsing. */
export type ParsedInterchangeSeed = z.output<typeof interchangeSeedSchema>;

/** A customer (a buyer organization). */
export type Customer = z.output<typeof customerSeed>;
/** An API key and whom it authenticates. */
export type ApiKey = z.output<typeof apiKeySeed>;
/** A storefront and its inventory sources. */
export type Storefront = z.output<typeof storefrontSeed>;
/** An inventory source of a storefront. */
export type InventorySource = z.output<typeof sourceSeed>;

/** The secret part of a source registration, as submitted (kept: the state endpoint may show it). */
export type StoredSourceAuth = Record<string, unknown> | null;

/** A registered source credential (`GET /storefronts/credentials` row, plus what the API never shows). */
export interface SourceCredential {
  id: string;
  customer: string;
  agentId: string;
  /** Where it was first registered; its agent decides which sources it covers. */
  storefrontId: number;
  sourceId: string;
  accountIdentifier: string;
  accountType: "CLIENT" | "MARKETPLACE";
  status: "ACTIVE" | "PENDING";
  registeredBy: string | null;
  createdAt: string;
  updatedAt: string;
  auth: StoredSourceAuth;
  /** Consent token encoded in the OAuth authorization URL while PENDING. */
  consentToken?: string;
  /** The agent was unlinked from every source out of band (`sources: []`). */
  orphaned: boolean;
}

/** A data-delivery credential as stored (the SAS token included; it is never returned by the API). */
export interface DataDeliveryCredentialRecord {
  credentialId: string;
  name: string;
  config: StoredCredentialConfig;
  status: "PENDING" | "VALIDATED" | "FAILED";
  statusError?: string;
  validatedAt?: string;
  expiresAt?: string;
  createdAt: string;
  updatedAt: string;
  /** Bumped whenever a probe starts, so a stale probe never overwrites a newer one. */
  probeGeneration: number;
  archivedAt?: string;
}

/** A standing data-delivery output (LLD subscription) of an advertiser. */
export interface DataDeliveryOutputRecord {
  outputConfigId: string;
  dataDeliveryType: (typeof DATA_DELIVERY_TYPES)[number];
  cadence: "HOURLY" | "DAILY" | "WEEKLY";
  syncWeeklyDay?: number;
  enabled: boolean;
  credentialId: string;
  credentialName: string;
  deliveryConfig: { type: "GCS" | "S3" | "AZURE_BLOB"; pathPrefix: string; format: "JSONL" | "PARQUET" | "CSV" };
  createdAt: string;
  updatedAt: string;
}

/** An advertiser and its data-delivery configuration. */
export interface AdvertiserRecord {
  id: string;
  customer: string;
  name: string;
  description?: string;
  brand?: string;
  optimizationApplyMode: "AUTO" | "MANUAL";
  primaryCurrency: string;
  utmConfig: { paramKey: string; paramValue: string }[];
  createdAt: string;
  updatedAt: string;
  credentials: DataDeliveryCredentialRecord[];
  archivedCredentials: DataDeliveryCredentialRecord[];
  outputs: DataDeliveryOutputRecord[];
}

/** The whole Interchange state. */
export interface InterchangeState {
  settings: InterchangeSettings;
  customers: Customer[];
  apiKeys: ApiKey[];
  storefronts: Storefront[];
  advertisers: AdvertiserRecord[];
  sourceCredentials: SourceCredential[];
  /** Destinations (`bucket`, or `account/container`) whose grant to Scope3 was removed: probes of them fail. */
  deniedDestinations: string[];
  /** Next numeric id handed out (ids are numeric strings, stable after a reset). */
  nextId: number;
}
