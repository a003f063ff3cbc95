/**
 * The static facts of `interchange.StorefrontSourceCredential` that the SDK class needs at program start-up, kept
 * apart from the definition so a Pulumi program does not load zod or the HTTP client just to declare a resource.
 * The definition (storefrontSourceCredential.ts) uses the same constants, so they are written once.
 */

/** Module and type of the resource's token (`pulumi-nodejs:dynamic/interchange:StorefrontSourceCredential`). */
export const storefrontSourceCredentialToken = { module: "interchange", type: "StorefrontSourceCredential" } as const;

/**
 * Secret inputs. The whole `auth` object is secret (not only `token`/`privateKey`/`password`): a JWT's issuer,
 * subject and key id, or a basic-auth username, are half of a credential too, and an output of the same name
 * (`auth` in state) is then secret as a whole.
 */
export const storefrontSourceCredentialSecretInputs: readonly string[] = ["auth"];

/** Outputs that are secret although no input of that name is: none (the API never returns a secret). */
export const storefrontSourceCredentialSecretOutputs: readonly string[] = [];

/** Output names, so the SDK class can declare each as a readable `Output` property. */
export const storefrontSourceCredentialOutputNames = [
  "credentialId",
  "status",
  "accountType",
  "registeredBy",
  "createdAt",
  "updatedAt",
  "sources",
  "oauthAuthorizationUrl",
  "connected",
  "revocation",
] as const;
