/** Policies for `commercelayer.ApiCredential`. */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  COMMERCE_LAYER_API_CREDENTIAL_TYPES,
  isKnown,
  readNumber,
  readString,
  validateResourceOfToken,
} from "./resourceState";

/** Configuration of {@link commerceLayerLiveIntegrationRole}. */
export interface CommerceLayerLiveIntegrationRoleConfig {
  /** Role ids live `integration` credentials may use (typically each organization's `read_only` role). */
  allowedRoleIds?: string[];
}

/**
 * `commercelayer-live-integration-role`: an `integration` credential in `live` mode whose `roleId` is not in
 * `allowedRoleIds`. Commerce Layer role ids are per organization (every organization has its own `admin` and
 * `read_only` role) and the credential's state holds only the id, so the policy cannot recognize "read-only" by
 * itself: list the `read_only` role ids of your organizations (and custom roles you have reviewed). Until the list
 * is configured (default: empty), every live integration credential is reported, so a live `admin` credential is
 * never allowed silently. Test-mode credentials are not checked. Default enforcement: `advisory`.
 */
export const commerceLayerLiveIntegrationRole: ResourceValidationPolicy = {
  name: "commercelayer-live-integration-role",
  description: "Live-mode Commerce Layer integration credentials must use an allowed (reviewed, least-privilege) role.",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      allowedRoleIds: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Role ids live integration credentials may use, e.g. each organization's read_only role.",
      },
    },
  },
  validateResource: validateResourceOfToken(COMMERCE_LAYER_API_CREDENTIAL_TYPES, (props, args, reportViolation) => {
    if (readString(props, "kind") !== "integration" || readString(props, "mode") !== "live") return;
    const roleId = readString(props, "roleId");
    if (roleId !== undefined && !isKnown(roleId)) return;
    const allowed = args.getConfig<CommerceLayerLiveIntegrationRoleConfig>().allowedRoleIds ?? [];
    if (roleId !== undefined && allowed.includes(roleId)) return;
    reportViolation(
      allowed.length === 0
        ? "List the role ids live integration credentials may use (each organization's read_only role, or custom " +
            "roles you have reviewed) in this policy's allowedRoleIds config."
        : "Give this live integration credential a role listed in this policy's allowedRoleIds config (for example " +
            "the organization's read_only role), or add its role there after review.",
    );
  }),
};

/** Configuration of {@link commerceLayerTokenLifetime}. */
export interface CommerceLayerTokenLifetimeConfig {
  /** Longest access-token lifetime allowed, in seconds. Default 86400 (one day). */
  maxExpiresInSeconds?: number;
}

/**
 * `commercelayer-token-lifetime`: a credential whose `expiresIn` (access-token lifetime in seconds) exceeds
 * `maxExpiresInSeconds` (default 86400). Credentials without `expiresIn` get Commerce Layer's default (2 to 4 hours)
 * and pass. Default enforcement: `advisory`.
 */
export const commerceLayerTokenLifetime: ResourceValidationPolicy = {
  name: "commercelayer-token-lifetime",
  description: "Commerce Layer access tokens must not live longer than a maximum (one day by default).",
  enforcementLevel: "advisory",
  configSchema: {
    properties: {
      maxExpiresInSeconds: {
        type: "integer",
        minimum: 7200,
        default: 86400,
        description: "Longest access-token lifetime allowed, in seconds (Commerce Layer's minimum is 7200).",
      },
    },
  },
  validateResource: validateResourceOfToken(COMMERCE_LAYER_API_CREDENTIAL_TYPES, (props, args, reportViolation) => {
    const expiresIn = readNumber(props, "expiresIn");
    const max = args.getConfig<CommerceLayerTokenLifetimeConfig>().maxExpiresInSeconds ?? 86400;
    if (isKnown(expiresIn) && expiresIn > max) {
      reportViolation(`Set expiresIn to at most ${max} seconds, or raise this policy's maxExpiresInSeconds config.`);
    }
  }),
};

/**
 * `commercelayer-webapp-https-redirect`: a `webapp` credential whose `redirectUri` is not an `https:` URL, which
 * would send authorization codes over plain HTTP. Default enforcement: `mandatory`.
 */
export const commerceLayerWebappHttpsRedirect: ResourceValidationPolicy = {
  name: "commercelayer-webapp-https-redirect",
  description: "Commerce Layer webapp credentials must redirect to https URLs.",
  enforcementLevel: "mandatory",
  configSchema: { properties: {} },
  validateResource: validateResourceOfToken(COMMERCE_LAYER_API_CREDENTIAL_TYPES, (props, _args, reportViolation) => {
    if (readString(props, "kind") !== "webapp") return;
    const redirectUri = readString(props, "redirectUri");
    if (!isKnown(redirectUri)) return;
    if (!redirectUri.toLowerCase().startsWith("https://")) {
      reportViolation("Set redirectUri to an https:// URL of the web application.");
    }
  }),
};
