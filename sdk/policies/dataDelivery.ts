/**
 * Policies for `interchange.DataDeliveryCredential`: probe status, Azure SAS token expiry, allowed destinations, and
 * Interchange's per-advertiser limits across a stack.
 */
import type {
  EnforcementLevel,
  ReportViolation,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import {
  DATA_DELIVERY_CREDENTIAL_TYPES,
  isKnown,
  readObject,
  readString,
  validateEachStackResourceOfToken,
  validateResourceOfToken,
  validateStackResourcesOfToken,
} from "./resourceState";

/** Configuration of {@link dataDeliveryCredentialValidated}. */
export interface DataDeliveryCredentialValidatedConfig {
  /** Enforcement level of a credential still `PENDING` (`disabled` ignores them). Default `advisory`. */
  pendingEnforcementLevel?: "advisory" | "mandatory" | "disabled";
}

const VALIDATED_DESCRIPTION = "Data-delivery credentials must pass Interchange's destination probe (status VALIDATED).";

/**
 * `data-delivery-credential-validated`: a data-delivery credential whose probe `FAILED` is reported at the policy's
 * enforcement level (default `mandatory`); one still `PENDING` at `pendingEnforcementLevel` (default `advisory`).
 *
 * A stack policy because `status` is an output: `AnalyzeStack` sees the state after the update, or after a refresh
 * (which re-probes when `validateOnRefresh` is on, so `pulumi preview --refresh` judges fresh probes). An unknown or
 * absent status (the preview of a new credential) is no violation.
 */
export const dataDeliveryCredentialValidated: StackValidationPolicy = {
  name: "data-delivery-credential-validated",
  description: VALIDATED_DESCRIPTION,
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      pendingEnforcementLevel: {
        type: "string",
        enum: ["advisory", "mandatory", "disabled"],
        default: "advisory",
        description: "Enforcement level of a credential whose probe is still PENDING.",
      },
    },
  },
  validateStack: validateEachStackResourceOfToken(
    DATA_DELIVERY_CREDENTIAL_TYPES,
    (props, urn, args, reportViolation) => {
      const status = readString(props, "status");
      if (status === "FAILED") {
        reportViolation(
          "Fix the destination so that Interchange's probe can write to it (the credential's statusError output " +
            "says what failed: grant write access, correct the region, renew the SAS token or create the " +
            "container), then run `pulumi refresh`.",
          urn,
        );
      } else if (status === "PENDING") {
        const level = args.getConfig<DataDeliveryCredentialValidatedConfig>().pendingEnforcementLevel ?? "advisory";
        if (level === "disabled") return;
        reportWithEnforcementLevel(
          reportViolation,
          level,
          "Wait for Interchange's probe to finish and run `pulumi refresh`; if the credential stays PENDING, check " +
            "that the destination exists and that Scope3 may write to it.",
          urn,
        );
      }
    },
  ),
};

/**
 * Reports one violation at its own enforcement level. `@pulumi/policy` 1.21 accepts a violation object with
 * `enforcementLevel` at run time (server.ts `makeReportViolationFun`) although its type only declares the string
 * form; the message keeps the string form's shape (description, newline, message).
 */
function reportWithEnforcementLevel(
  reportViolation: ReportViolation,
  enforcementLevel: EnforcementLevel,
  message: string,
  urn: string,
): void {
  const report = reportViolation as unknown as (violation: {
    message: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    urn: string;
  }) => void;
  report({
    message: `${VALIDATED_DESCRIPTION}\n${message}`,
    description: VALIDATED_DESCRIPTION,
    enforcementLevel,
    urn,
  });
}

/** Configuration of {@link azureSasTokenExpiry}. */
export interface AzureSasTokenExpiryConfig {
  /** Least number of days a SAS token must stay valid. Default 14. */
  minDaysBeforeExpiry?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * `azure-sas-token-expiry`: an `AZURE_BLOB` data-delivery credential whose SAS token expires (output `expiresAt`,
 * taken from the token's `se=` parameter) within `minDaysBeforeExpiry` days (default 14), or has expired. A stack
 * policy because `expiresAt` is an output. Default enforcement: `advisory`.
 */
export const azureSasTokenExpiry: StackValidationPolicy = {
  name: "azure-sas-token-expiry",
  description: "Azure SAS tokens of data-delivery credentials must stay valid for a minimum number of days.",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      minDaysBeforeExpiry: {
        type: "number",
        minimum: 0,
        default: 14,
        description: "Least number of days a SAS token must stay valid.",
      },
    },
  },
  validateStack: validateEachStackResourceOfToken(
    DATA_DELIVERY_CREDENTIAL_TYPES,
    (props, urn, args, reportViolation) => {
      const destination = readObject(props, "destination");
      if (!isKnown(destination) || readString(destination, "type") !== "AZURE_BLOB") return;
      const expiresAt = readString(props, "expiresAt");
      if (!isKnown(expiresAt)) return;
      const expiresAtMs = Date.parse(expiresAt);
      if (Number.isNaN(expiresAtMs)) return;
      const minDays = args.getConfig<AzureSasTokenExpiryConfig>().minDaysBeforeExpiry ?? 14;
      const remedy =
        "issue a new SAS token for the container (sp with c, w and d; a later se= expiry), set it as " +
        "destination.sasToken and run `pulumi up`.";
      if (expiresAtMs <= Date.now()) {
        reportViolation(`Replace the expired SAS token: ${remedy}`, urn);
      } else if (expiresAtMs - Date.now() < minDays * DAY_MS) {
        reportViolation(`Rotate the SAS token, which expires within ${minDays} days: ${remedy}`, urn);
      }
    },
  ),
};

/** Configuration of {@link dataDeliveryAllowedDestinations}. */
export interface DataDeliveryAllowedDestinationsConfig {
  /** AWS regions S3 destinations may use (for example `us-east-1`). Empty: any region. */
  allowedS3Regions?: string[];
  /** Regular expressions a GCS or S3 bucket name must match (one of them; anchor with ^…$). Empty: any name. */
  bucketNamePatterns?: string[];
}

/**
 * `data-delivery-allowed-destinations`: a resource policy on the inputs, so a disallowed destination is refused
 * before any write: S3 destinations in a region outside `allowedS3Regions`, and GCS or S3
 * buckets whose name matches none of `bucketNamePatterns`. Both lists are empty by default (anything goes), so the
 * policy only acts once configured. Default enforcement: `mandatory`.
 */
export const dataDeliveryAllowedDestinations: ResourceValidationPolicy = {
  name: "data-delivery-allowed-destinations",
  description: "Data-delivery destinations must use allowed S3 regions and bucket names.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      allowedS3Regions: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "AWS regions S3 destinations may use; empty allows any region.",
      },
      bucketNamePatterns: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Regular expressions a GCS or S3 bucket name must match (any one); empty allows any name.",
      },
    },
  },
  validateResource: validateResourceOfToken(DATA_DELIVERY_CREDENTIAL_TYPES, (props, args, reportViolation) => {
    const destination = readObject(props, "destination");
    if (!isKnown(destination)) return;
    const type = readString(destination, "type");
    if (type !== "S3" && type !== "GCS") return;
    const config = args.getConfig<DataDeliveryAllowedDestinationsConfig>();

    const allowedRegions = config.allowedS3Regions ?? [];
    const region = readString(destination, "region");
    if (type === "S3" && allowedRegions.length > 0 && isKnown(region) && !allowedRegions.includes(region)) {
      reportViolation(
        "Use an S3 bucket in one of the regions listed in this policy's allowedS3Regions config, or add the " +
          "bucket's region to that list.",
      );
    }

    const patterns = bucketNamePatterns(config.bucketNamePatterns ?? []);
    const bucket = readString(destination, "bucket");
    if (patterns.length > 0 && isKnown(bucket) && !patterns.some((pattern) => pattern.test(bucket))) {
      reportViolation(
        "Name the bucket to match one of the regular expressions in this policy's bucketNamePatterns config, or " +
          "extend that list.",
      );
    }
  }),
};

/** Compiles the configured patterns; a bad one is a configuration mistake, named by its position. */
function bucketNamePatterns(sources: readonly string[]): RegExp[] {
  return sources.map((source, index) => {
    try {
      return new RegExp(source);
    } catch {
      throw new Error(
        `data-delivery-allowed-destinations: bucketNamePatterns[${index}] is not a valid JavaScript regular ` +
          "expression; fix it in the policy pack config.",
      );
    }
  });
}

/** Configuration of {@link dataDeliveryCredentialsPerAdvertiser}. */
export interface DataDeliveryCredentialsPerAdvertiserConfig {
  /** Most data-delivery credentials one advertiser may have. Default 20, Interchange's own limit. */
  maxCredentialsPerAdvertiser?: number;
}

/**
 * `data-delivery-credentials-per-advertiser`: a stack policy holding the stack to Interchange's rules per advertiser,
 * before a `PUT` would fail: at most `maxCredentialsPerAdvertiser` (default 20) data-delivery credentials, and names
 * unique within an advertiser. Reported on the URN of the credential that breaks the rule. Credentials whose
 * advertiser or name is unknown (preview) are left out. Default enforcement: `mandatory`.
 */
export const dataDeliveryCredentialsPerAdvertiser: StackValidationPolicy = {
  name: "data-delivery-credentials-per-advertiser",
  description:
    "Each advertiser's data-delivery credentials must stay within a limit (20 by default) and have unique names.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      maxCredentialsPerAdvertiser: {
        type: "integer",
        minimum: 1,
        maximum: 20,
        default: 20,
        description: "Most data-delivery credentials one advertiser may have (Interchange allows 20).",
      },
    },
  },
  validateStack: validateStackResourcesOfToken(DATA_DELIVERY_CREDENTIAL_TYPES, (resources, args, reportViolation) => {
    const max = args.getConfig<DataDeliveryCredentialsPerAdvertiserConfig>().maxCredentialsPerAdvertiser ?? 20;
    const byAdvertiser = new Map<string, { urn: string; name: string }[]>();
    for (const resource of resources) {
      const advertiserId = readString(resource.props, "advertiserId");
      const name = readString(resource.props, "name");
      if (!isKnown(advertiserId) || !isKnown(name)) continue;
      const credentials = byAdvertiser.get(advertiserId) ?? [];
      credentials.push({ urn: resource.urn, name });
      byAdvertiser.set(advertiserId, credentials);
    }
    for (const credentials of byAdvertiser.values()) {
      const firstUrnByName = new Map<string, string>();
      for (const credential of credentials) {
        const first = firstUrnByName.get(credential.name);
        if (first === undefined) firstUrnByName.set(credential.name, credential.urn);
        else
          reportViolation(
            `Give this credential a name that no other data-delivery credential of its advertiser uses; ${first} ` +
              "has the same advertiser and name.",
            credential.urn,
          );
      }
      const excess = credentials[max];
      if (excess !== undefined) {
        reportViolation(
          `Keep at most ${max} data-delivery credentials per advertiser: this stack declares ${credentials.length} ` +
            `for this credential's advertiser; remove ${credentials.length - max} or move them to another advertiser.`,
          excess.urn,
        );
      }
    }
  }),
};
