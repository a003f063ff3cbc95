/** Commerce Layer resources and lookups. */
export * from "./ApiCredential";
export * from "./lookups";
