/**
 * Policies for `@pulumi/policy` packs that check this package's resources. Compose them into your own pack:
 *
 * ```typescript
 * import { PolicyPack } from "@pulumi/policy";
 * import { policies } from "pulumi-platform-credentials";
 *
 * new PolicyPack("platform-credentials", { policies: policies.allPolicies });
 * ```
 *
 * Every policy matches its resource by both of its type tokens (`pulumi-nodejs:dynamic/<module>:<Type>` from the
 * TypeScript classes, `platform-credentials:<module>:<Type>` from the provider plugin, so Python, Go and YAML
 * programs are checked too), never prints a property value (policies see secrets unwrapped),
 * reports nothing for values that are unknown during a preview, and has a default enforcement level that the
 * pack's config can override (`{"azure-sas-token-expiry": {"enforcementLevel": "mandatory", "minDaysBeforeExpiry": 30}}`).
 */
import type { Policies } from "@pulumi/policy";
import {
  azureSasTokenExpiry,
  dataDeliveryAllowedDestinations,
  dataDeliveryCredentialsPerAdvertiser,
  dataDeliveryCredentialValidated,
} from "./dataDelivery";
import { storefrontOauthConsentPending } from "./storefrontSource";
import {
  commerceLayerLiveIntegrationRole,
  commerceLayerTokenLifetime,
  commerceLayerWebappHttpsRedirect,
} from "./commercelayer";

export * from "./dataDelivery";
export * from "./storefrontSource";
export * from "./commercelayer";
export {
  COMMERCE_LAYER_API_CREDENTIAL_TYPE,
  COMMERCE_LAYER_API_CREDENTIAL_TYPES,
  DATA_DELIVERY_CREDENTIAL_TYPE,
  DATA_DELIVERY_CREDENTIAL_TYPES,
  STOREFRONT_SOURCE_CREDENTIAL_TYPE,
  STOREFRONT_SOURCE_CREDENTIAL_TYPES,
} from "./resourceState";

/** Every policy of this package, in the order above; spread or filter it into your pack's `policies`. */
export const allPolicies: Policies = [
  dataDeliveryCredentialValidated,
  azureSasTokenExpiry,
  dataDeliveryAllowedDestinations,
  dataDeliveryCredentialsPerAdvertiser,
  storefrontOauthConsentPending,
  commerceLayerLiveIntegrationRole,
  commerceLayerTokenLifetime,
  commerceLayerWebappHttpsRedirect,
];
