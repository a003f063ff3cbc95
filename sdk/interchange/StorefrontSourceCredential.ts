import * as pulumi from "@pulumi/pulumi";
import { shims } from "../../provider/pulumi/shims";
import {
  storefrontSourceCredentialOutputNames,
  storefrontSourceCredentialSecretInputs,
  storefrontSourceCredentialSecretOutputs,
} from "../../provider/interchange/storefrontSourceCredentialFacts";
import { wrapSecretInputs } from "../secrets";

/** An API key the source issued for the account (sent to Interchange as `{type: "api_key", token}`). */
export interface SourceApiKeyAuth {
  /** Discriminator: an API key (sent as the API's `api_key`). */
  readonly type: "apiKey";
  /** The API key (secret). */
  readonly token: pulumi.Input<string>;
}

/** A bearer token the source issued for the account. */
export interface SourceBearerAuth {
  /** Discriminator: a bearer token. */
  readonly type: "bearer";
  /** The bearer token (secret). */
  readonly token: pulumi.Input<string>;
}

/** A JWT-bearer (service account) credential: Interchange signs assertions with `privateKey`. */
export interface SourceJwtAuth {
  /** Discriminator: a JWT-bearer service account. */
  readonly type: "jwt";
  /** PEM private key that signs the assertion (secret). */
  readonly privateKey: pulumi.Input<string>;
  /** Issuer (`iss`). */
  readonly issuer: pulumi.Input<string>;
  /** Subject (`sub`): the account the token acts for. */
  readonly subject: pulumi.Input<string>;
  /** Id of the signing key (`kid`). */
  readonly keyId: pulumi.Input<string>;
  /** Scope the source requires. */
  readonly scope: pulumi.Input<string>;
  /** Token endpoint URL the assertion is exchanged at: `https://` (`http://` only for localhost, 127.0.0.1, [::1]). */
  readonly tokenEndpointUrl: pulumi.Input<string>;
  /** Audience URL (`aud`) of the assertion: `https://` (`http://` only for localhost, 127.0.0.1, [::1]). */
  readonly audienceUrl: pulumi.Input<string>;
  /** `ES256` or `RS256`; the source's default when omitted. */
  readonly algorithm?: pulumi.Input<"ES256" | "RS256">;
  /** Source-specific environment name (for example `sandbox`). */
  readonly environment?: pulumi.Input<string>;
}

/** HTTP basic authentication at the source. */
export interface SourceBasicAuth {
  /** Discriminator: HTTP basic authentication. */
  readonly type: "basic";
  /** User name at the source. */
  readonly username: pulumi.Input<string>;
  /** Password at the source (secret). */
  readonly password: pulumi.Input<string>;
}

/** The source takes credentials without a secret (sent to Interchange as `{}`). */
export interface SourceNoAuth {
  /** Discriminator: no secret (sent as `{}`). */
  readonly type: "none";
}

/** How the source authenticates the account. Omit `auth` entirely for OAuth sources. */
export type SourceAuth = SourceApiKeyAuth | SourceBearerAuth | SourceJwtAuth | SourceBasicAuth | SourceNoAuth;

/** A storefront/source pair a credential covers. */
export interface StorefrontSourceRef {
  /** Storefront id. */
  readonly storefrontId: number;
  /** Storefront display name. */
  readonly storefrontName: string;
  /** Inventory source id within the storefront. */
  readonly sourceId: string;
  /** Inventory source display name. */
  readonly sourceName: string;
}

/** The arguments of a {@link StorefrontSourceCredential}. */
export interface StorefrontSourceCredentialArgs {
  /** Numeric id of the storefront (≥ 1). Changing it replaces the resource. */
  readonly storefrontId: pulumi.Input<number>;
  /**
   * Id of the inventory source within the storefront (1–255 characters, not `.` or `..`). Changing it replaces the
   * resource.
   */
  readonly sourceId: pulumi.Input<string>;
  /** The buyer's account identifier at the source (1–255 characters). Changing it replaces the resource. */
  readonly accountIdentifier: pulumi.Input<string>;
  /**
   * How the source authenticates the account; stored as a secret. Must match the source's authentication type
   * (`apiKey`/`bearer`, `jwt`, `basic`, `none`); leave it out for OAuth sources. A change re-registers the account
   * (the API rotates the stored secret in place): an update, never a replacement.
   */
  readonly auth?: pulumi.Input<SourceAuth>;
  /**
   * Register a marketplace account instead of a client account (admin API keys only). Default false (client
   * account). Changing it replaces the resource.
   */
  readonly marketplaceAccount?: pulumi.Input<boolean>;
  /**
   * Take over a registration of this account on this source that already exists (re-registering it rotates its
   * secret to `auth`). Default false: create fails, naming the existing registration, instead of silently taking
   * it over. Changing it later changes nothing remotely.
   */
  readonly adopt?: pulumi.Input<boolean>;
  /**
   * Name of the Scope3 Interchange account whose API key manages this resource: an account declared in stack config
   * under `platform-credentials:accounts` (`pulumi config set --secret --path
   * 'platform-credentials:accounts.<name>.interchangeApiKey' <key>`). Omitted: the default account
   * (`interchange:apiKey` / `SCOPE3_API_KEY`). Not a secret. Rotating the account's key in config changes nothing;
   * changing `account` replaces the resource.
   */
  readonly account?: pulumi.Input<string>;
}

/**
 * A buyer's account credential registered for an inventory source of a Scope3 Interchange storefront.
 *
 * Create registers the account (after checking that it is not registered already; set `adopt: true` to take an
 * existing registration over). A change of `auth` re-registers it, which rotates the stored secret in place.
 * Changes of `storefrontId`, `sourceId`, `accountIdentifier` or `marketplaceAccount` replace the resource.
 * Refresh reads the credential list (one call for all credentials refreshed together) and the storefront's
 * `connected` flag; a credential revoked out of band disappears from state.
 *
 * **Delete does not revoke.** The Interchange API has no revoke operation: deleting the resource (or replacing it)
 * only removes it from the stack's state, and the credential stays registered until a person revokes it in the
 * Interchange web app. The `revocation` output says so (`"manual"`).
 *
 * OAuth sources: leave `auth` out; the credential starts `PENDING` and `oauthAuthorizationUrl` holds the consent
 * URL until a person consents, after which a refresh shows `ACTIVE`.
 *
 * Limitations: `pulumi import` cannot work for dynamic resources; use `adopt: true` or
 * {@link StorefrontSourceCredential.get}. The secret is never read back, so a rotation done in the web app is not
 * detected.
 *
 * @example
 * ```ts
 * const cred = new StorefrontSourceCredential("acme-ssp", {
 *   storefrontId: 101,
 *   sourceId: "src_ssp",
 *   accountIdentifier: "acme-buyer-1",
 *   auth: { type: "apiKey", token: config.requireSecret("sspKey") },
 * });
 * export const status = cred.status;
 * ```
 */
export class StorefrontSourceCredential extends pulumi.dynamic.Resource {
  /** @internal */
  static readonly __pulumiType = "pulumi-nodejs:dynamic/interchange:StorefrontSourceCredential";

  /** Whether `obj` is a StorefrontSourceCredential (works across copies of this package). */
  static override isInstance(obj: unknown): obj is StorefrontSourceCredential {
    return (
      typeof obj === "object" &&
      obj !== null &&
      (obj as { __pulumiType?: unknown }).__pulumiType === StorefrontSourceCredential.__pulumiType
    );
  }

  /**
   * Look up an existing credential by its id (the `credentialId`) and manage nothing: the inputs are taken from the
   * credential list. `pulumi import` cannot work for dynamic resources; to manage an existing registration, declare
   * it with `adopt: true`. `state.account`: the account whose API key lists it (default: the default account).
   */
  static get(
    name: string,
    id: pulumi.Input<pulumi.ID>,
    opts?: pulumi.CustomResourceOptions,
    state?: { readonly account?: pulumi.Input<string> },
  ): StorefrontSourceCredential {
    const lookup = state?.account === undefined ? undefined : { account: state.account };
    return new StorefrontSourceCredential(name, lookup as unknown as StorefrontSourceCredentialArgs, {
      ...opts,
      id,
    });
  }

  /** Numeric id of the storefront. */
  declare readonly storefrontId: pulumi.Output<number>;
  /** Inventory source id. */
  declare readonly sourceId: pulumi.Output<string>;
  /** The buyer's account identifier at the source. */
  declare readonly accountIdentifier: pulumi.Output<string>;
  /** The `auth` input (secret). */
  declare readonly auth: pulumi.Output<SourceAuth | undefined>;
  /** Whether a marketplace account was registered. */
  declare readonly marketplaceAccount: pulumi.Output<boolean | undefined>;
  /** Whether an existing registration may be taken over. */
  declare readonly adopt: pulumi.Output<boolean>;
  /** The account whose API key manages the resource (undefined: the default account). */
  declare readonly account: pulumi.Output<string | undefined>;
  /** The credential's id at Interchange (equal to the resource id unless a rotation answered a new id). */
  declare readonly credentialId: pulumi.Output<string>;
  /** `ACTIVE`, or `PENDING` while an OAuth source waits for consent. */
  declare readonly status: pulumi.Output<string>;
  /** `CLIENT` or `MARKETPLACE`. */
  declare readonly accountType: pulumi.Output<string>;
  /** Who registered the credential (null on legacy rows). */
  declare readonly registeredBy: pulumi.Output<string | null>;
  /** When the credential was first registered (ISO 8601). */
  declare readonly createdAt: pulumi.Output<string>;
  /** When it was last registered or rotated (ISO 8601). */
  declare readonly updatedAt: pulumi.Output<string>;
  /** Every storefront/source the credential covers (one agent can back sources of several storefronts). */
  declare readonly sources: pulumi.Output<StorefrontSourceRef[]>;
  /** While `status` is `PENDING` on an OAuth source: the consent URL a person opens. Undefined once ACTIVE. */
  declare readonly oauthAuthorizationUrl: pulumi.Output<string | undefined>;
  /** Whether the storefront reports every source the buyer needs as connected. */
  declare readonly connected: pulumi.Output<boolean>;
  /** Always `"manual"`: deleting the resource leaves the credential registered; revoke it in the web app. */
  declare readonly revocation: pulumi.Output<"manual">;

  /** Register (or, with `adopt`, take over) the account's credential on the storefront's source. */
  constructor(name: string, args: StorefrontSourceCredentialArgs, opts?: pulumi.CustomResourceOptions) {
    // Every input and output key must be in props (even undefined) to become a readable Output property,
    // including for `get`, which passes no args.
    const inputs: Record<keyof StorefrontSourceCredentialArgs, undefined> = {
      storefrontId: undefined,
      sourceId: undefined,
      accountIdentifier: undefined,
      auth: undefined,
      marketplaceAccount: undefined,
      adopt: undefined,
      account: undefined,
    };
    const outputs = Object.fromEntries(storefrontSourceCredentialOutputNames.map((k) => [k, undefined]));
    super(
      shims.storefrontSourceCredential,
      name,
      wrapSecretInputs({ ...inputs, ...args, ...outputs }, storefrontSourceCredentialSecretInputs),
      {
        ...opts,
        additionalSecretOutputs: [
          ...new Set([...(opts?.additionalSecretOutputs ?? []), ...storefrontSourceCredentialSecretOutputs]),
        ],
      },
      "interchange",
      "StorefrontSourceCredential",
    );
  }
}
