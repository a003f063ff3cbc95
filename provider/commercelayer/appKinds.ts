/**
 * The API credential kinds Commerce Layer documents. The provisioning contract types `kind` as a string and names
 * only examples, so this list is the vendor's documentation, kept in one place: the resource uses it for its rules
 * and messages, and the emulator (emulator/commercelayer/) for the kinds it accepts, so the two cannot drift apart.
 * Pure data: importing it loads nothing else.
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

/**
 * The kinds Commerce Layer documents: the three client types plus the dashboard app kinds known today. The contract
 * types `kind` as any string, so the resource accepts others too (the platform judges them).
 */
export const API_CREDENTIAL_KINDS = ["sales_channel", "integration", "webapp", ...DASHBOARD_APP_KINDS] as const;

/** A documented API credential kind. */
export type ApiCredentialKind = (typeof API_CREDENTIAL_KINDS)[number];

/** Whether `kind` is one of the {@link API_CREDENTIAL_KINDS}. */
export function isDocumentedKind(kind: string): kind is ApiCredentialKind {
  return (API_CREDENTIAL_KINDS as readonly string[]).includes(kind);
}
