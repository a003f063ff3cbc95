/**
 * Support for the DataDeliveryCredential suites: a provider context pointed at the emulator whose Interchange client
 * checks every PUT body against the contract before sending it, request counting through `/_emulator/requests`, and
 * SAS tokens that look real (generated per run, so a leak is searchable).
 */
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { ProviderContext } from "../../provider/context";
import { resolveSettings } from "../../provider/config";
import { HttpClient, type HttpRequest, type HttpResponse } from "../../provider/http";
import { INTERCHANGE } from "../../provider/interchange/http";
import type { RunningEmulator } from "../../emulator/server";
import { assertRequestMatches } from "../support/openapi";
import { KEYS, requestJson } from "../support/emulator";

/** Route keys of `/_emulator/requests` for the three operations. */
export const ROUTES = {
  get: "GET /api/v2/buyer/advertisers/{advertiserId}",
  put: "PUT /api/v2/buyer/advertisers/{advertiserId}",
  validate: "POST /api/v2/buyer/advertisers/{advertiserId}/data-delivery-credentials/{name}/validate",
} as const;

/** Request counts per route since the last clear. */
export async function requestCounts(emulator: RunningEmulator): Promise<Record<string, number>> {
  const response = await requestJson(`${emulator.adminUrl}/requests`);
  return response.body as Record<string, number>;
}

/** Count of one route (0 when never called). */
export async function countOf(emulator: RunningEmulator, route: string): Promise<number> {
  return (await requestCounts(emulator))[route] ?? 0;
}

/** An Interchange client that validates each advertiser PUT body against the contract and records it. */
class ContractCheckingClient extends HttpClient {
  readonly sentBodies: unknown[] = [];
  override async request<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    if (req.method === "PUT" && /^\/advertisers\/[^/]+$/.test(req.path)) {
      assertRequestMatches("interchange", "PUT", "/advertisers/{advertiserId}", req.body);
      this.sentBodies.push(req.body);
    }
    return super.request<T>(req);
  }
}

/**
 * A context like the provider host builds (one provider process), pointed at the emulator, plus the PUT bodies it
 * sent. Writes do not wait for unknown sibling tokens unless `options.siblingTokenWaitMs` says so: these suites show
 * tokens explicitly, and the wait has its own test.
 */
export function emulatorContext(
  emulator: RunningEmulator,
  config: Record<string, string> = {},
  options: { siblingTokenWaitMs?: number } = {},
): { ctx: ProviderContext; sentBodies: unknown[] } {
  const values: Record<string, string> = {
    "interchange:apiKey": KEYS.acme,
    "interchange:baseUrl": emulator.interchangeUrl,
    ...config,
  };
  const settings = resolveSettings((key) => values[key], {});
  const ctx = new ProviderContext(settings, { siblingTokenWaitMs: options.siblingTokenWaitMs ?? 0 });
  const client = new ContractCheckingClient({
    service: INTERCHANGE,
    baseUrl: settings.interchange.baseUrl,
    format: "interchange",
    auth: { token: () => values["interchange:apiKey"] ?? "" },
    timeoutMs: settings.http.timeoutMs,
    // Short backoff keeps fault tests fast; the policy itself is the HTTP client's.
    retry: { maxRetries: settings.http.maxRetries, baseDelayMs: 20, maxDelayMs: 100 },
  });
  ctx.memo("interchange.http", () => client);
  return { ctx, sentBodies: client.sentBodies };
}

/** A SAS query string that looks like Azure's, with a random signature; `se` defaults to a year from now. */
export function sasToken(params: Record<string, string> = {}): string {
  const se = new Date(Date.now() + 365 * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
  const query = new URLSearchParams({
    sv: "2024-11-04",
    ss: "b",
    sp: "cwd",
    sr: "c",
    se,
    spr: "https",
    ...params,
    sig: randomBytes(32).toString("base64"),
  });
  return query.toString();
}

/** The emulator's stored credentials of an advertiser (from `/_emulator/state`). */
export async function storedCredentials(
  emulator: RunningEmulator,
  advertiserId: string,
): Promise<Array<{ name: string; credentialId: string; status: string; config: Record<string, unknown> }>> {
  const state = (await requestJson(`${emulator.adminUrl}/state`)).body as {
    interchange: { advertisers: Array<{ id: string; credentials: never[] }> };
  };
  const advertiser = state.interchange.advertisers.find((a) => a.id === advertiserId);
  expect(advertiser, `advertiser ${advertiserId} in emulator state`).toBeDefined();
  return advertiser?.credentials ?? [];
}

/** Emulator start options for these suites: fast probes, no rate limit. */
export const FAST_EMULATOR = {
  interchangeRateLimitPerMinute: 0,
} as const;

/** Make probes fast (ms) and pick the validate mode. */
export async function emulatorSettings(
  emulator: RunningEmulator,
  settings: { probeDelayMs?: number; validateMode?: "async" | "sync" },
): Promise<void> {
  const response = await requestJson(`${emulator.adminUrl}/interchange/settings`, { method: "POST", body: settings });
  expect(response.status).toBe(200);
}

/** Remove (or give back) Scope3's grant on a destination: probes of it then fail. */
export async function setGrant(emulator: RunningEmulator, destination: string, granted: boolean): Promise<void> {
  const response = await requestJson(`${emulator.adminUrl}/interchange/destinations`, {
    method: "POST",
    body: { destination, granted },
  });
  expect(response.status).toBe(200);
}
