/**
 * Data-delivery probes: Scope3 writes and deletes a sentinel object in the buyer's destination and records
 * VALIDATED or FAILED. The emulator decides the outcome deterministically from the destination:
 * names starting `fail-`/`wrongregion-`/`missing-`, the SAS token's parameters, and grants removed through
 * `POST /_emulator/interchange/destinations`. Texts follow the platforms' own error names. The expired-token text
 * quotes the probe's request URL with its SAS query, as storage errors quote the request: a client must redact it.
 */
import { isWarehouse, type DestinationConfig, type StoredCredentialConfig } from "./model";

/** What a probe concludes. */
export type ProbeOutcome = { status: "VALIDATED" } | { status: "FAILED"; statusError: string };

/** The key of a destination in the list of removed grants: the bucket, or `account/container` for Azure. */
export function destinationKey(config: DestinationConfig): string {
  return config.type === "AZURE_BLOB" ? `${config.storageAccountName}/${config.containerName}` : config.bucket;
}

function sasParameters(sasToken: string): URLSearchParams {
  // The SAS is the query string of the SAS URL; a leading `?` is tolerated, as the platform tolerates it.
  return new URLSearchParams(sasToken.startsWith("?") ? sasToken.slice(1) : sasToken);
}

/** The SAS token's expiry (`se=`) as an ISO timestamp, when it has a readable one. */
export function sasExpiry(sasToken: string): string | undefined {
  const se = sasParameters(sasToken).get("se");
  if (!se) return undefined;
  const time = Date.parse(se);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/**
 * The access-denied text of each destination type, used for `fail-` names and removed grants. Like the platform's,
 * the texts state what failed, not what to do: advice is the client's job (the provider adds it per failure).
 */
function accessDenied(config: DestinationConfig): string {
  switch (config.type) {
    case "GCS":
      return `Probe failed: the Scope3 service account is missing storage.objects.create on gs://${config.bucket}.`;
    case "S3":
      return `AccessDenied: Access Denied writing the probe object to s3://${config.bucket}.`;
    case "AZURE_BLOB":
      return (
        `AuthorizationFailure: This request is not authorized to perform this operation on ` +
        `${config.storageAccountName}/${config.containerName}.`
      );
  }
}

/**
 * Decide a probe's outcome for a credential at a given time. A warehouse credential (made in the web app) always
 * validates: the emulator has no way to break it, and the provider never writes one.
 */
export function probeOutcome(
  stored: StoredCredentialConfig,
  deniedDestinations: readonly string[],
  now: Date,
): ProbeOutcome {
  if (isWarehouse(stored)) return { status: "VALIDATED" };
  const config: DestinationConfig = stored;
  const denied = deniedDestinations.includes(destinationKey(config));
  const fail = (statusError: string): ProbeOutcome => ({ status: "FAILED", statusError });
  switch (config.type) {
    case "GCS":
      return config.bucket.startsWith("fail-") || denied ? fail(accessDenied(config)) : { status: "VALIDATED" };
    case "S3":
      if (config.bucket.startsWith("wrongregion-")) {
        return fail(
          `PermanentRedirect: The bucket ${config.bucket} must be addressed using its own region's endpoint; it is ` +
            `not in ${config.region}.`,
        );
      }
      return config.bucket.startsWith("fail-") || denied ? fail(accessDenied(config)) : { status: "VALIDATED" };
    case "AZURE_BLOB": {
      const sas = sasParameters(config.auth.sasToken);
      const expiresAt = sasExpiry(config.auth.sasToken);
      if (expiresAt !== undefined && Date.parse(expiresAt) <= now.getTime()) {
        const url = `https://${config.storageAccountName}.blob.core.windows.net/${config.containerName}/scope3-probe`;
        const query = config.auth.sasToken.startsWith("?") ? config.auth.sasToken.slice(1) : config.auth.sasToken;
        return fail(`Azure SAS token expired at ${expiresAt}. Probe request: PUT ${url}?${query} (403).`);
      }
      const permissions = sas.get("sp") ?? "";
      if (!["c", "w", "d"].every((p) => permissions.includes(p))) {
        return fail(
          "AuthorizationPermissionMismatch: This request is not authorized to perform this operation using this " +
            "permission. The SAS must grant Create, Write and Delete (sp=cwd).",
        );
      }
      const resourceTypes = sas.get("srt");
      if (resourceTypes !== null && !resourceTypes.includes("o")) {
        return fail(
          "AuthorizationResourceTypeMismatch: This request is not authorized to perform this operation using this " +
            "resource type. An account SAS needs srt to include o (object).",
        );
      }
      if (sas.get("sr") === "b") {
        return fail(
          "AuthorizationFailure: This request is not authorized to perform this operation. Blob-scoped SAS tokens " +
            "(sr=b) are not supported; issue a container SAS (sr=c) or an account SAS.",
        );
      }
      if (config.containerName.startsWith("missing-")) {
        return fail(
          `ContainerNotFound: The specified container does not exist: ${config.storageAccountName}/${config.containerName}.`,
        );
      }
      return denied ? fail(accessDenied(config)) : { status: "VALIDATED" };
    }
  }
}
