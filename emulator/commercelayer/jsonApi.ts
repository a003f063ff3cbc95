/**
 * JSON:API mechanics shared by the Provisioning API routes: the guard every `/api` request passes (bearer token,
 * per-token rate limit, `Accept`/`Content-Type` negotiation), request document parsing, and list queries
 * (`page[...]`, `filter[q][...]`, `sort`, `include`) with their `meta`/`links`.
 */
import type { EmulatorRequest, EmulatorResponse } from "../framework";
import { errorResponseFor, JSON_API } from "./errors";
import type { CommerceLayerState, ProvisioningUser } from "./state";

/** What a Provisioning API handler gets once the request passed the guard. */
export interface ApiContext {
  readonly req: EmulatorRequest;
  readonly state: CommerceLayerState;
  readonly user: ProvisioningUser;
  /** `http://host:port` as the client addressed it, for absolute `links`. */
  readonly origin: string;
}

/** A Provisioning API handler. */
export type ApiHandler = (ctx: ApiContext) => EmulatorResponse;

/** Largest `page[size]` Commerce Layer accepts. */
export const MAX_PAGE_SIZE = 25;
/** `page[size]` when the client sends none. */
export const DEFAULT_PAGE_SIZE = 10;

function mediaType(header: string | undefined): string {
  return (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

function acceptsJsonApi(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(",").some((part) => mediaType(part) === JSON_API);
}

/** The sender's origin, taken from the Host header so links point back at this emulator. */
export function originOf(req: EmulatorRequest): string {
  return `http://${req.headers.host ?? "127.0.0.1"}`;
}

function bearerToken(req: EmulatorRequest): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function withHeaders(res: EmulatorResponse, headers: Record<string, string>): EmulatorResponse {
  return { ...res, headers: { ...res.headers, ...headers } };
}

/**
 * Run `handler` behind the checks Commerce Layer applies, in this order: bearer token (401), rate limit per token
 * (429), `Accept` (406), `Content-Type` of requests with a body (415). Every answer to an authenticated request
 * carries the `X-Ratelimit-*` headers.
 */
export function guardApiRequest(
  state: CommerceLayerState,
  req: EmulatorRequest,
  handler: ApiHandler,
): EmulatorResponse {
  const token = bearerToken(req);
  if (token === undefined) {
    return errorResponseFor(
      401,
      "UNAUTHORIZED",
      "No access token: send Authorization: Bearer <access_token> obtained from POST /oauth/token.",
    );
  }
  const record = state.tokens.get(token);
  const user = record ? state.users.get(record.userId) : undefined;
  if (!record || !user) {
    return errorResponseFor(
      401,
      "UNAUTHORIZED",
      "The access token is invalid: request a new one from POST /oauth/token.",
    );
  }
  const now = Date.now();
  if (record.expiresAt <= now) {
    return errorResponseFor(
      401,
      "UNAUTHORIZED",
      "The access token has expired: request a new one from POST /oauth/token.",
    );
  }

  const { rateLimitPerInterval: limit, rateLimitIntervalSeconds: interval } = state.settings;
  let rateHeaders: Record<string, string> = {};
  if (limit > 0) {
    // A sliding window, as Commerce Layer documents: counts never reset, old requests age out of the window.
    const windowStart = now - interval * 1000;
    const hits = (state.rateWindows.get(token) ?? []).filter((t) => t > windowStart);
    state.rateWindows.set(token, hits);
    if (hits.length >= limit) {
      return errorResponseFor(
        429,
        "TOO_MANY_REQUESTS",
        `Rate limit of ${limit} requests per ${interval} seconds exceeded for this access token: slow down and retry later.`,
        {
          headers: {
            "X-Ratelimit-Limit": String(limit),
            "X-Ratelimit-Interval": String(interval),
            "X-Ratelimit-Remaining": "0",
          },
        },
      );
    }
    hits.push(now);
    rateHeaders = {
      "X-Ratelimit-Limit": String(limit),
      "X-Ratelimit-Interval": String(interval),
      "X-Ratelimit-Remaining": String(limit - hits.length),
    };
  }

  if (!acceptsJsonApi(req.headers.accept)) {
    return withHeaders(
      errorResponseFor(
        406,
        "NOT_ACCEPTABLE",
        `The Accept header must be ${JSON_API}; got ${JSON.stringify(req.headers.accept ?? "")}.`,
      ),
      rateHeaders,
    );
  }
  const sendsBody = req.method === "POST" || req.method === "PATCH" || req.method === "PUT" || req.body.length > 0;
  if (sendsBody && mediaType(req.headers["content-type"]) !== JSON_API) {
    return withHeaders(
      errorResponseFor(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        `The Content-Type header must be ${JSON_API}; got ${JSON.stringify(req.headers["content-type"] ?? "")}.`,
      ),
      rateHeaders,
    );
  }
  const response = handler({ req, state, user, origin: originOf(req) });
  return withHeaders(response, rateHeaders);
}

/** A JSON:API success document. */
export function documentResponse(status: number, json: unknown): EmulatorResponse {
  return { status, headers: { "content-type": JSON_API }, json };
}

/** Result of a parsing step: a value, or the error response to send. */
export type Parsed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly response: EmulatorResponse };

/** Is `value` a plain JSON object? */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Parse a request document down to its `data` object, checking `data.type` (and `data.id` against the URL on
 * PATCH). Bad JSON and bad top-level shapes are 400s, as Commerce Layer answers them.
 */
export function parseResourceDocument(
  req: EmulatorRequest,
  type: string,
  idInUrl?: string,
): Parsed<Record<string, unknown>> {
  const fail = (code: string, detail: string, pointer?: string): Parsed<Record<string, unknown>> => ({
    ok: false,
    response: errorResponseFor(400, code, detail, pointer !== undefined ? { pointer } : {}),
  });
  if (req.body.length === 0)
    return fail("BAD_REQUEST", `The request body is empty: send a JSON:API document {"data": {...}}.`);
  let doc: unknown;
  try {
    doc = JSON.parse(req.body.toString("utf8"));
  } catch {
    return fail("BAD_REQUEST", 'The request body is not valid JSON: send a JSON:API document {"data": {...}}.');
  }
  if (!isJsonObject(doc) || !("data" in doc)) {
    return fail("PARAM_MISSING", 'The required parameter, data, is missing: send {"data": {...}}.', "/data");
  }
  const data = doc.data;
  if (!isJsonObject(data))
    return fail("INVALID_DATA_FORMAT", "Data is not a valid format: data must be an object.", "/data");
  if (data.type === undefined) return fail("PARAM_MISSING", "The required parameter, type, is missing.", "/data/type");
  if (data.type !== type) {
    return fail(
      "INVALID_RESOURCE",
      `${JSON.stringify(data.type)} is not a valid resource: use "${type}".`,
      "/data/type",
    );
  }
  if (idInUrl === undefined) {
    if (data.id !== undefined) {
      return fail("PARAM_NOT_ALLOWED", "id is not allowed: the server assigns ids on create.", "/data/id");
    }
  } else {
    if (data.id === undefined) return fail("PARAM_MISSING", "The required parameter, id, is missing.", "/data/id");
    if (data.id !== idInUrl) {
      return fail(
        "KEY_NOT_INCLUDED_IN_URL",
        `The resource id ${JSON.stringify(data.id)} does not match the URL id.`,
        "/data/id",
      );
    }
  }
  for (const member of ["attributes", "relationships"] as const) {
    if (data[member] !== undefined && !isJsonObject(data[member])) {
      return fail("INVALID_DATA_FORMAT", `Data is not a valid format: ${member} must be an object.`, `/data/${member}`);
    }
  }
  for (const key of Object.keys(data)) {
    if (!["type", "id", "attributes", "relationships"].includes(key)) {
      return fail("PARAM_NOT_ALLOWED", `${key} is not allowed in data.`, `/data/${key}`);
    }
  }
  return { ok: true, value: data };
}

/** How a list can be filtered, sorted and included. */
export interface ListSpec<T> {
  /** Attributes usable in `filter[q][<attribute>_<predicate>]` and `sort`. */
  readonly attributes: Readonly<Record<string, (record: T) => string | number | boolean | null>>;
  /** Relationship names accepted by `include`. */
  readonly includes: readonly string[];
}

/** A parsed list query. */
export interface ListQuery<T> {
  readonly pageNumber: number;
  readonly pageSize: number;
  readonly predicates: ReadonlyArray<(record: T) => boolean>;
  readonly compare: ((a: T, b: T) => number) | undefined;
  readonly includes: readonly string[];
}

const PREDICATES = ["not_eq", "eq", "in", "not_in", "cont", "start", "end", "null"] as const;

function matchPredicate(
  predicate: (typeof PREDICATES)[number],
  actual: string | number | boolean | null,
  raw: string,
): boolean {
  const value = actual === null ? null : String(actual);
  switch (predicate) {
    case "eq":
      return value === raw;
    case "not_eq":
      return value !== raw;
    case "in":
      return value !== null && raw.split(",").includes(value);
    case "not_in":
      return value === null || !raw.split(",").includes(value);
    case "cont":
      return value !== null && value.toLowerCase().includes(raw.toLowerCase());
    case "start":
      return value !== null && value.toLowerCase().startsWith(raw.toLowerCase());
    case "end":
      return value !== null && value.toLowerCase().endsWith(raw.toLowerCase());
    case "null":
      return (value === null) === (raw === "true");
  }
}

/** Parse `include=a,b`, rejecting relationships the resource does not have (400 INVALID_INCLUDE). */
export function parseIncludes(query: URLSearchParams, allowed: readonly string[]): Parsed<string[]> {
  const raw = query.get("include");
  if (raw === null || raw === "") return { ok: true, value: [] };
  const names = raw.split(",").map((s) => s.trim());
  for (const name of names) {
    if (!allowed.includes(name)) {
      return {
        ok: false,
        response: errorResponseFor(
          400,
          "INVALID_INCLUDE",
          `${name} is not a valid includable relationship; use one of: ${allowed.join(", ") || "(none)"}.`,
          { title: "Invalid field" },
        ),
      };
    }
  }
  return { ok: true, value: [...new Set(names)] };
}

/** Parse the list parameters; unknown filters, sort fields and bad page values are 400s naming the parameter. */
export function parseListQuery<T>(query: URLSearchParams, spec: ListSpec<T>): Parsed<ListQuery<T>> {
  const fail = (code: string, detail: string, title?: string): Parsed<ListQuery<T>> => ({
    ok: false,
    response: errorResponseFor(400, code, detail, title !== undefined ? { title } : {}),
  });
  const pageParam = (name: "number" | "size", fallback: number): number | string => {
    const raw = query.get(`page[${name}]`);
    if (raw === null) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 1) return `${raw} is not a valid value for ${name} page parameter.`;
    return Number(raw);
  };
  const pageNumber = pageParam("number", 1);
  if (typeof pageNumber === "string") return fail("INVALID_PAGE_VALUE", pageNumber, "Invalid page value");
  const pageSize = pageParam("size", DEFAULT_PAGE_SIZE);
  if (typeof pageSize === "string") return fail("INVALID_PAGE_VALUE", pageSize, "Invalid page value");
  if (pageSize > MAX_PAGE_SIZE) {
    return fail(
      "INVALID_PAGE_VALUE",
      `size exceeds maximum page size of ${MAX_PAGE_SIZE}: use page[size] between 1 and ${MAX_PAGE_SIZE} and follow links.next.`,
      "Invalid page value",
    );
  }

  const predicates: Array<(record: T) => boolean> = [];
  for (const [key, raw] of query) {
    if (!key.startsWith("filter")) continue;
    const match = /^filter\[q\]\[([a-z_]+)\]$/.exec(key);
    const attributeAndPredicate = match?.[1];
    const predicate = PREDICATES.find((p) => attributeAndPredicate?.endsWith(`_${p}`));
    const attribute = predicate ? attributeAndPredicate?.slice(0, -(predicate.length + 1)) : undefined;
    const getter = attribute !== undefined ? spec.attributes[attribute] : undefined;
    if (!predicate || !getter) {
      return fail(
        "FILTER_NOT_ALLOWED",
        `${key} is not allowed: use filter[q][<attribute>_<predicate>] with attribute one of ` +
          `${Object.keys(spec.attributes).join(", ")} and predicate one of ${PREDICATES.join(", ")}.`,
        "Filter not allowed",
      );
    }
    predicates.push((record) => matchPredicate(predicate, getter(record), raw));
  }

  let compare: ((a: T, b: T) => number) | undefined;
  const sort = query.get("sort");
  if (sort !== null && sort !== "") {
    const keys: Array<{ getter: (record: T) => string | number | boolean | null; direction: number }> = [];
    for (const field of sort.split(",")) {
      const descending = field.startsWith("-");
      const name = descending ? field.slice(1) : field;
      const getter = spec.attributes[name];
      if (!getter) {
        return fail(
          "INVALID_SORT_CRITERIA",
          `${name} is not a valid sort criteria; use one of ${Object.keys(spec.attributes).join(", ")} (prefix - to reverse).`,
          "Invalid sort criteria",
        );
      }
      keys.push({ getter, direction: descending ? -1 : 1 });
    }
    compare = (a, b) => {
      for (const { getter, direction } of keys) {
        const x = getter(a);
        const y = getter(b);
        if (x === y) continue;
        if (x === null) return -direction;
        if (y === null) return direction;
        return (x < y ? -1 : 1) * direction;
      }
      return 0;
    };
  }

  const includes = parseIncludes(query, spec.includes);
  if (!includes.ok) return includes;
  return { ok: true, value: { pageNumber, pageSize, predicates, compare, includes: includes.value } };
}

/** Apply a list query: the page of records plus the `meta` and `links` members of the list document. */
export function paginate<T>(
  records: readonly T[],
  query: ListQuery<T>,
  ctx: ApiContext,
): { page: T[]; meta: { record_count: number; page_count: number }; links: Record<string, string> } {
  let selected = records.filter((r) => query.predicates.every((p) => p(r)));
  if (query.compare) selected = [...selected].sort(query.compare);
  const recordCount = selected.length;
  const pageCount = Math.ceil(recordCount / query.pageSize);
  const start = (query.pageNumber - 1) * query.pageSize;
  const page = selected.slice(start, start + query.pageSize);

  const linkTo = (number: number): string => {
    const params = new URLSearchParams(ctx.req.query);
    params.set("page[number]", String(number));
    params.set("page[size]", String(query.pageSize));
    return `${ctx.origin}${ctx.req.path}?${params.toString()}`;
  };
  const links: Record<string, string> = { first: linkTo(1) };
  if (query.pageNumber > 1 && pageCount > 0) links.prev = linkTo(Math.min(query.pageNumber - 1, pageCount));
  if (query.pageNumber < pageCount) links.next = linkTo(query.pageNumber + 1);
  links.last = linkTo(Math.max(pageCount, 1));
  return { page, meta: { record_count: recordCount, page_count: pageCount }, links };
}
