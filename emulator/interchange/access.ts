/**
 * What every Interchange API route does before its own work: count the request against the API key's rate
 * limit (headers on every answer), authenticate the bearer key, and hold writes behind the Terms-of-Service gate
 * (reads keep working). Handlers throw {@link InterchangeFailure}; this wrapper answers it in the error envelope.
 */
import type { EmulatorRequest, EmulatorResponse, EmulatorRoute } from "../framework";
import { failure, InterchangeFailure } from "./envelope";
import type { ApiKey, Customer } from "./model";
import type { InterchangeStore } from "./store";

/** An authenticated API call as a handler sees it. */
export interface InterchangeCall {
  readonly req: EmulatorRequest;
  readonly key: ApiKey;
  readonly customer: Customer;
  readonly now: Date;
}

const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function bearerToken(req: EmulatorRequest): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === "string" ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

function authenticate(store: InterchangeStore, token: string | undefined): { key: ApiKey; customer: Customer } {
  if (token === undefined) {
    throw new InterchangeFailure(
      401,
      "UNAUTHORIZED",
      "Missing API key: send the header `Authorization: Bearer <Interchange API key>`.",
    );
  }
  const key = store.state.apiKeys.find((k) => k.key === token);
  const customer = key && store.state.customers.find((c) => c.id === key.customer);
  if (!key || !customer) {
    // Never echo the presented key: it may be a real secret sent to the wrong place.
    throw new InterchangeFailure(
      401,
      "UNAUTHORIZED",
      "The API key is not valid; check the configured Interchange API key.",
    );
  }
  return { key, customer };
}

/** An Interchange API route: rate limit, authentication and the ToS gate around `handler`. */
export function interchangeRoute(
  store: InterchangeStore,
  method: string,
  template: string,
  handler: (call: InterchangeCall) => EmulatorResponse,
): EmulatorRoute {
  return {
    method,
    template,
    handle(req) {
      const token = bearerToken(req);
      const verdict = store.countRequest(token ?? `anonymous`);
      try {
        if (verdict.retryAfterSeconds !== undefined) {
          throw new InterchangeFailure(
            429,
            "RATE_LIMITED",
            `Rate limit of ${store.state.settings.rateLimitPerMinute} requests per minute exceeded; retry after ` +
              `${verdict.retryAfterSeconds} seconds.`,
          );
        }
        const { key, customer } = authenticate(store, token);
        if (WRITE_METHODS.has(req.method) && !customer.tosAccepted) {
          throw new InterchangeFailure(
            403,
            "TOS_ACCEPTANCE_REQUIRED",
            "Your organization has not accepted the Scope3 Terms of Service; an administrator must accept them in " +
              "the Interchange web app before any write.",
          );
        }
        const response = handler({ req, key, customer, now: new Date() });
        return { ...response, headers: { ...verdict.headers, ...(response.headers ?? {}) } };
      } catch (err) {
        if (!(err instanceof InterchangeFailure)) throw err;
        const headers: Record<string, string> = { ...verdict.headers };
        if (err.status === 429 && verdict.retryAfterSeconds !== undefined) {
          headers["retry-after"] = String(verdict.retryAfterSeconds);
        }
        return failure(err.status, err.code, err.message, err.field, err.details, headers);
      }
    },
  };
}

/** Parse a `{storefrontId}` path parameter (integer ≥ 1), or throw the 400 the API answers. */
export function storefrontIdParam(req: EmulatorRequest): number {
  const raw = req.params.storefrontId ?? "";
  const id = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1) {
    throw new InterchangeFailure(
      400,
      "VALIDATION_ERROR",
      "storefrontId must be an integer of at least 1.",
      "storefrontId",
      {
        issues: [{ path: "storefrontId", message: "must be an integer of at least 1" }],
      },
    );
  }
  return id;
}
