// A stack that uses the credentials the other examples manage, the way an application stack would: it reads their
// outputs with StackReference. Outputs that are secret in the source stack stay secret here, and so does anything
// computed from them.
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const storefront = new pulumi.StackReference(config.require("storefrontStack"));
const dataDelivery = new pulumi.StackReference(config.require("dataDeliveryStack"));
const commercelayer = new pulumi.StackReference(config.require("commercelayerStack"));

// Secret in the commercelayer stack, so secret here: never printed by `pulumi up` or `pulumi stack output`.
const erpClientId = commercelayer.requireOutput("erpClientId") as pulumi.Output<string>;
const erpClientSecret = commercelayer.requireOutput("erpClientSecret") as pulumi.Output<string>;

/** Settings for the ERP sync job; secret because they contain the client secret. */
export const erpSettings = pulumi
  .all([erpClientId, erpClientSecret, commercelayer.requireOutput("tokenLifetimes")])
  .apply(([clientId, clientSecret, lifetimes]) => ({
    clientId,
    clientSecret,
    tokenLifetimeSeconds: (lifetimes as { erp?: number }).erp,
  }));
export const erpClientIdForJobs = erpClientId;

/** Whether every data-delivery destination passed Scope3's probe (plain: no secret went into it). */
export const dataDeliveryReady = pulumi
  .all(["gcsStatus", "s3Status", "azureStatus"].map((name) => dataDelivery.requireOutput(name)))
  .apply((statuses) => statuses.every((status) => status === "VALIDATED"));

/** The OAuth consent a person still has to give, if any (plain, as in the storefront stack). */
export const pendingConsentUrl = storefront.getOutput("socialConsentUrl");
