/**
 * The Scope3 Interchange buyer API as the emulator serves it (contracts/interchange-buyer.openapi.yml):
 * prefix `/api/v2/buyer`, the `{data, error}` envelope, bearer API keys per customer, the ToS gate on writes,
 * per-key rate limits, source credentials with OAuth consent, and advertisers' data-delivery credentials with
 * asynchronous probes.
 */
import type { EmulatorPlatform, EmulatorRequest, EmulatorResponse, ErrorResponseExtras } from "../framework";
import { defaultInterchangeSeed } from "../seed";
import { interchangeRoute } from "./access";
import { interchangeAdminRoutes } from "./admin";
import { getAdvertiser, revalidateDataDeliveryCredential, updateAdvertiser } from "./advertisers";
import { failure } from "./envelope";
import type { InterchangeSettings } from "./model";
import { listSourceCredentials, registerSourceCredential } from "./sourceCredentials";
import { InterchangeStore } from "./store";
import { getStorefront, getStorefrontCapabilities } from "./storefronts";

export type { InterchangeSeed, InterchangeSettings, InterchangeState, SourceAuthType } from "./model";

/** The versioned prefix every Interchange buyer route lives under. */
export const INTERCHANGE_PREFIX = "/api/v2/buyer";

/** The unversioned prefix that answers 308 towards {@link INTERCHANGE_PREFIX}. */
export const INTERCHANGE_LEGACY_PREFIX = "/api/buyer";

/** Options of {@link createInterchangePlatform}. */
export interface InterchangePlatformOptions {
  /** Requests per API key per minute (default 100; 0 disables). A seed's own `settings` override it. */
  rateLimitPerMinute?: number;
  /** Any other start-up setting (a seed's own `settings` override these). */
  settings?: Partial<InterchangeSettings>;
}

/** The Interchange platform, with its store exposed for in-process tests and the demo. */
export interface InterchangePlatform extends EmulatorPlatform {
  readonly store: InterchangeStore;
}

/** Create the Interchange platform; it starts on the default seed (emulator/seed.ts). */
export function createInterchangePlatform(options: InterchangePlatformOptions = {}): InterchangePlatform {
  const store = new InterchangeStore(defaultInterchangeSeed, {
    ...(options.settings ?? {}),
    ...(options.rateLimitPerMinute !== undefined ? { rateLimitPerMinute: options.rateLimitPerMinute } : {}),
  });
  const route = (method: string, path: string, handler: Parameters<typeof interchangeRoute>[3]) =>
    interchangeRoute(store, method, INTERCHANGE_PREFIX + path, handler);
  return {
    name: "interchange",
    prefixes: [INTERCHANGE_PREFIX, INTERCHANGE_LEGACY_PREFIX],
    store,
    routes: [
      route("POST", "/storefronts/{storefrontId}/sources/{sourceId}/credentials", (call) =>
        registerSourceCredential(store, call),
      ),
      route("GET", "/storefronts/credentials", (call) => listSourceCredentials(store, call)),
      route("GET", "/storefronts/{storefrontId}", (call) => getStorefront(store, call)),
      route("GET", "/storefronts/{storefrontId}/capabilities", (call) => getStorefrontCapabilities(store, call)),
      route("GET", "/advertisers/{advertiserId}", (call) => getAdvertiser(store, call)),
      route("PUT", "/advertisers/{advertiserId}", (call) => updateAdvertiser(store, call)),
      route("POST", "/advertisers/{advertiserId}/data-delivery-credentials/{name}/validate", (call) =>
        revalidateDataDeliveryCredential(store, call),
      ),
    ],
    adminRoutes: interchangeAdminRoutes(store),
    errorResponse(status: number, code: string, message: string, extras?: ErrorResponseExtras): EmulatorResponse {
      const headers: Record<string, string> = {};
      if (extras?.retryAfterSeconds !== undefined) {
        const seconds = String(Math.ceil(extras.retryAfterSeconds));
        headers["retry-after"] = seconds;
        if (status === 429) {
          headers["ratelimit-limit"] = String(store.state.settings.rateLimitPerMinute);
          headers["ratelimit-remaining"] = "0";
          headers["ratelimit-reset"] = seconds;
        }
      }
      return failure(status, code, message, undefined, undefined, headers);
    },
    unmatched(req: EmulatorRequest): EmulatorResponse | undefined {
      if (req.path !== INTERCHANGE_LEGACY_PREFIX && !req.path.startsWith(INTERCHANGE_LEGACY_PREFIX + "/")) {
        return undefined;
      }
      // The unversioned prefix answers 308 (method and body kept by the client), query string included.
      const query = req.query.toString();
      const location =
        INTERCHANGE_PREFIX + req.path.slice(INTERCHANGE_LEGACY_PREFIX.length) + (query ? `?${query}` : "");
      return { status: 308, headers: { location } };
    },
    reset(seed?: unknown): void {
      store.load(seed);
    },
    snapshot(): unknown {
      return structuredClone(store.state);
    },
    close(): void {
      store.clearTimers();
    },
  };
}
