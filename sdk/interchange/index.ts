/** Scope3 Interchange resources. */
export * from "./StorefrontSourceCredential";
export * from "./DataDeliveryCredential";
