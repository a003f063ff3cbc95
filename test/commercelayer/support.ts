/**
 * Shared helpers of the commercelayer suites: the default seed's provisioning client and organizations, and
 * reading the emulator's request counts and Commerce Layer state over its administration API.
 */
import type { RunningEmulator } from "../../emulator/server";
import { admin } from "../support/emulator";

/** The default seed's provisioning client id. */
export const CLIENT_ID = "cl-emulator-client";
/** The default seed's provisioning client secret. */
export const CLIENT_SECRET = "cl-emulator-secret";
/** Organizations and roles of the default seed. */
export const BLUE = "BlueBrnd01";
export const BLUE_ADMIN = "BlueAdmin1";
export const BLUE_READ = "BlueRead01";
export const GREEN = "GreenGrc01";

/** Route keys of `GET /_emulator/requests`. */
export const ROUTES = {
  token: "POST /oauth/token",
  create: "POST /api/api_credentials",
  list: "GET /api/api_credentials",
  retrieve: "GET /api/api_credentials/{apiCredentialId}",
  update: "PATCH /api/api_credentials/{apiCredentialId}",
  delete: "DELETE /api/api_credentials/{apiCredentialId}",
  roles: "GET /api/organizations/{organizationId}/roles",
} as const;

/** Requests per route since the last reset, with 0 for routes never called. */
export async function requestCounts(emulator: RunningEmulator): Promise<Record<keyof typeof ROUTES, number>> {
  const { status, body } = await admin(emulator, "GET", "/requests");
  if (status !== 200) throw new Error(`GET /_emulator/requests answered ${status}`);
  const counts = body as Record<string, number>;
  return Object.fromEntries(Object.entries(ROUTES).map(([name, key]) => [name, counts[key] ?? 0])) as Record<
    keyof typeof ROUTES,
    number
  >;
}

/** One API credential as `GET /_emulator/state` shows it. */
export interface EmulatedCredential {
  id: string;
  name: string;
  kind: string;
  organizationId: string;
  roleId: string | null;
  clientId: string;
  clientSecret: string;
  metadata: Record<string, unknown> | null;
  expiresIn: number;
  mode: string;
}

/** The API credentials in the emulator's Commerce Layer state. */
export async function emulatedCredentials(emulator: RunningEmulator): Promise<EmulatedCredential[]> {
  const { status, body } = await admin(emulator, "GET", "/state");
  if (status !== 200) throw new Error(`GET /_emulator/state answered ${status}`);
  return (body as { commercelayer: { apiCredentials: EmulatedCredential[] } }).commercelayer.apiCredentials;
}

/** Change the emulator's Commerce Layer settings (`POST /_emulator/commercelayer/settings`). */
export async function commerceLayerSettings(
  emulator: RunningEmulator,
  settings: Record<string, unknown>,
): Promise<void> {
  const { status, text } = await admin(emulator, "POST", "/commercelayer/settings", settings);
  if (status !== 200) throw new Error(`settings answered ${status}: ${text}`);
}

/** Expire every issued token (`POST /_emulator/commercelayer/tokens/expire`). */
export async function expireTokens(emulator: RunningEmulator): Promise<void> {
  const { status } = await admin(emulator, "POST", "/commercelayer/tokens/expire");
  if (status !== 200) throw new Error(`tokens/expire answered ${status}`);
}

/** Add a fault (`POST /_emulator/faults`). */
export async function injectFault(emulator: RunningEmulator, fault: Record<string, unknown>): Promise<void> {
  const { status, text } = await admin(emulator, "POST", "/faults", fault);
  if (status !== 201) throw new Error(`faults answered ${status}: ${text}`);
}

/** A seed credential of the default seed's shape (for adopt tests). */
export function seededCredential(
  id: string,
  name: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    name,
    kind: "integration",
    organizationId: BLUE,
    roleId: BLUE_ADMIN,
    clientId: `client-${id}`,
    clientSecret: `secret-${id}`,
    ...extra,
  };
}

/** Delete a credential behind the provider's back (its own token, plain fetch), as a person in the dashboard would. */
export async function deleteOutOfBand(emulator: RunningEmulator, id: string): Promise<void> {
  const tokenAnswer = await fetch(emulator.commerceLayerAuthUrl, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ grant_type: "client_credentials", client_id: CLIENT_ID, client_secret: CLIENT_SECRET }),
  });
  const { access_token: token } = (await tokenAnswer.json()) as { access_token: string };
  const answer = await fetch(`${emulator.commerceLayerApiUrl}/api_credentials/${id}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${token}`, accept: "application/vnd.api+json" },
  });
  if (answer.status !== 204) throw new Error(`out-of-band DELETE answered ${answer.status}`);
}

/** One entry of `GET /_emulator/commercelayer/history`: an API credential created or deleted, in order. */
export interface CredentialEvent {
  event: "created" | "deleted";
  id: string;
  name: string;
  at: string;
}

/** The API credentials created and deleted since the last reset, in order. */
export async function credentialHistory(emulator: RunningEmulator): Promise<CredentialEvent[]> {
  const { status, body } = await admin(emulator, "GET", "/commercelayer/history");
  if (status !== 200) throw new Error(`GET /_emulator/commercelayer/history answered ${status}`);
  return body as CredentialEvent[];
}
