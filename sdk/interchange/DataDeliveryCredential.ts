import * as pulumi from "@pulumi/pulumi";
import { shims } from "../../provider/pulumi/shims";
import {
  dataDeliveryCredentialSecretInputs,
  dataDeliveryCredentialSecretOutputs,
} from "../../provider/interchange/dataDeliveryCredentialSecrets";
import { wrapSecretInputs } from "../secrets";

/** A Google Cloud Storage destination. Grant the Scope3 service account `roles/storage.objectCreator` on the bucket. */
export interface GcsDestinationArgs {
  /** `"GCS"`. */
  readonly type: pulumi.Input<"GCS">;
  /** Bucket name without `gs://` (3–222 characters: lowercase letters, digits, `.`, `_`, `-`). */
  readonly bucket: pulumi.Input<string>;
}

/** An Amazon S3 destination. The bucket policy must grant the Scope3 principal `s3:PutObject` and `s3:DeleteObject`. */
export interface S3DestinationArgs {
  /** `"S3"`. */
  readonly type: pulumi.Input<"S3">;
  /** Bucket name without `s3://` (3–63 characters: lowercase letters, digits, `.`, `-`). */
  readonly bucket: pulumi.Input<string>;
  /** The bucket's AWS region, e.g. `us-east-1` (a wrong region makes the probe fail with `PermanentRedirect`). */
  readonly region: pulumi.Input<string>;
}

/** An Azure Blob Storage container, written with a SAS token. */
export interface AzureBlobDestinationArgs {
  /** `"AZURE_BLOB"`. */
  readonly type: pulumi.Input<"AZURE_BLOB">;
  /** Storage account name (3–24 lowercase letters and digits), as in `https://<name>.blob.core.windows.net/`. */
  readonly storageAccountName: pulumi.Input<string>;
  /** Container name (3–63 characters: lowercase letters, digits and single `-`). */
  readonly containerName: pulumi.Input<string>;
  /**
   * Secret. The SAS query string (a leading `?` is tolerated): a container SAS (`sr=c`) or an account SAS whose
   * `srt` includes `o`, granting `sp=cwd`. The API never returns it; a new value rotates the credential (an update).
   * Always stored as a secret.
   */
  readonly sasToken: pulumi.Input<string>;
}

/** Where Scope3 writes the advertiser's log-level data. */
export type DataDeliveryDestinationArgs = GcsDestinationArgs | S3DestinationArgs | AzureBlobDestinationArgs;

/** The destination as stored in state (`sasToken` only for `AZURE_BLOB`, and secret). */
export interface DataDeliveryDestination {
  /** `GCS`, `S3` or `AZURE_BLOB`. */
  readonly type: "GCS" | "S3" | "AZURE_BLOB";
  /** GCS or S3 bucket. */
  readonly bucket?: string;
  /** S3 region. */
  readonly region?: string;
  /** Azure storage account. */
  readonly storageAccountName?: string;
  /** Azure container. */
  readonly containerName?: string;
  /** Azure SAS token (secret). */
  readonly sasToken?: string;
}

/** Arguments of {@link DataDeliveryCredential}. */
export interface DataDeliveryCredentialArgs {
  /**
   * Id of the Interchange advertiser that owns the credential (a string, e.g. `"12345"`; not `.` or `..`). Changing it
   * replaces.
   */
  readonly advertiserId: pulumi.Input<string>;
  /**
   * Credential name, unique per advertiser (1–64 characters, `^[a-zA-Z0-9][a-zA-Z0-9_-]*$`); data-delivery outputs
   * reference it. Changing it replaces the resource.
   */
  readonly name: pulumi.Input<string>;
  /** The destination. Changing it (including a new SAS token) is an update: the probe runs again. */
  readonly destination: pulumi.Input<DataDeliveryDestinationArgs>;
  /**
   * Wait on create and update until Scope3's probe of the destination finishes (default `true`). A `FAILED` probe, or
   * one still `PENDING` after `probeTimeoutSeconds`, fails the step while keeping the credential in the stack.
   */
  readonly waitForProbe?: pulumi.Input<boolean>;
  /** Seconds to wait for a probe on create, update and refresh (1–1800, default 120). Changing it writes nothing. */
  readonly probeTimeoutSeconds?: pulumi.Input<number>;
  /** Re-run the probe on every `pulumi refresh` so `status` is current (default `true`). Changing it writes nothing. */
  readonly validateOnRefresh?: pulumi.Input<boolean>;
  /**
   * Take over an existing credential of the same name on create (default `false`: creating fails if the name is
   * taken). The existing credential's config is updated to `destination`.
   */
  readonly adopt?: pulumi.Input<boolean>;
  /**
   * Name of the Scope3 Interchange account whose API key manages this resource: an account declared in stack config
   * under `platform-credentials:accounts` (`pulumi config set --secret --path
   * 'platform-credentials:accounts.<name>.interchangeApiKey' <key>`). Omitted: the default account
   * (`interchange:apiKey` / `SCOPE3_API_KEY`). Not a secret. Rotating the account's key in config changes nothing;
   * changing `account` replaces the resource.
   */
  readonly account?: pulumi.Input<string>;
}

const OUTPUT_NAMES = [
  "credentialId",
  "destinationType",
  "status",
  "statusError",
  "validatedAt",
  "expiresAt",
  "createdAt",
  "updatedAt",
] as const;

/**
 * A Scope3 Interchange data-delivery credential: where Scope3 writes an advertiser's log-level data (a GCS bucket, an
 * S3 bucket or an Azure Blob container). Scope3 probes the destination asynchronously; this resource waits for the
 * probe on create and update and re-runs it on refresh, reporting `status` (`PENDING`, `VALIDATED`, `FAILED`) and
 * `statusError`. A `FAILED` probe after create or update is a partial failure: the credential stays in the stack.
 *
 * The API stores an advertiser's credentials as one list that is replaced whole, so every write re-sends the
 * advertiser's other credentials unchanged, one writer per advertiser at a time within a `pulumi up`.
 *
 * Delete removes the credential from the advertiser (its siblings stay). The API refuses while a data-delivery output
 * still references the credential: remove or repoint that output first.
 *
 * Limitations: the API never returns Azure SAS tokens but needs them in every write, so a write on an advertiser
 * that also holds an `AZURE_BLOB` credential not managed by this stack (same `pulumi up`) is refused before anything is
 * written; manage every Azure credential of the advertiser in the same stack (use `adopt: true`). Advertisers holding
 * SNOWFLAKE or DATABRICKS credentials cannot be written at all. Other writers of the same advertiser outside this
 * process can race with it (the API has no ETag). `pulumi import` does not work for dynamic resources: use `adopt`.
 *
 * @example
 * ```ts
 * import { interchange } from "pulumi-platform-credentials";
 *
 * const lld = new interchange.DataDeliveryCredential("lld", {
 *   advertiserId: "12345",
 *   name: "lld-gcs",
 *   destination: { type: "GCS", bucket: "acme-lld-exports" },
 * });
 * export const lldStatus = lld.status;
 * ```
 */
export class DataDeliveryCredential extends pulumi.dynamic.Resource {
  /** @internal */
  static readonly __pulumiType = "pulumi-nodejs:dynamic/interchange:DataDeliveryCredential";

  /** Whether `obj` is a DataDeliveryCredential (works across copies of this package). */
  static override isInstance(obj: unknown): obj is DataDeliveryCredential {
    return (
      typeof obj === "object" &&
      obj !== null &&
      (obj as { __pulumiType?: unknown }).__pulumiType === DataDeliveryCredential.__pulumiType
    );
  }

  /**
   * Look up an existing credential by its provider id `<advertiserId>/<name>` (for `get`; `pulumi import` cannot work
   * for dynamic resources; use `adopt` to manage an existing credential). Refresh re-probes it unless the state says
   * otherwise. `state.account`: the account whose API key reads it (default: the default account).
   */
  static get(
    name: string,
    id: pulumi.Input<pulumi.ID>,
    opts?: pulumi.CustomResourceOptions,
    state?: { readonly account?: pulumi.Input<string> },
  ): DataDeliveryCredential {
    const lookup = state?.account === undefined ? undefined : { account: state.account };
    return new DataDeliveryCredential(name, lookup as unknown as DataDeliveryCredentialArgs, { ...opts, id });
  }

  /** Id of the owning advertiser. */
  declare readonly advertiserId: pulumi.Output<string>;
  /** Credential name (unique per advertiser). */
  declare readonly name: pulumi.Output<string>;
  /** The destination as last read (the Azure SAS token is kept from state and is secret). */
  declare readonly destination: pulumi.Output<DataDeliveryDestination>;
  /** Whether create/update wait for the probe. */
  declare readonly waitForProbe: pulumi.Output<boolean>;
  /** Seconds a probe is waited for. */
  declare readonly probeTimeoutSeconds: pulumi.Output<number>;
  /** Whether refresh re-runs the probe. */
  declare readonly validateOnRefresh: pulumi.Output<boolean>;
  /** Whether creation adopted an existing credential (as given). */
  declare readonly adopt: pulumi.Output<boolean>;
  /** The account whose API key manages the resource (undefined: the default account). */
  declare readonly account: pulumi.Output<string | undefined>;
  /** The platform's database id of the credential row (changes when the credential is recreated). */
  declare readonly credentialId: pulumi.Output<string>;
  /** `GCS`, `S3` or `AZURE_BLOB`, as the API reports it. */
  declare readonly destinationType: pulumi.Output<string>;
  /** Outcome of the latest probe: `PENDING`, `VALIDATED` or `FAILED`. */
  declare readonly status: pulumi.Output<"PENDING" | "VALIDATED" | "FAILED">;
  /** The probe's failure reason when `status` is `FAILED`. */
  declare readonly statusError: pulumi.Output<string | undefined>;
  /** When the latest probe succeeded (ISO 8601). */
  declare readonly validatedAt: pulumi.Output<string | undefined>;
  /** When the credential expires (ISO 8601; the Azure SAS token's `se=`), when known. */
  declare readonly expiresAt: pulumi.Output<string | undefined>;
  /** When the credential was created (ISO 8601). */
  declare readonly createdAt: pulumi.Output<string>;
  /** When the credential last changed (ISO 8601). */
  declare readonly updatedAt: pulumi.Output<string>;

  /**
   * @param name the Pulumi resource name (not the credential's name)
   * @param args the credential's settings
   * @param opts resource options
   */
  constructor(name: string, args: DataDeliveryCredentialArgs, opts?: pulumi.CustomResourceOptions) {
    // Every input and output key must be in props (even undefined) to become a readable Output property,
    // including for `get`, which passes no args.
    const inputs: Record<keyof DataDeliveryCredentialArgs, undefined> = {
      advertiserId: undefined,
      name: undefined,
      destination: undefined,
      waitForProbe: undefined,
      probeTimeoutSeconds: undefined,
      validateOnRefresh: undefined,
      adopt: undefined,
      account: undefined,
    };
    const outputs = Object.fromEntries(OUTPUT_NAMES.map((k) => [k, undefined]));
    super(
      shims.dataDeliveryCredential,
      name,
      wrapSecretInputs({ ...inputs, ...args, ...outputs }, dataDeliveryCredentialSecretInputs),
      {
        ...opts,
        additionalSecretOutputs: [
          ...new Set([...(opts?.additionalSecretOutputs ?? []), ...dataDeliveryCredentialSecretOutputs]),
        ],
      },
      "interchange",
      "DataDeliveryCredential",
    );
  }
}
