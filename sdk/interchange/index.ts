/** Scope3 Interchange resources and lookups. */
export * from "./StorefrontSourceCredential";
export * from "./DataDeliveryCredential";
export * from "./lookups";
