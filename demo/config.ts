/**
 * The stack config the demo sets on each shipped example, as a user would with `pulumi config set`: the provider
 * endpoints pointed at the demo's emulator, and the keys the examples' READMEs set with `--secret` (their Pulumi.yaml
 * defaults are the emulator's fake values) stored as secrets. Everything else keeps the project's Pulumi.yaml default.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type * as automation from "@pulumi/pulumi/automation";
import { parse } from "yaml";

/** The examples that manage credentials, in the order the demo deploys them. */
export const CREDENTIAL_EXAMPLES = ["storefront-credentials", "data-delivery", "commercelayer"] as const;

/** One of {@link CREDENTIAL_EXAMPLES}. */
export type CredentialExample = (typeof CREDENTIAL_EXAMPLES)[number];

/** The consumer's config key naming each stack it reads with StackReference. */
export const CONSUMER_REFERENCE_KEYS: Readonly<Record<CredentialExample, string>> = {
  "storefront-credentials": "consumer:storefrontStack",
  "data-delivery": "consumer:dataDeliveryStack",
  commercelayer: "consumer:commercelayerStack",
};

/** Config keys the examples' READMEs set with `pulumi config set --secret`. */
export const SECRET_CONFIG_KEYS: ReadonlySet<string> = new Set([
  "interchange:apiKey",
  "commercelayer:clientSecret",
  "storefront-credentials:displayApiKey",
  "storefront-credentials:retailPrivateKey",
  "data-delivery:azureSasToken",
]);

/** Where the demo's emulator serves each API. */
export interface EmulatorEndpoints {
  /** Interchange buyer API base URL. */
  interchangeUrl: string;
  /** Commerce Layer provisioning API base URL. */
  commerceLayerApiUrl: string;
  /** Commerce Layer token endpoint. */
  commerceLayerAuthUrl: string;
}

/** What the demo sets on one example's stack. */
export interface ExampleStackConfig {
  /** The project's `name` (Pulumi.yaml): StackReference names are `organization/<projectName>/<stack>`. */
  projectName: string;
  /** Fully qualified keys to values, secret ones marked (what `pulumi config set-all` takes). */
  config: automation.ConfigMap;
}

/**
 * The config of the example in `projectDir`: its endpoints (the keys its Pulumi.yaml sets) pointed at `endpoints`,
 * its README's secret keys set with their Pulumi.yaml value as secrets, then `overrides` (qualified or not; a secret
 * key stays secret).
 */
export function exampleStackConfig(
  projectDir: string,
  endpoints: EmulatorEndpoints,
  overrides: Record<string, string> = {},
): ExampleStackConfig {
  const manifest = parse(readFileSync(join(projectDir, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config?: Record<string, unknown>;
  };
  const qualify = (key: string) => (key.includes(":") ? key : `${manifest.name}:${key}`);
  const defaults = new Map(Object.entries(manifest.config ?? {}).map(([key, value]) => [qualify(key), value]));
  const urls: Record<string, string> = {
    "interchange:baseUrl": endpoints.interchangeUrl,
    "commercelayer:baseUrl": endpoints.commerceLayerApiUrl,
    "commercelayer:authUrl": endpoints.commerceLayerAuthUrl,
  };
  const config: automation.ConfigMap = {};
  for (const [key, url] of Object.entries(urls)) if (defaults.has(key)) config[key] = { value: url };
  for (const key of SECRET_CONFIG_KEYS) {
    const value = defaults.get(key);
    if (typeof value === "string") config[key] = { value, secret: true };
  }
  for (const [key, value] of Object.entries(overrides)) {
    config[qualify(key)] = { value, secret: SECRET_CONFIG_KEYS.has(qualify(key)) };
  }
  return { projectName: manifest.name, config };
}
