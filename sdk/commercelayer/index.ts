/** Commerce Layer resources. */
export * from "./ApiCredential";
