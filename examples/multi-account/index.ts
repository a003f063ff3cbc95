// One stack, several accounts: an agency registering storefront credentials for two Scope3 Interchange customers,
// and a retailer provisioning API credentials in two Commerce Layer organizations, each through its own
// provisioning client. The default account is the `interchange:*` / `commercelayer:*` settings; every other
// account is declared in stack config under `platform-credentials:accounts.<name>` and named by `account`.
import * as pulumi from "@pulumi/pulumi";
import { commercelayer, interchange } from "pulumi-platform-credentials";

const config = new pulumi.Config();

// Scope3 Interchange, default account (customer acme): its storefront's API-key source.
const acmeDisplay = new interchange.StorefrontSourceCredential("acme-display", {
  storefrontId: config.requireNumber("acmeStorefrontId"),
  sourceId: "src_apikey",
  accountIdentifier: config.require("acmeAccountIdentifier"),
  auth: { type: "apiKey", token: config.requireSecret("acmeDisplayApiKey") },
});

// Scope3 Interchange, account "globex" (another customer, its own API key in stack config).
const globexDisplay = new interchange.StorefrontSourceCredential("globex-display", {
  account: "globex",
  storefrontId: config.requireNumber("globexStorefrontId"),
  sourceId: "src_apikey",
  accountIdentifier: config.require("globexAccountIdentifier"),
  auth: { type: "apiKey", token: config.requireSecret("globexDisplayApiKey") },
});

// Globex's log-level data, delivered to its own bucket: written with the globex key too.
const globexLld = new interchange.DataDeliveryCredential("globex-lld", {
  account: "globex",
  advertiserId: config.require("globexAdvertiserId"),
  name: "globex-lld-gcs",
  destination: { type: "GCS", bucket: config.require("globexLldBucket") },
});

// Commerce Layer, default account: the Blue Brand organization's provisioning client.
const blueErp = new commercelayer.ApiCredential("blue-erp", {
  organizationId: config.require("blueOrganizationId"),
  name: "ERP sync",
  kind: "integration",
  roleId: config.require("blueRoleId"),
});

// Commerce Layer, account "greenGrocer": another organization, another provisioning client.
const greenErp = new commercelayer.ApiCredential("green-erp", {
  account: "greenGrocer",
  organizationId: config.require("greenOrganizationId"),
  name: "ERP sync",
  kind: "integration",
  roleId: config.require("greenRoleId"),
});

export const registrations = {
  acme: { credentialId: acmeDisplay.credentialId, registeredBy: acmeDisplay.registeredBy },
  globex: { credentialId: globexDisplay.credentialId, registeredBy: globexDisplay.registeredBy },
};
export const globexLldStatus = globexLld.status;
export const erpClientIds = { blue: pulumi.secret(blueErp.clientId), green: pulumi.secret(greenErp.clientId) };
export const erpClientSecrets = {
  blue: pulumi.secret(blueErp.clientSecret),
  green: pulumi.secret(greenErp.clientSecret),
};
/** Which account manages each resource (undefined: the default account). */
export const accounts = {
  acmeDisplay: acmeDisplay.account,
  globexDisplay: globexDisplay.account,
  globexLld: globexLld.account,
  blueErp: blueErp.account,
  greenErp: greenErp.account,
};
