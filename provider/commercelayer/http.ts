/**
 * The Commerce Layer HTTP clients of a provider process and account, built once from the account's settings and
 * shared by every Commerce Layer resource of that account: the token endpoint client and the Provisioning API client
 * authenticated by the cached token.
 */
import type { ProviderContext } from "../context";
import { requireAccountSetting } from "../config";
import { HttpClient } from "../http";
import { CommerceLayerTokenSource } from "./token";

/** Display name used in every Provisioning API error message. */
export const COMMERCE_LAYER = "Commerce Layer";

/** Display name used in token endpoint error messages. */
export const COMMERCE_LAYER_AUTH = "Commerce Layer auth";

/** The account's token source (one cached token for every Commerce Layer request of the account). */
export function commerceLayerTokens(ctx: ProviderContext): CommerceLayerTokenSource {
  return ctx.memo("commercelayer.token", () => {
    const settings = ctx.settings.commerceLayer;
    const http = new HttpClient({
      service: COMMERCE_LAYER_AUTH,
      baseUrl: settings.authUrl,
      format: "json",
      timeoutMs: ctx.settings.http.timeoutMs,
      retry: { maxRetries: ctx.settings.http.maxRetries, maxRetryAfterMs: ctx.settings.http.maxRetryAfterMs },
    });
    // Resolved at the first token request, so a stack that never touches Commerce Layer need not configure it and
    // check/diff (which make no call) work without credentials.
    return new CommerceLayerTokenSource(
      http,
      () => ({
        clientId: requireAccountSetting(
          settings.clientId,
          ctx.account,
          "commerceLayerClientId",
          "The Commerce Layer client id",
        ),
        clientSecret: requireAccountSetting(
          settings.clientSecret,
          ctx.account,
          "commerceLayerClientSecret",
          "The Commerce Layer client secret",
        ),
      }),
      Date.now,
      ctx.account,
    );
  });
}

/** The account's Provisioning API client (JSON:API documents, cached bearer token, retries per settings). */
export function commerceLayerHttp(ctx: ProviderContext): HttpClient {
  return ctx.memo(
    "commercelayer.http",
    () =>
      new HttpClient({
        service: COMMERCE_LAYER,
        baseUrl: ctx.settings.commerceLayer.baseUrl,
        format: "jsonapi",
        auth: commerceLayerTokens(ctx),
        timeoutMs: ctx.settings.http.timeoutMs,
        retry: { maxRetries: ctx.settings.http.maxRetries, maxRetryAfterMs: ctx.settings.http.maxRetryAfterMs },
      }),
  );
}
