/** Policies for `interchange.StorefrontSourceCredential`. */
import type { StackValidationPolicy } from "@pulumi/policy";
import {
  STOREFRONT_SOURCE_CREDENTIAL_TYPES,
  isKnown,
  readString,
  validateEachStackResourceOfToken,
} from "./resourceState";

/**
 * `storefront-oauth-consent-pending`: a source credential of an OAuth source that is still `PENDING` with an
 * `oauthAuthorizationUrl` output: nobody has completed the account owner's consent yet, so the storefront cannot
 * use it. The message names the step, never the URL. A stack policy because `status` and the URL are outputs; an
 * unknown status (preview) is no violation. Default enforcement: `advisory`.
 */
export const storefrontOauthConsentPending: StackValidationPolicy = {
  name: "storefront-oauth-consent-pending",
  description: "OAuth source credentials must complete the account owner's consent (status ACTIVE).",
  enforcementLevel: "advisory",
  configSchema: { properties: {} },
  validateStack: validateEachStackResourceOfToken(
    STOREFRONT_SOURCE_CREDENTIAL_TYPES,
    (props, urn, _args, reportViolation) => {
      // PENDING without a consent URL is a non-OAuth source waiting on Interchange, not on a person.
      const consentUrl = readString(props, "oauthAuthorizationUrl");
      if (readString(props, "status") !== "PENDING" || !isKnown(consentUrl) || consentUrl === "") return;
      reportViolation(
        "Open the credential's oauthAuthorizationUrl output and consent as the account owner, then run " +
          "`pulumi refresh` to see the credential ACTIVE.",
        urn,
      );
    },
  ),
};
