/**
 * Facts about Commerce Layer API credentials shared by the resource definition and the SDK class. Kept free of
 * zod and undici so that importing it into a Pulumi program (the SDK needs the secret output names) costs nothing
 * at program start-up.
 */

/** Kinds that are neither sales channels, integrations nor webapps: Commerce Layer's dashboard apps one can fork. */
export const DASHBOARD_APP_KINDS = [
  "bundles",
  "customers",
  "exports",
  "gift_cards",
  "imports",
  "inventory",
  "orders",
  "price_lists",
  "promotions",
  "resources",
  "returns",
  "shipments",
  "sku_lists",
  "skus",
  "stock_transfers",
  "subscriptions",
  "tags",
  "webhooks",
] as const;

/** Every kind this provider accepts (API.md §2): the three client types plus the dashboard app kinds. */
export const API_CREDENTIAL_KINDS = ["sales_channel", "integration", "webapp", ...DASHBOARD_APP_KINDS] as const;

/** Kind of a Commerce Layer API credential. */
export type ApiCredentialKind = (typeof API_CREDENTIAL_KINDS)[number];

/** Kinds that must not have a role (Commerce Layer answers 422 on `/data/relationships/role`). */
export const ROLELESS_KINDS: readonly string[] = ["sales_channel", "webapp"];

/** Kinds that must have a role. */
export const ROLE_REQUIRED_KINDS: readonly string[] = ["integration"];

/** Smallest and largest access-token lifetime Commerce Layer accepts, in seconds. */
export const EXPIRES_IN_RANGE = { min: 7200, max: 31536000 } as const;

/** Outputs that are secret although no input of that name is: the credential's OAuth client id and secret. */
export const API_CREDENTIAL_SECRET_OUTPUTS = ["clientSecret", "clientId"] as const;

/** Secret inputs of the resource (none: every input is plain configuration). */
export const API_CREDENTIAL_SECRET_INPUTS: readonly string[] = [];

/** Names of the outputs the resource adds to its inputs (the SDK class declares each as an Output property). */
export const API_CREDENTIAL_OUTPUT_NAMES = [
  "clientId",
  "clientSecret",
  "confidential",
  "scopes",
  "createdAt",
  "updatedAt",
] as const;

/**
 * The `metadata` key under which each create stores its own random marker (a UUID). Commerce Layer stores and returns
 * `metadata` as it was sent, so after a lost create answer the credential this create made is recognised by that
 * marker (and every sent attribute), never by its name or a time window. Reserved: `check` refuses it in the
 * `metadata` input, and the provider leaves it out of the `metadata` it reports.
 */
export const CREATE_MARKER_KEY = "pulumi-platform-credentials:create";

/**
 * Prefix of the id a create leaves in state when Commerce Layer may have created the credential but neither its
 * answer nor a list could say which one (`unconfirmed:<marker>`). Read, update and delete resolve it by the marker.
 */
export const UNCONFIRMED_ID_PREFIX = "unconfirmed:";
