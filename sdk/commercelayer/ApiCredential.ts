import * as pulumi from "@pulumi/pulumi";
import { shims } from "../../provider/pulumi/shims";
import {
  API_CREDENTIAL_OUTPUT_NAMES,
  API_CREDENTIAL_SECRET_INPUTS,
  API_CREDENTIAL_SECRET_OUTPUTS,
} from "../../provider/commercelayer/apiCredentialFacts";
import { wrapSecretInputs } from "../secrets";

/**
 * Arguments of an {@link ApiCredential}. Configure the provisioning client with `commercelayer:clientId` and
 * `commercelayer:clientSecret` (stack config, the secret with `--secret`) or `COMMERCELAYER_CLIENT_ID` /
 * `COMMERCELAYER_CLIENT_SECRET`; other clients as named accounts (`account`).
 */
export interface ApiCredentialArgs {
  /** Id of the Commerce Layer organization that owns the credential (e.g. `XGZwpOSrWL`). Changing it replaces the credential. */
  readonly organizationId: pulumi.Input<string>;
  /**
   * Display name of the credential (at most 255 characters). Commerce Layer does not require names to be unique.
   * Updated in place.
   */
  readonly name: pulumi.Input<string>;
  /**
   * Kind of client: `sales_channel`, `integration`, `webapp`, or a dashboard app kind to fork (`bundles`,
   * `customers`, `exports`, `gift_cards`, `imports`, `inventory`, `orders`, `price_lists`, `promotions`,
   * `resources`, `returns`, `shipments`, `sku_lists`, `skus`, `stock_transfers`, `subscriptions`, `tags`,
   * `webhooks`). Changing it replaces the credential.
   */
  readonly kind: pulumi.Input<string>;
  /** Environment: `test` (default) or `live`. Changing it replaces the credential. */
  readonly mode?: pulumi.Input<"test" | "live">;
  /** Whether the credential backs a custom app (a fork of a hosted dashboard app; API `custom`). Default false. Changing it replaces the credential. */
  readonly customApp?: pulumi.Input<boolean>;
  /**
   * OAuth redirect URI, absolute (e.g. `https://example.com/callback`; not `javascript:`, `data:` or `file:`). Updated
   * in place.
   */
  readonly redirectUri?: pulumi.Input<string>;
  /**
   * Lifetime of the credential's access tokens, in seconds, from 7200 (2 hours) to 31536000 (1 year). Unset:
   * Commerce Layer's default (14400 for sales channels, 7200 otherwise), reported in the `expiresIn` output;
   * removing a value you set earlier keeps the current lifetime. Updated in place.
   */
  readonly expiresIn?: pulumi.Input<number>;
  /** Any external identifier (ERP, CRM, ...). Updated in place. */
  readonly reference?: pulumi.Input<string>;
  /** Identifier of the system that defines `reference`. Updated in place. */
  readonly referenceOrigin?: pulumi.Input<string>;
  /** Key-value strings attached to the credential. Updated in place. */
  readonly metadata?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * Id of the organization role the credential acts as (its `admin`, `read_only` or a custom role). Required for
   * `integration`, forbidden for `sales_channel` and `webapp`. Updated in place.
   */
  readonly roleId?: pulumi.Input<string>;
  /**
   * At creation, take over the one existing credential with this `name` in the organization instead of creating
   * a new one; its mutable attributes are then updated to match, and a different `kind`, `mode` or `customApp`
   * fails the creation. Default false. Ignored after creation.
   */
  readonly adopt?: pulumi.Input<boolean>;
  /**
   * Name of the Commerce Layer account whose provisioning client manages this credential: an account declared in
   * stack config under `platform-credentials:accounts` (`pulumi config set --path
   * 'platform-credentials:accounts.<name>.commerceLayerClientId' <id>` and `pulumi config set --secret --path
   * 'platform-credentials:accounts.<name>.commerceLayerClientSecret' <secret>`). Omitted: the default account
   * (`commercelayer:clientId` / `commercelayer:clientSecret`). Not a secret. Rotating the client secret in config
   * changes nothing; changing `account` replaces the credential (made through the new client, deleted through the
   * old one).
   */
  readonly account?: pulumi.Input<string>;
}

/**
 * An OAuth API credential (client id and secret) of a Commerce Layer organization, managed through the
 * Provisioning API.
 *
 * `name`, `redirectUri`, `expiresIn`, `reference`, `referenceOrigin`, `metadata` and `roleId` are updated in place;
 * `organizationId`, `kind`, `mode` and `customApp` replace the credential (the new one is created first; names need
 * not be unique). Deleting the resource deletes the credential on Commerce Layer, which revokes it; a credential
 * already deleted elsewhere is simply dropped from state on refresh.
 *
 * `clientId` and `clientSecret` are secret outputs. Commerce Layer is only sure to return the secret when the
 * credential is created: the provider keeps it from then on, and an adopted credential has no `clientSecret` when
 * the API does not return it on read. `pulumi import` cannot work for dynamic resources: use `adopt` or
 * {@link ApiCredential.get}.
 *
 * @example
 * ```ts
 * import { commercelayer } from "pulumi-platform-credentials";
 *
 * const erp = new commercelayer.ApiCredential("erp", {
 *   organizationId: "XGZwpOSrWL",
 *   name: "ERP sync",
 *   kind: "integration",
 *   roleId: "vBNqkOzZlm", // the organization's admin role
 *   metadata: { owner: "platform-team" },
 * });
 * export const erpClientId = erp.clientId;
 * export const erpClientSecret = erp.clientSecret;
 * ```
 */
export class ApiCredential extends pulumi.dynamic.Resource {
  /** @internal */
  static readonly __pulumiType = "pulumi-nodejs:dynamic/commercelayer:ApiCredential";

  /** Whether `obj` is an ApiCredential (works across copies of this package). */
  static override isInstance(obj: unknown): obj is ApiCredential {
    return (
      typeof obj === "object" &&
      obj !== null &&
      (obj as { __pulumiType?: unknown }).__pulumiType === ApiCredential.__pulumiType
    );
  }

  /**
   * Look up an existing credential by its Commerce Layer id, for reading its outputs (`pulumi import` cannot work
   * for dynamic resources; use `adopt` to manage an existing credential). `state.account`: the account whose
   * provisioning client reads it (default: the default account).
   */
  static get(
    name: string,
    id: pulumi.Input<pulumi.ID>,
    opts?: pulumi.CustomResourceOptions,
    state?: { readonly account?: pulumi.Input<string> },
  ): ApiCredential {
    const lookup = state?.account === undefined ? undefined : { account: state.account };
    return new ApiCredential(name, lookup as unknown as ApiCredentialArgs, { ...opts, id });
  }

  /** Id of the owning organization. */
  declare readonly organizationId: pulumi.Output<string>;
  /** Display name. */
  declare readonly name: pulumi.Output<string>;
  /** Kind of client. */
  declare readonly kind: pulumi.Output<string>;
  /** Effective environment, `test` or `live`. */
  declare readonly mode: pulumi.Output<"test" | "live">;
  /** Whether the credential backs a custom app. */
  declare readonly customApp: pulumi.Output<boolean>;
  /** OAuth redirect URI, when set. */
  declare readonly redirectUri: pulumi.Output<string | undefined>;
  /** Effective access-token lifetime in seconds (Commerce Layer's default when not set). */
  declare readonly expiresIn: pulumi.Output<number>;
  /** External identifier, when set. */
  declare readonly reference: pulumi.Output<string | undefined>;
  /** Origin of `reference`, when set. */
  declare readonly referenceOrigin: pulumi.Output<string | undefined>;
  /** Key-value strings attached to the credential, when set. */
  declare readonly metadata: pulumi.Output<Record<string, string> | undefined>;
  /** Id of the role, when the credential has one. */
  declare readonly roleId: pulumi.Output<string | undefined>;
  /** Whether creation adopted an existing credential (as given). */
  declare readonly adopt: pulumi.Output<boolean>;
  /** The account whose provisioning client manages the credential (undefined: the default account). */
  declare readonly account: pulumi.Output<string | undefined>;
  /** OAuth client id (secret). */
  declare readonly clientId: pulumi.Output<string>;
  /** OAuth client secret (secret); undefined for an adopted credential whose secret the API did not return. */
  declare readonly clientSecret: pulumi.Output<string | undefined>;
  /** Whether the client is confidential (sales channels are not). */
  declare readonly confidential: pulumi.Output<boolean>;
  /** Scopes as Commerce Layer reports them. */
  declare readonly scopes: pulumi.Output<string>;
  /** When the credential was created (ISO 8601). */
  declare readonly createdAt: pulumi.Output<string>;
  /** When the credential was last updated (ISO 8601). */
  declare readonly updatedAt: pulumi.Output<string>;

  /**
   * @param name the Pulumi resource name (not the credential's display name)
   * @param args the credential's settings
   * @param opts resource options; `clientId` and `clientSecret` are always added to `additionalSecretOutputs`
   */
  constructor(name: string, args: ApiCredentialArgs, opts?: pulumi.CustomResourceOptions) {
    // Every input and output key must be in props (even undefined) to become a readable Output property,
    // including for `get`, which passes no args.
    const inputs: Record<keyof ApiCredentialArgs, undefined> = {
      organizationId: undefined,
      name: undefined,
      kind: undefined,
      mode: undefined,
      customApp: undefined,
      redirectUri: undefined,
      expiresIn: undefined,
      reference: undefined,
      referenceOrigin: undefined,
      metadata: undefined,
      roleId: undefined,
      adopt: undefined,
      account: undefined,
    };
    const outputs = Object.fromEntries(API_CREDENTIAL_OUTPUT_NAMES.map((k) => [k, undefined]));
    super(
      shims.apiCredential,
      name,
      wrapSecretInputs({ ...inputs, ...args, ...outputs }, API_CREDENTIAL_SECRET_INPUTS),
      {
        ...opts,
        additionalSecretOutputs: [
          ...new Set([...(opts?.additionalSecretOutputs ?? []), ...API_CREDENTIAL_SECRET_OUTPUTS]),
        ],
      },
      "commercelayer",
      "ApiCredential",
    );
  }
}
