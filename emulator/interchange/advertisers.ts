/**
 * Advertisers and their data-delivery credentials. The credentials have no endpoint of their own:
 * `PUT /advertisers/{advertiserId}` with `dataDelivery.credentials` replaces every live credential by name
 * (left-out entries archived, `[]` archives all, an omitted key leaves them alone), and
 * `POST .../data-delivery-credentials/{name}/validate` re-runs the probe.
 */
import { z } from "zod";
import type { EmulatorResponse } from "../framework";
import type { InterchangeCall } from "./access";
import {
  InterchangeFailure,
  issuesOf,
  parseJsonBody,
  success,
  validationFailure,
  type ValidationIssue,
} from "./envelope";
import type {
  AdvertiserRecord,
  DataDeliveryCredentialRecord,
  DataDeliveryOutputRecord,
  DestinationConfig,
  StoredCredentialConfig,
} from "./model";
import { DATA_DELIVERY_TYPES, isWarehouse } from "./model";
import { probeOutcome, sasExpiry } from "./probes";
import type { InterchangeStore } from "./store";

/** Most live data-delivery credentials (and outputs) an advertiser may have. */
export const MAX_DATA_DELIVERY_CREDENTIALS = 20;

const namePattern = /^[a-zA-Z0-9][a-zA-Z0-9_-]*$/;
const nameMessage = "must start with a letter or digit and contain only letters, digits, _ and -";
const credentialName = z
  .string({ error: "is required" })
  .min(1, "must not be empty")
  .max(64, "must be at most 64 characters")
  .regex(namePattern, nameMessage);

const stringField = (what: string) => ({
  error: (issue: { input: unknown }) =>
    issue.input === undefined ? `${what} is required` : `${what} must be a string`,
});

const gcsInput = z.object({
  type: z.literal("GCS"),
  bucket: z
    .string(stringField("bucket"))
    // The contract's bounds (GcsCredentialConfig.bucket: 1–222); its pattern makes 2 the shortest that passes.
    .min(1, "bucket must be 1–222 characters")
    .max(222, "bucket must be 1–222 characters")
    .regex(/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/, "bucket must be lower-case letters, digits, '.', '_' or '-'"),
});
const s3Input = z.object({
  type: z.literal("S3"),
  bucket: z
    .string(stringField("bucket"))
    .min(3, "bucket must be 3–63 characters")
    .max(63, "bucket must be 3–63 characters")
    .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, "bucket must be lower-case letters, digits, '.' or '-'"),
  region: z
    .string(stringField("region"))
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, "region must be an AWS region such as us-east-1"),
});
const azureInput = z.object({
  type: z.literal("AZURE_BLOB"),
  storageAccountName: z
    .string(stringField("storageAccountName"))
    .min(3, "storageAccountName must be 3–24 characters")
    .max(24, "storageAccountName must be 3–24 characters")
    .regex(/^[a-z0-9]+$/, "storageAccountName must be lower-case letters and digits"),
  containerName: z
    .string(stringField("containerName"))
    .min(3, "containerName must be 3–63 characters")
    .max(63, "containerName must be 3–63 characters")
    .regex(
      /^(?!.*--)[a-z0-9][a-z0-9-]*[a-z0-9]$/,
      "containerName must be lower-case letters, digits and single dashes",
    ),
  auth: z.object(
    {
      mode: z.literal("SAS_TOKEN", { error: 'mode must be "SAS_TOKEN"' }),
      // The token is never returned, so a client re-sending siblings must still hold it.
      sasToken: z
        .string({
          error: (issue) =>
            issue.input === undefined
              ? "sasToken is required on every submission (the API never returns it): re-send the SAS token"
              : "sasToken must be a string",
        })
        .min(1, "sasToken must not be empty")
        .max(4096, "sasToken must be at most 4096 characters"),
    },
    { error: 'auth is required: send {"mode": "SAS_TOKEN", "sasToken": ...} on every submission' },
  ),
});
const configInput = z.discriminatedUnion("type", [gcsInput, s3Input, azureInput], {
  error: (issue) =>
    issue.code === "invalid_union" ? "config.type must be GCS, S3 or AZURE_BLOB" : "config must be an object",
});

const credentialInput = z.object({ name: credentialName, config: configInput });

const outputInput = z.object({
  dataDeliveryType: z.enum(DATA_DELIVERY_TYPES),
  cadence: z.enum(["HOURLY", "DAILY", "WEEKLY"]),
  syncWeeklyDay: z.number().int().min(0).max(6).optional(),
  enabled: z.boolean().default(true),
  credentialName,
  deliveryConfig: z.object({
    type: z.enum(["GCS", "S3", "AZURE_BLOB"]),
    pathPrefix: z.string().max(1024).default(""),
    format: z.enum(["JSONL", "PARQUET", "CSV"]).default("JSONL"),
  }),
});

const updateAdvertiserBody = z.object(
  {
    name: z.string().min(1).max(255).optional(),
    description: z.string().max(1000).optional(),
    brand: z.string().min(1).optional(),
    saveBrand: z.boolean().optional(),
    linkedAccounts: z
      .array(
        z.object({
          storefrontId: z.number().int().min(1),
          sourceId: z.string().min(1),
          accountId: z.string().min(1),
          credentialId: z.string().optional(),
          billingType: z.string().optional(),
        }),
      )
      .optional(),
    optimizationApplyMode: z.enum(["AUTO", "MANUAL"]).optional(),
    primaryCurrency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, "must be an ISO 4217 code such as USD")
      .optional(),
    utmConfig: z
      .array(
        z.object({
          paramKey: z.string().regex(/^[a-zA-Z0-9_-]{1,100}$/),
          paramValue: z.string().min(1).max(200),
        }),
      )
      .max(20)
      .optional(),
    dataDelivery: z
      .object({
        credentials: z
          .array(credentialInput)
          .max(
            MAX_DATA_DELIVERY_CREDENTIALS,
            `at most ${MAX_DATA_DELIVERY_CREDENTIALS} data-delivery credentials per advertiser`,
          )
          .optional(),
        outputs: z.array(outputInput).max(20, "at most 20 data-delivery outputs per advertiser").optional(),
      })
      .optional(),
    frequencyCaps: z.array(z.record(z.string(), z.unknown())).optional(),
  },
  { error: "the body must be a JSON object" },
);

function outputConfig(stored: StoredCredentialConfig): Record<string, unknown> {
  // A warehouse credential's config is shown as stored (the contract defines no variant for it).
  if (isWarehouse(stored)) return { ...stored };
  const config: DestinationConfig = stored;
  switch (config.type) {
    case "GCS":
      return { type: "GCS", bucket: config.bucket };
    case "S3":
      return { type: "S3", bucket: config.bucket, region: config.region };
    case "AZURE_BLOB":
      // The SAS token is write-only: the stored auth shows its mode only.
      return {
        type: "AZURE_BLOB",
        storageAccountName: config.storageAccountName,
        containerName: config.containerName,
        auth: { mode: "SAS_TOKEN" },
      };
  }
}

/** A data-delivery credential as the API shows it (no SAS token). */
export function dataDeliveryCredential(record: DataDeliveryCredentialRecord): Record<string, unknown> {
  return {
    credentialId: record.credentialId,
    name: record.name,
    destinationType: record.config.type,
    config: outputConfig(record.config),
    status: record.status,
    ...(record.statusError !== undefined ? { statusError: record.statusError } : {}),
    ...(record.validatedAt !== undefined ? { validatedAt: record.validatedAt } : {}),
    ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}

function advertiserRepresentation(advertiser: AdvertiserRecord): Record<string, unknown> {
  const dataDelivery: Record<string, unknown> = {};
  if (advertiser.credentials.length > 0) dataDelivery.credentials = advertiser.credentials.map(dataDeliveryCredential);
  if (advertiser.outputs.length > 0) {
    dataDelivery.outputs = advertiser.outputs.map((o) => ({ ...o, source: "advertiser" }));
  }
  return {
    id: advertiser.id,
    name: advertiser.name,
    ...(advertiser.description !== undefined ? { description: advertiser.description } : {}),
    status: "ACTIVE",
    createdAt: advertiser.createdAt,
    updatedAt: advertiser.updatedAt,
    ...(advertiser.brand !== undefined ? { brand: advertiser.brand } : {}),
    sandbox: false,
    optimizationApplyMode: advertiser.optimizationApplyMode,
    primaryCurrency: advertiser.primaryCurrency,
    currencyLocked: false,
    ...(advertiser.utmConfig.length > 0
      ? { utmConfig: advertiser.utmConfig.map((u) => ({ ...u, source: "advertiser" })) }
      : {}),
    dataDelivery,
    frequencyCaps: [],
  };
}

function sameConfig(a: StoredCredentialConfig, b: DestinationConfig): boolean {
  // A submitted entry is never a warehouse (the body schema has no such type): one of that name is replaced by it.
  return !isWarehouse(a) && JSON.stringify(canonicalConfig(a)) === JSON.stringify(canonicalConfig(b));
}

function canonicalConfig(config: DestinationConfig): unknown[] {
  switch (config.type) {
    case "GCS":
      return [config.type, config.bucket];
    case "S3":
      return [config.type, config.bucket, config.region];
    case "AZURE_BLOB":
      return [config.type, config.storageAccountName, config.containerName, config.auth.sasToken];
  }
}

/** Start a probe of the credential: PENDING now, the outcome after the configured delay. */
function startProbe(store: InterchangeStore, advertiser: AdvertiserRecord, record: DataDeliveryCredentialRecord): void {
  record.status = "PENDING";
  delete record.statusError;
  const generation = ++record.probeGeneration;
  store.schedule(store.state.settings.probeDelayMs, () => {
    const live = store.state.advertisers
      .find((a) => a.id === advertiser.id)
      ?.credentials.find((c) => c.credentialId === record.credentialId);
    // A newer probe, an archive or a reset since: this outcome is stale.
    if (live !== record || record.probeGeneration !== generation) return;
    finishProbe(store, record, new Date());
  });
}

function finishProbe(store: InterchangeStore, record: DataDeliveryCredentialRecord, now: Date): void {
  const outcome = probeOutcome(record.config, store.state.deniedDestinations, now);
  record.status = outcome.status;
  if (outcome.status === "VALIDATED") {
    record.validatedAt = now.toISOString();
    delete record.statusError;
  } else {
    record.statusError = outcome.statusError;
  }
}

function withExpiry(record: DataDeliveryCredentialRecord): DataDeliveryCredentialRecord {
  const config = record.config;
  const expiresAt = !isWarehouse(config) && config.type === "AZURE_BLOB" ? sasExpiry(config.auth.sasToken) : undefined;
  if (expiresAt === undefined) delete record.expiresAt;
  else record.expiresAt = expiresAt;
  return record;
}

/** `GET /advertisers/{advertiserId}`. */
export function getAdvertiser(store: InterchangeStore, call: InterchangeCall): EmulatorResponse {
  const advertiser = store.ownAdvertiser(call.customer.id, call.req.params.advertiserId ?? "");
  return success(200, advertiserRepresentation(advertiser));
}

/** `PUT /advertisers/{advertiserId}`: checks everything first, then applies; nothing changes on a 400. */
export function updateAdvertiser(store: InterchangeStore, call: InterchangeCall): EmulatorResponse {
  const advertiser = store.ownAdvertiser(call.customer.id, call.req.params.advertiserId ?? "");
  const parsed = updateAdvertiserBody.safeParse(parseJsonBody(call.req.body));
  if (!parsed.success) throw validationFailure(issuesOf(parsed.error));
  const body = parsed.data;
  const now = call.now.toISOString();

  const submitted = body.dataDelivery?.credentials;
  if (submitted) {
    const seen = new Map<string, number>();
    const duplicates: ValidationIssue[] = [];
    submitted.forEach((entry, i) => {
      const first = seen.get(entry.name);
      if (first !== undefined) {
        duplicates.push({
          path: `dataDelivery.credentials.${i}.name`,
          message: `duplicate name "${entry.name}" (also entry ${first}): names must be unique per advertiser`,
        });
      } else {
        seen.set(entry.name, i);
      }
    });
    if (duplicates.length > 0) throw validationFailure(duplicates);
  }

  // The credentials that will be live after this request (by name), without touching the stored ones yet.
  const liveNames = new Set(submitted ? submitted.map((c) => c.name) : advertiser.credentials.map((c) => c.name));
  const submittedOutputs = body.dataDelivery?.outputs;
  if (submittedOutputs) {
    const issues: ValidationIssue[] = [];
    submittedOutputs.forEach((output, i) => {
      const type = submitted
        ? submitted.find((c) => c.name === output.credentialName)?.config.type
        : advertiser.credentials.find((c) => c.name === output.credentialName)?.config.type;
      if (!liveNames.has(output.credentialName)) {
        issues.push({
          path: `dataDelivery.outputs.${i}.credentialName`,
          message: `no live data-delivery credential named "${output.credentialName}"; create it in dataDelivery.credentials`,
        });
      } else if (type !== output.deliveryConfig.type) {
        issues.push({
          path: `dataDelivery.outputs.${i}.deliveryConfig.type`,
          message: `must be ${type}, the type of credential "${output.credentialName}"`,
        });
      }
    });
    if (issues.length > 0) throw validationFailure(issues);
  } else {
    // Outputs kept as they are must not lose the credential they reference.
    const orphaned = advertiser.outputs.filter((o) => !liveNames.has(o.credentialName));
    if (orphaned.length > 0) {
      throw validationFailure(
        orphaned.map((o) => ({
          path: "dataDelivery.credentials",
          message:
            `credential "${o.credentialName}" is referenced by data-delivery output ${o.outputConfigId} ` +
            `(${o.dataDeliveryType}); remove or repoint that output before removing the credential`,
        })),
      );
    }
  }

  // Everything is valid: apply.
  if (body.name !== undefined) advertiser.name = body.name;
  if (body.description !== undefined) advertiser.description = body.description;
  if (body.brand !== undefined) advertiser.brand = body.brand;
  if (body.optimizationApplyMode !== undefined) advertiser.optimizationApplyMode = body.optimizationApplyMode;
  if (body.primaryCurrency !== undefined) advertiser.primaryCurrency = body.primaryCurrency.toUpperCase();
  if (body.utmConfig !== undefined) advertiser.utmConfig = body.utmConfig;
  advertiser.updatedAt = now;

  const toProbe: DataDeliveryCredentialRecord[] = [];
  if (submitted) {
    const next: DataDeliveryCredentialRecord[] = [];
    for (const entry of submitted) {
      const config = entry.config as DestinationConfig;
      const existing = advertiser.credentials.find((c) => c.name === entry.name);
      if (existing && sameConfig(existing.config, config)) {
        // Unchanged re-submission keeps its id and status (an emulator choice: the contract leaves it open).
        next.push(existing);
      } else if (existing) {
        existing.config = config;
        existing.updatedAt = now;
        delete existing.validatedAt;
        next.push(withExpiry(existing));
        toProbe.push(existing);
      } else {
        const record: DataDeliveryCredentialRecord = withExpiry({
          credentialId: store.newId(),
          name: entry.name,
          config,
          status: "PENDING",
          createdAt: now,
          updatedAt: now,
          probeGeneration: 0,
        });
        next.push(record);
        toProbe.push(record);
      }
    }
    for (const left of advertiser.credentials.filter((c) => !next.includes(c))) {
      left.archivedAt = now;
      advertiser.archivedCredentials.push(left);
    }
    advertiser.credentials = next;
  }
  if (submittedOutputs) {
    advertiser.outputs = submittedOutputs.map((o): DataDeliveryOutputRecord => {
      const credential = advertiser.credentials.find((c) => c.name === o.credentialName);
      const existing = advertiser.outputs.find(
        (e) =>
          e.dataDeliveryType === o.dataDeliveryType &&
          e.credentialName === o.credentialName &&
          e.cadence === o.cadence &&
          JSON.stringify(e.deliveryConfig) === JSON.stringify(o.deliveryConfig),
      );
      return {
        outputConfigId: existing?.outputConfigId ?? store.newId(),
        dataDeliveryType: o.dataDeliveryType,
        cadence: o.cadence,
        ...(o.syncWeeklyDay !== undefined ? { syncWeeklyDay: o.syncWeeklyDay } : {}),
        enabled: o.enabled,
        credentialId: credential?.credentialId ?? "",
        credentialName: o.credentialName,
        deliveryConfig: o.deliveryConfig,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      };
    });
  }
  for (const record of toProbe) startProbe(store, advertiser, record);
  return success(200, advertiserRepresentation(advertiser));
}

/** `POST /advertisers/{advertiserId}/data-delivery-credentials/{name}/validate`. */
export function revalidateDataDeliveryCredential(store: InterchangeStore, call: InterchangeCall): EmulatorResponse {
  const advertiser = store.ownAdvertiser(call.customer.id, call.req.params.advertiserId ?? "");
  const name = call.req.params.name ?? "";
  const record = advertiser.credentials.find((c) => c.name === name);
  if (!record) {
    throw new InterchangeFailure(
      404,
      "NOT_FOUND",
      `Advertiser ${advertiser.id} has no live data-delivery credential named "${name}".`,
    );
  }
  if (store.state.settings.validateMode === "sync") {
    record.probeGeneration++;
    finishProbe(store, record, call.now);
  } else {
    startProbe(store, advertiser, record);
  }
  return success(200, { credential: dataDeliveryCredential(record) });
}
