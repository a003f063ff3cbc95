/**
 * The Commerce Layer platform of the emulator: the token endpoint (`/oauth/token`) and the Provisioning API
 * (`/api`: API credentials, organizations, roles) over in-memory state, plus its administration routes under
 * `/_emulator/commercelayer/` (`POST /tokens/expire`, `GET|POST /settings`, `GET /history`).
 */
import type { EmulatorPlatform, EmulatorResponse, EmulatorRoute } from "../framework";
import { apiCredentialRoutes } from "./apiCredentials";
import { expireTokensRoute, tokenRoutes } from "./auth";
import { errorResponseFor } from "./errors";
import { organizationRoutes } from "./organizations";
import { commerceLayerSettingsSchema } from "./seed";
import { CommerceLayerState } from "./state";

export { defaultCommerceLayerSeed, type CommerceLayerSeed, type CommerceLayerSettings } from "./seed";

function settingsRoutes(state: CommerceLayerState): EmulatorRoute[] {
  return [
    { method: "GET", template: "/settings", handle: () => ({ status: 200, json: { ...state.settings } }) },
    {
      method: "POST",
      template: "/settings",
      handle: (req): EmulatorResponse => {
        let body: unknown;
        try {
          body = JSON.parse(req.body.toString("utf8") || "{}");
        } catch {
          return errorResponseFor(400, "BAD_REQUEST", "The settings body is not valid JSON.");
        }
        const parsed = commerceLayerSettingsSchema.partial().safeParse(body);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const field = issue?.path.join(".") || (issue && "keys" in issue ? String(issue.keys) : "");
          return errorResponseFor(400, "BAD_REQUEST", `Invalid setting ${field}: ${issue?.message ?? "invalid"}.`, {
            pointer: `/${issue?.path.join("/") ?? ""}`,
          });
        }
        // Drop keys whose value is undefined so they do not erase current settings.
        const changes = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
        Object.assign(state.settings, changes);
        if (changes.rateLimitPerInterval !== undefined || changes.rateLimitIntervalSeconds !== undefined) {
          state.rateWindows.clear();
        }
        return { status: 200, json: { ...state.settings } };
      },
    },
  ];
}

/** Create the Commerce Layer platform: the token endpoint and the Provisioning API over in-memory state. */
export function createCommerceLayerPlatform(): EmulatorPlatform {
  const state = new CommerceLayerState();
  return {
    name: "commercelayer",
    prefixes: ["/oauth/token", "/api"],
    routes: [...tokenRoutes(state), ...apiCredentialRoutes(state), ...organizationRoutes(state)],
    adminRoutes: [
      expireTokensRoute(state),
      ...settingsRoutes(state),
      { method: "GET", template: "/history", handle: () => ({ status: 200, json: state.history }) },
    ],
    errorResponse: (status, code, message) => {
      // An injected 429 looks like the platform's own: the rate-limit headers with nothing remaining.
      const { rateLimitPerInterval, rateLimitIntervalSeconds } = state.settings;
      const headers: Record<string, string> =
        status === 429
          ? {
              "X-Ratelimit-Limit": String(rateLimitPerInterval),
              "X-Ratelimit-Interval": String(rateLimitIntervalSeconds),
              "X-Ratelimit-Remaining": "0",
            }
          : {};
      return errorResponseFor(status, code, message, { headers });
    },
    reset: (seed) => state.reset(seed),
    snapshot: () => state.snapshot(),
    close: () => {},
  };
}
