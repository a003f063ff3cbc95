/**
 * The Commerce Layer OAuth token of a provider process: one `client_credentials` token, cached until shortly before
 * it expires and shared by every request of every resource. The Provisioning API client uses it as its
 * {@link TokenSource}; after a 401 the client calls `invalidate()` and retries once with a fresh token (a token
 * revoked or expired early on the platform's side).
 */
import { z } from "zod";
import { ApiError, parsePayload, type HttpClient, type TokenSource } from "../http";
import { ACCOUNTS_CONFIG_KEY, howToSetFor } from "../config";

/** The provisioning client credentials, resolved when the first token is needed. */
export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().refine((t) => t.toLowerCase() === "bearer", "must be bearer"),
  expires_in: z.number().positive(),
});

/**
 * How long before its announced expiry a token stops being used: a tenth of its lifetime, at most a minute, so a
 * request never leaves with a token that dies on the way.
 */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(60_000, lifetimeMs / 10);
}

/** Cached client-credentials token (see the module doc). */
export class CommerceLayerTokenSource implements TokenSource {
  private cached: { token: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;
  // Wrong client credentials do not fix themselves while the process runs: remembering the refusal gives every
  // resource the same clear error without one token request per resource and per retry.
  private refused: ApiError | undefined;

  constructor(
    /** Client of the token endpoint (`format: "json"`, base URL = the token URL). */
    private readonly http: HttpClient,
    /** The provisioning client id and secret; throws a ConfigurationError when they are not configured. */
    private readonly credentials: () => ClientCredentials,
    private readonly now: () => number = Date.now,
    /** The named account the credentials are of (for the remedy of a refusal); undefined for the default one. */
    private readonly account: string | undefined = undefined,
  ) {}

  /** The current token, requesting a new one when there is none or it is about to expire. */
  token(): Promise<string> {
    if (this.refused) return Promise.reject(this.refused);
    if (this.cached && this.now() < this.cached.renewAt) return Promise.resolve(this.cached.token);
    // Concurrent operations share one token request.
    this.pending ??= this.requestToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Forget the cached token (the API answered 401 with it). */
  invalidate(): void {
    this.cached = undefined;
  }

  private async requestToken(): Promise<string> {
    const { clientId, clientSecret } = this.credentials();
    const startedAt = this.now();
    const request = { method: "POST" as const, path: "" };
    let body: unknown;
    try {
      ({ body } = await this.http.request({
        ...request,
        body: { grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret },
        // Asking for a token twice is harmless, so timeouts and resets may be retried like any idempotent call.
        idempotent: true,
        anonymous: true,
        secrets: [clientSecret],
      }));
    } catch (err) {
      if (err instanceof ApiError && (err.isUnauthorized() || err.isValidation())) {
        this.refused = rejectedCredentials(err, this.account);
        throw this.refused;
      }
      throw err;
    }
    const parsed = parsePayload(tokenResponse, body, {
      service: "Commerce Layer auth",
      method: "POST",
      path: "(token endpoint)",
    });
    const lifetimeMs = parsed.expires_in * 1000;
    this.cached = { token: parsed.access_token, renewAt: startedAt + lifetimeMs - refreshMarginMs(lifetimeMs) };
    return parsed.access_token;
  }
}

function rejectedCredentials(err: ApiError, account: string | undefined): ApiError {
  const [id, secret] =
    account === undefined
      ? ["commercelayer:clientId", "commercelayer:clientSecret"]
      : [
          `${ACCOUNTS_CONFIG_KEY}.${account}.commerceLayerClientId`,
          `${ACCOUNTS_CONFIG_KEY}.${account}.commerceLayerClientSecret`,
        ];
  return err.with({
    remedy:
      `The provisioning client credentials were refused: check ${id} (${howToSetFor(account, "commerceLayerClientId")}) ` +
      `and ${secret} (${howToSetFor(account, "commerceLayerClientSecret")}).`,
  });
}
