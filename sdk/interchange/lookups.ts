/**
 * Scope3 Interchange lookups: reads that manage nothing, run in the program with the stack's `interchange:*`
 * settings (or a named account's), usable in previews and to feed resources. Reference: docs/interchange-lookups.md.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as core from "../../provider/interchange/lookups";
import { invokeLookup, invokeLookupOutput, type Same } from "../lookups";

/** Arguments of {@link getStorefront}. */
export interface GetStorefrontArgs {
  /** Numeric id of the storefront (≥ 1). */
  readonly storefrontId: number;
  /**
   * Name of the account under `platform-credentials:accounts` in stack config whose API key reads the storefront
   * (`pulumi config set --secret --path 'platform-credentials:accounts.<name>.interchangeApiKey' <key>`); the default
   * account (`interchange:apiKey` / `SCOPE3_API_KEY`) when omitted. Not a secret.
   */
  readonly account?: string;
}

/** Arguments of {@link getStorefrontOutput}: those of {@link getStorefront}, each possibly another resource's output. */
export interface GetStorefrontOutputArgs {
  /** Numeric id of the storefront (≥ 1). */
  readonly storefrontId: pulumi.Input<number>;
  /** As {@link GetStorefrontArgs.account}. */
  readonly account?: pulumi.Input<string>;
}

/** One inventory source of a storefront. */
export interface StorefrontSource {
  /** Id of the inventory source: the `sourceId` of a {@link StorefrontSourceCredential}. */
  readonly sourceId: string;
  /** The source's display name; absent when the platform gives none. */
  readonly name?: string | undefined;
  /**
   * How the source authenticates buyers, as a {@link StorefrontSourceCredential}'s `auth.type` names it: `api_key`
   * (or `bearer`), `jwt`, `basic`, `none` (`auth: {}`), or `oauth` (leave `auth` out; a person consents). Absent when
   * the platform does not report it.
   */
  readonly authType?: "api_key" | "jwt" | "basic" | "oauth" | "none" | undefined;
  /** Whether the source takes buyer credentials (`false`: it refuses registrations). Absent when not reported. */
  readonly requiresCredentials?: boolean | undefined;
}

/** A buyer's registered account on a storefront. */
export interface StorefrontCustomerAccount {
  /** The buyer's account identifier at the source. */
  readonly accountIdentifier: string;
  /** The registration's status (`ACTIVE`, `PENDING`). */
  readonly status: string;
}

/** Result of {@link getStorefront}. */
export interface GetStorefrontResult {
  /** Numeric id of the storefront. */
  readonly storefrontId: number;
  /** The storefront's display name. */
  readonly name: string;
  /** Whether every inventory source the buyer needs is connected (an ACTIVE credential on each that requires one). */
  readonly connected: boolean;
  /** Whether the buyer must register credentials before transacting with this storefront. */
  readonly requiresCredentials: boolean;
  /** The buyer's registered accounts on this storefront, across its sources, one per account identifier. */
  readonly customerAccounts: StorefrontCustomerAccount[];
  /** Every active inventory source behind the storefront, in the platform's order. */
  readonly sources: StorefrontSource[];
}

// The SDK's types are the lookup's declared schema, field for field.
const sameResult: Same<GetStorefrontResult, core.GetStorefrontResult> = true;
const sameArgs: Same<GetStorefrontArgs, core.GetStorefrontArgs> = true;
void [sameResult, sameArgs];

/**
 * Reads a Scope3 Interchange storefront as the buyer (the API key's customer) sees it: its name, whether the buyer
 * is `connected`, the buyer's registered accounts, and its inventory `sources` with their authentication type and
 * whether they take credentials. Two read calls (`GET /storefronts/{id}` and its `/capabilities`); manages nothing,
 * runs in previews too. An unknown or invisible storefront fails naming `storefrontId`.
 *
 * ```ts
 * const storefront = await interchange.getStorefront({ storefrontId: 101 });
 * const apiKeySource = storefront.sources.find((s) => s.authType === "api_key" && s.requiresCredentials);
 * ```
 */
export function getStorefront(args: GetStorefrontArgs): Promise<GetStorefrontResult> {
  return invokeLookup("interchange:getStorefront", args);
}

/** {@link getStorefront} as an Output, for arguments that are other resources' outputs. */
export function getStorefrontOutput(args: GetStorefrontOutputArgs): pulumi.Output<GetStorefrontResult> {
  return invokeLookupOutput("interchange:getStorefront", args);
}
