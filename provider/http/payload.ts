/**
 * Checking response payloads with zod: a body that does not have the documented shape becomes an ApiError
 * (UNEXPECTED_RESPONSE) naming the request and the paths that did not match, never the values (they may be secret).
 */
import type { z } from "zod";
import { ApiError, ClientErrorCode } from "./errors";

/** Parse `body` with `schema` or throw an ApiError describing the mismatch by paths only. */
export function parsePayload<T>(
  schema: z.ZodType<T>,
  body: unknown,
  request: { service: string; method: string; path: string },
): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const where = result.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "(body)"}: ${i.code}`)
    .join(", ");
  throw new ApiError({
    ...request,
    status: undefined,
    code: ClientErrorCode.UnexpectedResponse,
    platformMessage: `the response does not have the documented shape (${where})`,
    remedy: "The platform's API may have changed; check for a newer pulumi-platform-credentials.",
  });
}
