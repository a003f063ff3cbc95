/**
 * The Scope3 Interchange HTTP client of a provider process and account, built once from the account's settings and
 * shared by every Interchange resource of that account.
 */
import type { ProviderContext } from "../context";
import { requireAccountSetting } from "../config";
import { HttpClient } from "../http";

/** Display name used in every Interchange error message. */
export const INTERCHANGE = "Scope3 Interchange";

/** The account's Interchange client (bearer API key, envelopes, retries per settings). */
export function interchangeHttp(ctx: ProviderContext): HttpClient {
  return ctx.memo(
    "interchange.http",
    () =>
      new HttpClient({
        service: INTERCHANGE,
        baseUrl: ctx.settings.interchange.baseUrl,
        format: "interchange",
        auth: {
          // Resolved per request so a missing key fails the first call that needs it with a clear message,
          // not provider start-up (Commerce Layer-only stacks never set it).
          token: () =>
            requireAccountSetting(
              ctx.settings.interchange.apiKey,
              ctx.account,
              "interchangeApiKey",
              "The Scope3 Interchange API key",
            ),
        },
        timeoutMs: ctx.settings.http.timeoutMs,
        retry: { maxRetries: ctx.settings.http.maxRetries, maxRetryAfterMs: ctx.settings.http.maxRetryAfterMs },
      }),
  );
}
