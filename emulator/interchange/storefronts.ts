/**
 * Storefronts as a buyer sees them: `GET /storefronts/{storefrontId}` (BuyerStorefront, with `connected` and
 * `customerAccounts` rolled up from the customer's source credentials) and `.../capabilities` (one row per source).
 * Fields the emulator does not model carry the contract's neutral values (nulls, empty lists).
 */
import type { EmulatorResponse } from "../framework";
import { storefrontIdParam, type InterchangeCall } from "./access";
import { success } from "./envelope";
import type { InventorySource, SourceCredential, Storefront } from "./model";
import type { InterchangeStore } from "./store";

/** The storefront/source pairs a credential covers: every visible source backed by its agent (none when orphaned). */
export function credentialSources(
  store: InterchangeStore,
  credential: SourceCredential,
): { storefrontId: number; storefrontName: string; sourceId: string; sourceName: string }[] {
  if (credential.orphaned) return [];
  return store.state.storefronts
    .filter((s) => s.customers.includes(credential.customer))
    .flatMap((storefront) =>
      storefront.sources
        .filter((source) => source.agentId === credential.agentId)
        .map((source) => ({
          storefrontId: storefront.id,
          storefrontName: storefront.name,
          sourceId: source.id,
          sourceName: source.name,
        })),
    );
}

function customerCredentialsFor(
  store: InterchangeStore,
  customer: string,
  source: InventorySource,
): SourceCredential[] {
  return store.state.sourceCredentials.filter(
    (c) => c.customer === customer && !c.orphaned && c.agentId === source.agentId,
  );
}

/** Whether every source of the storefront that needs credentials has an ACTIVE credential of the customer. */
export function isConnected(store: InterchangeStore, customer: string, storefront: Storefront): boolean {
  return storefront.sources
    .filter((s) => s.requiresCredentials)
    .every((s) => customerCredentialsFor(store, customer, s).some((c) => c.status === "ACTIVE"));
}

function buyerStorefront(store: InterchangeStore, customer: string, storefront: Storefront): Record<string, unknown> {
  const connected = isConnected(store, customer, storefront);
  const accounts = new Map<string, SourceCredential>();
  for (const source of storefront.sources) {
    for (const c of customerCredentialsFor(store, customer, source)) accounts.set(c.id, c);
  }
  return {
    id: storefront.id,
    platformId: storefront.platformId,
    name: storefront.name,
    publisherDomain: storefront.publisherDomain,
    brandName: null,
    logoUrl: null,
    logoBackground: null,
    description: null,
    website: null,
    brandColors: null,
    discoveryCard: {
      storefrontId: String(storefront.id),
      platformId: storefront.platformId,
      storefrontKind: "managed",
      displayName: storefront.name,
      logoUrl: null,
      // The contract lists these enums without null (OpenAPI 3.0 `nullable` + `enum`), so answer a listed value.
      logoBackground: "transparent-bg",
      description: null,
      website: null,
      brandColors: null,
      channels: ["display"],
      countries: ["US"],
      acceptsAllCountries: false,
      coverageDeclarations: [],
      advertisingPolicies: null,
      coverage: { channels: "declared", countries: "declared" },
      provenance: {
        identity: {
          displayName: "operator",
          logoUrl: "unknown",
          description: "unknown",
          website: "unknown",
          brandColors: "unknown",
        },
        coverage: { channels: "operator", countries: "operator" },
        advertisingPolicies: "unknown",
      },
    },
    displayStatus: "neutral",
    readiness: {
      canTransact: connected,
      effectiveStatus: connected ? "live" : "blocked",
      blockerIds: connected ? [] : ["credentials_required"],
    },
    channels: ["display"],
    adapterProviderType: null,
    adapterSourceKind: "sales",
    creativeCapabilities: null,
    adapterConnection: null,
    supportedRoutingTypes: ["DECISIONED"],
    supportedBilling: ["operator"],
    regions: ["US"],
    connected,
    requiresCredentials: storefront.sources.some((s) => s.requiresCredentials),
    customerAccounts: [...accounts.values()].map((c) => ({ accountIdentifier: c.accountIdentifier, status: c.status })),
    adcpCapabilities: null,
    discoveryPerformance: {
      sampleCount: 0,
      successCount: 0,
      timeoutCount: 0,
      avgResponseTimeMs: null,
      maxResponseTimeMs: null,
      lastResponseTimeMs: null,
      lastDiscoveryAt: null,
    },
  };
}

/** `GET /storefronts/{storefrontId}`. */
export function getStorefront(store: InterchangeStore, call: InterchangeCall): EmulatorResponse {
  const storefront = store.visibleStorefront(call.customer.id, storefrontIdParam(call.req));
  return success(200, buyerStorefront(store, call.customer.id, storefront));
}

/** `GET /storefronts/{storefrontId}/capabilities`. */
export function getStorefrontCapabilities(store: InterchangeStore, call: InterchangeCall): EmulatorResponse {
  const storefront = store.visibleStorefront(call.customer.id, storefrontIdParam(call.req));
  return success(200, {
    storefrontId: storefront.id,
    agents: storefront.sources.map((source) => ({
      sourceId: source.id,
      sourceName: source.name,
      executionType: "agent",
      agentName: source.agentId,
      requiresCredentials: source.requiresCredentials,
      probeable: false,
      probeStatus: "not_applicable",
      message: `Authentication: ${source.authType}`,
      capabilities: null,
    })),
  });
}
