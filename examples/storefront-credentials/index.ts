// Registers one buyer account on three inventory sources of an Interchange storefront, one per kind of
// authentication: an API key, a JWT service account and OAuth (which waits for a person's consent).
import * as pulumi from "@pulumi/pulumi";
import { interchange } from "pulumi-platform-credentials";

const config = new pulumi.Config();
const storefrontId = config.requireNumber("storefrontId");
const accountIdentifier = config.require("accountIdentifier");

// Rotation triggers (like Terraform's keepers): any change re-registers the account with `auth`. Bump
// `displayKeyVersion` after putting a new key in config; with `rotateQuarterly` set, a new quarter re-registers on
// the next `pulumi up` too (a value computed from the date).
const now = new Date();
const quarter = `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`;

// API-key source: the key the source issued for the account, kept secret end to end (`api_key` as the
// Interchange docs write it).
const display = new interchange.StorefrontSourceCredential("display", {
  storefrontId,
  sourceId: config.get("displaySourceId") ?? "src_apikey",
  accountIdentifier,
  auth: { type: "api_key", token: config.requireSecret("displayApiKey") },
  rotationTriggers: {
    keyVersion: config.get("displayKeyVersion") ?? "1",
    ...(config.getBoolean("rotateQuarterly") ? { quarter } : {}),
  },
});

// JWT source: Interchange signs assertions with the service account's private key.
const retail = new interchange.StorefrontSourceCredential("retail", {
  storefrontId,
  sourceId: config.get("retailSourceId") ?? "src_jwt",
  accountIdentifier,
  auth: {
    type: "jwt",
    privateKey: config.requireSecret("retailPrivateKey"),
    issuer: config.require("retailIssuer"),
    subject: accountIdentifier,
    keyId: config.require("retailKeyId"),
    scope: config.get("retailScope") ?? "buyer.read buyer.write",
    tokenEndpointUrl: config.require("retailTokenEndpointUrl"),
    audienceUrl: config.get("retailAudienceUrl") ?? config.require("retailTokenEndpointUrl"),
    algorithm: "RS256",
  },
});

// OAuth source: no secret to send; the credential stays PENDING until a person opens the consent URL and agrees.
const social = new interchange.StorefrontSourceCredential("social", {
  storefrontId,
  sourceId: config.get("socialSourceId") ?? "src_oauth",
  accountIdentifier,
});

export const displayStatus = display.status;
export const retailStatus = retail.status;
export const socialStatus = social.status;
/** Open this URL and consent, then run `pulumi refresh`: the status becomes ACTIVE and the URL goes away. */
export const socialConsentUrl = social.oauthAuthorizationUrl;
/** The whole consent block while PENDING: the URL, the storefront, the source and its name. */
export const socialConsent = social.oauth;
export const credentialIds = {
  display: display.credentialId,
  retail: retail.credentialId,
  social: social.credentialId,
};
/** Interchange has no revoke: `pulumi destroy` leaves the registrations in place ("manual"). */
export const revocation = display.revocation;
