/** The one HTTP client of the package: see client.ts and errors.ts. */
export * from "./client";
export * from "./errors";
export * from "./payload";
export * from "./retry";
