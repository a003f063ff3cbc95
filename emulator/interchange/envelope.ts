/**
 * Interchange's response envelope: `{"data": payload, "error": null}` on success and
 * `{"data": null, "error": {code, message, field?, details?}}` on failure. Handlers throw
 * {@link InterchangeFailure}; the route wrapper turns it into the error document.
 */
import type { z } from "zod";
import type { EmulatorResponse } from "../framework";

/** One problem with a request body, as listed in `error.details.issues`. */
export interface ValidationIssue {
  /** Dotted path into the body (`dataDelivery.credentials.0.name`); empty for the body itself. */
  readonly path: string;
  readonly message: string;
}

/** An API refusal a handler throws; the route wrapper answers it in the error envelope. */
export class InterchangeFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "InterchangeFailure";
  }
}

/** A 400 VALIDATION_ERROR naming the first field and listing every issue. */
export function validationFailure(issues: readonly ValidationIssue[]): InterchangeFailure {
  const first = issues[0] ?? { path: "", message: "The request body is invalid." };
  const where = first.path === "" ? "body" : first.path;
  return new InterchangeFailure(400, "VALIDATION_ERROR", `Invalid ${where}: ${first.message}`, where, {
    issues: issues.map((i) => ({ path: i.path, message: i.message })),
  });
}

/** Zod's issues as Interchange lists them (paths prefixed, e.g. with `dataDelivery.credentials`). */
export function issuesOf(error: z.ZodError, prefix: readonly (string | number)[] = []): ValidationIssue[] {
  return error.issues.map((issue) => ({
    path: [...prefix, ...issue.path].map(String).join("."),
    message: issue.message,
  }));
}

/** A success envelope. */
export function success(status: number, data: unknown, headers?: Record<string, string>): EmulatorResponse {
  return { status, json: { data, error: null }, ...(headers ? { headers } : {}) };
}

/** An error envelope. */
export function failure(
  status: number,
  code: string,
  message: string,
  field?: string,
  details?: Record<string, unknown>,
  headers?: Record<string, string>,
): EmulatorResponse {
  const error: Record<string, unknown> = { code, message };
  if (field !== undefined) error.field = field;
  if (details !== undefined) error.details = details;
  return { status, json: { data: null, error }, ...(headers ? { headers } : {}) };
}

/** Parse a JSON request body, or throw the 400 the API answers for unreadable bodies. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) {
    throw new InterchangeFailure(400, "BAD_REQUEST", "The request body is empty; send a JSON object.");
  }
  try {
    return JSON.parse(body.toString("utf8"));
  } catch {
    throw new InterchangeFailure(400, "BAD_REQUEST", "The request body is not valid JSON; send a JSON object.");
  }
}
