// One Commerce Layer API credential of each kind for an organization: a sales channel for the storefront, an
// integration for the ERP (acting as the organization's read-only role, looked up; its secret rotated every quarter)
// and a webapp for the back office (OAuth with a redirect URI).
import * as pulumi from "@pulumi/pulumi";
import { commercelayer } from "pulumi-platform-credentials";

const config = new pulumi.Config();
const organizationId = config.require("organizationId");

const storefront = new commercelayer.ApiCredential("storefront", {
  organizationId,
  name: "Storefront",
  kind: "sales_channel",
  metadata: { owner: "web-team" },
});

// A lookup (it manages nothing and runs in previews too): the organization's read-only role, found by its kind, so
// no role id is copied into config and moving to another organization picks that organization's role.
const erpRole = commercelayer.getRoleOutput({ organizationId, kind: "read_only" });

// Rotation: the ERP's client secret is replaced (the new credential first, then the old one deleted) whenever a
// trigger changes. `quarter` changes with the calendar, so the first `pulumi up` of each quarter rotates it;
// `erpRotation` (stack config, optional) rotates it on demand: `pulumi config set erpRotation 2`.
const now = new Date();
const quarter = `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;
const erpRotation = config.get("erpRotation");

const erp = new commercelayer.ApiCredential("erp", {
  organizationId,
  name: "ERP sync",
  kind: "integration",
  roleId: erpRole.roleId,
  expiresIn: 14400,
  reference: "erp-sync",
  referenceOrigin: "platform-team",
  // Any JSON object, as Commerce Layer takes it.
  metadata: { owner: "platform-team", sync: { entities: ["skus", "prices"], intervalMinutes: 15 } },
  rotationTriggers: { quarter, ...(erpRotation !== undefined ? { manual: erpRotation } : {}) },
});

const backoffice = new commercelayer.ApiCredential("backoffice", {
  organizationId,
  name: "Back office",
  kind: "webapp",
  redirectUri: config.require("webappRedirectUri"),
});

// Client ids and secrets are secret outputs of the resources; exporting them through pulumi.secret keeps them
// encrypted in the stack's outputs too (`pulumi stack output --show-secrets` reveals them).
export const storefrontClientId = pulumi.secret(storefront.clientId);
export const erpClientId = pulumi.secret(erp.clientId);
export const erpClientSecret = pulumi.secret(erp.clientSecret);
export const backofficeClientId = pulumi.secret(backoffice.clientId);
export const backofficeClientSecret = pulumi.secret(backoffice.clientSecret);
/** Effective token lifetimes in seconds (Commerce Layer's default where none was set). */
export const tokenLifetimes = {
  storefront: storefront.expiresIn,
  erp: erp.expiresIn,
  backoffice: backoffice.expiresIn,
};
/** The role the ERP credential acts as, as the lookup found it. */
export const erpRoleName = erpRole.name;
export const credentialIds = { storefront: storefront.id, erp: erp.id, backoffice: backoffice.id };
