/**
 * Support for the StorefrontSourceCredential suites against the emulator: the route keys of `/_emulator/requests`,
 * tokens generated per run (so a leak is searchable), a provider context pointed at the emulator, and checked inputs.
 */
import { randomBytes } from "node:crypto";
import { expect } from "vitest";
import { resolveSettings } from "../../provider/config";
import { ProviderContext } from "../../provider/context";
import {
  storefrontSourceCredential as def,
  type StorefrontSourceCredentialInputs,
} from "../../provider/interchange/storefrontSourceCredential";
import type { RunningEmulator } from "../../emulator/server";
import { KEYS } from "../support/emulator";

const PREFIX = "/api/v2/buyer";

/** The register operation's path template. */
export const REGISTER_TEMPLATE = `${PREFIX}/storefronts/{storefrontId}/sources/{sourceId}/credentials`;

/** Route keys of `/_emulator/requests`. */
export const REGISTER = `POST ${REGISTER_TEMPLATE}`;
export const LIST = `GET ${PREFIX}/storefronts/credentials`;
/** The list operation's path. */
export const LIST_PATH = `${PREFIX}/storefronts/credentials`;
export const STOREFRONT = `GET ${PREFIX}/storefronts/{storefrontId}`;
export const CAPABILITIES = `GET ${PREFIX}/storefronts/{storefrontId}/capabilities`;

/** A fresh source token. */
export const newToken = (): string => `tok_${randomBytes(24).toString("hex")}`;

/** A provider context for the acme customer on `emulator`, few retries and short timeouts; `config` overrides. */
export function sourceCredentialContext(
  emulator: RunningEmulator,
  config: Record<string, string> = {},
): ProviderContext {
  const values: Record<string, string> = {
    "interchange:apiKey": KEYS.acme,
    "interchange:baseUrl": emulator.interchangeUrl,
    "platform-credentials:httpMaxRetries": "3",
    "platform-credentials:httpTimeoutSeconds": "2",
    ...config,
  };
  return new ProviderContext(resolveSettings((k) => values[k], {}));
}

/**
 * Checked inputs of an API-key registration of storefront 101's `src_apikey` for `acme-buyer-1`, with `authType`
 * spelling its `auth.type` and `patch` applied; fails the test when check refuses them.
 */
export function sourceCredentialInputs(
  authType: string,
  patch: Partial<Record<keyof StorefrontSourceCredentialInputs, unknown>> = {},
): StorefrontSourceCredentialInputs {
  const result = def.check({
    storefrontId: 101,
    sourceId: "src_apikey",
    accountIdentifier: "acme-buyer-1",
    auth: { type: authType, token: newToken() },
    ...patch,
  });
  expect(result.failures).toEqual([]);
  return result.inputs;
}
