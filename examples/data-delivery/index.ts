// Gives Scope3 one place of each kind to deliver an advertiser's log-level data: a GCS bucket, an S3 bucket and an
// Azure Blob container. Each credential is probed by Scope3; `pulumi up` waits for the probe and `pulumi refresh`
// re-runs it, so the status outputs say whether delivery would work right now.
import * as pulumi from "@pulumi/pulumi";
import { interchange } from "pulumi-platform-credentials";

const config = new pulumi.Config();
const advertiserId = config.require("advertiserId");

const gcs = new interchange.DataDeliveryCredential("lld-gcs", {
  advertiserId,
  name: "lld-gcs",
  destination: { type: "GCS", bucket: config.require("gcsBucket") },
});

const s3 = new interchange.DataDeliveryCredential("lld-s3", {
  advertiserId,
  name: "lld-s3",
  destination: { type: "S3", bucket: config.require("s3Bucket"), region: config.require("s3Region") },
});

// The SAS token is a secret input; it stays secret in state and in every output derived from it.
const azure = new interchange.DataDeliveryCredential("lld-azure", {
  advertiserId,
  name: "lld-azure",
  destination: {
    type: "AZURE_BLOB",
    storageAccountName: config.require("azureStorageAccount"),
    containerName: config.require("azureContainer"),
    sasToken: config.requireSecret("azureSasToken"),
  },
});

export const gcsStatus = gcs.status;
export const s3Status = s3.status;
export const azureStatus = azure.status;
/** Why a probe failed (undefined while VALIDATED). */
export const statusErrors = { gcs: gcs.statusError, s3: s3.statusError, azure: azure.statusError };
/** When the Azure SAS token expires (its `se=`): rotate it before then. */
export const azureExpiresAt = azure.expiresAt;
export const credentialIds = { gcs: gcs.credentialId, s3: s3.credentialId, azure: azure.credentialId };
