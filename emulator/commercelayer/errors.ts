/**
 * Commerce Layer's JSON:API error documents: `{"errors": [{title, detail, code, status, source?, meta?}]}` with
 * `status` as a string, the codes of its Rails/jsonapi-resources stack (`UNAUTHORIZED`, `RECORD_NOT_FOUND`,
 * `VALIDATION_ERROR`, `PARAM_NOT_ALLOWED`, ...).
 */
import type { EmulatorResponse } from "../framework";

/** Media type of every Provisioning API document. */
export const JSON_API = "application/vnd.api+json";

/** One entry of an `errors` array. */
export interface JsonApiError {
  readonly title: string;
  readonly detail: string;
  readonly code: string;
  readonly status: string;
  readonly source?: { readonly pointer: string };
  readonly meta?: Readonly<Record<string, unknown>>;
}

const titles: Readonly<Record<number, string>> = {
  400: "Bad request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Record not found",
  405: "Method not allowed",
  406: "Not acceptable",
  408: "Request timeout",
  409: "Record not unique",
  413: "Payload too large",
  415: "Unsupported media type",
  422: "Unprocessable entity",
  423: "Locked",
  429: "Too many requests",
  431: "Request header fields too large",
  500: "Internal server error",
  502: "Bad gateway",
  503: "Service unavailable",
  504: "Gateway timeout",
};

/** Build one error entry; `title` defaults to the status text Commerce Layer uses. */
export function jsonApiError(
  status: number,
  code: string,
  detail: string,
  options: { title?: string; pointer?: string; meta?: Record<string, unknown> } = {},
): JsonApiError {
  return {
    title: options.title ?? titles[status] ?? "Error",
    detail,
    code,
    status: String(status),
    ...(options.pointer !== undefined ? { source: { pointer: options.pointer } } : {}),
    ...(options.meta !== undefined ? { meta: options.meta } : {}),
  };
}

/** A response carrying one or more errors; the HTTP status is the first error's. */
export function errorDocument(errors: readonly JsonApiError[], headers: Record<string, string> = {}): EmulatorResponse {
  const status = Number(errors[0]?.status ?? 500);
  return { status, headers: { "content-type": JSON_API, ...headers }, json: { errors } };
}

/** Shorthand for a single-error response. */
export function errorResponseFor(
  status: number,
  code: string,
  detail: string,
  options: { title?: string; pointer?: string; meta?: Record<string, unknown>; headers?: Record<string, string> } = {},
): EmulatorResponse {
  return errorDocument([jsonApiError(status, code, detail, options)], options.headers ?? {});
}

/**
 * A `422 VALIDATION_ERROR` entry the way Rails validation errors come out of Commerce Layer: the title is the
 * message, the detail prefixes the attribute, the pointer names it and `meta.error` the validation key.
 */
export function validationError(pointer: string, message: string, errorKey: string, hint?: string): JsonApiError {
  const field = pointer.split("/").pop() ?? pointer;
  return jsonApiError(422, "VALIDATION_ERROR", `${field} - ${message}${hint ? `: ${hint}` : ""}`, {
    title: message,
    pointer,
    meta: { error: errorKey },
  });
}
