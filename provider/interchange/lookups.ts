/**
 * Lookups of Scope3 Interchange objects (provider/lookup.ts): a storefront as the buyer sees it, with its inventory
 * sources, read with `GET /storefronts/{storefrontId}` and `GET /storefronts/{storefrontId}/capabilities` (two calls,
 * sent together).
 */
import { z } from "zod";
import { ApiError } from "../http";
import { lookupAccountInput } from "../config";
import { type LookupDefinition } from "../lookup";
import { getStorefront, getStorefrontCapabilities, sourceAuthTypeOf } from "./storefronts";

const storefrontFix = "set storefrontId to the storefront's numeric id (e.g. 101)";

/** The arguments of `interchange.getStorefront`. */
export const getStorefrontArgs = z.object({
  storefrontId: z
    .number({ error: `storefrontId must be a number; ${storefrontFix}` })
    .int({ error: `storefrontId must be a whole number; ${storefrontFix}` })
    .min(1, { error: `storefrontId must be at least 1; ${storefrontFix}` })
    .max(Number.MAX_SAFE_INTEGER, { error: `storefrontId is too large; ${storefrontFix}` })
    .describe("Numeric id of the storefront (≥ 1)."),
  account: lookupAccountInput("interchange"),
});

/** The arguments of `interchange.getStorefront`. */
export type GetStorefrontArgs = z.output<typeof getStorefrontArgs>;

/** The result of `interchange.getStorefront`. */
export const getStorefrontResult = z.object({
  storefrontId: z.number().int().describe("Numeric id of the storefront."),
  name: z.string().describe("The storefront's display name."),
  connected: z
    .boolean()
    .describe(
      "Whether every inventory source the buyer needs is connected (an ACTIVE credential on each source that " +
        "requires one).",
    ),
  requiresCredentials: z
    .boolean()
    .describe("Whether the buyer must register credentials before transacting with this storefront."),
  customerAccounts: z
    .array(
      z.object({
        accountIdentifier: z.string().describe("The buyer's account identifier at the source."),
        status: z.string().describe("The registration's status (`ACTIVE`, `PENDING`)."),
      }),
    )
    .describe("The buyer's registered accounts on this storefront, across its sources, one per account identifier."),
  sources: z
    .array(
      z.object({
        sourceId: z.string().describe("Id of the inventory source (the `sourceId` of a StorefrontSourceCredential)."),
        name: z.string().optional().describe("The source's display name; absent when the platform gives none."),
        authType: z
          .enum(["api_key", "jwt", "basic", "oauth", "none"])
          .optional()
          .describe(
            "How the source authenticates buyers, as a StorefrontSourceCredential's `auth.type` names it: " +
              "`api_key` (or `bearer`), `jwt`, `basic`, `none` (`auth: {}`), or `oauth` (leave `auth` out; a person " +
              "consents). Absent when the platform does not report it.",
          ),
        requiresCredentials: z
          .boolean()
          .optional()
          .describe(
            "Whether the source takes buyer credentials (a source with `false` refuses registrations). Absent when " +
              "the platform does not report it.",
          ),
      }),
    )
    .describe("Every active inventory source behind the storefront, in the platform's order."),
});

/** The result of `interchange.getStorefront`. */
export type GetStorefrontResult = z.output<typeof getStorefrontResult>;

/** `interchange.getStorefront`: a storefront, its sources and whether the buyer is connected. */
export const storefrontLookup: LookupDefinition<GetStorefrontArgs, GetStorefrontResult> = {
  token: { module: "interchange", name: "getStorefront" },
  description:
    "Reads a Scope3 Interchange storefront as the buyer (the API key's customer) sees it: its name, whether the " +
    "buyer is connected, the buyer's registered accounts, and its inventory sources with their authentication type " +
    "and whether they take credentials. Manages nothing; runs in previews too.",
  args: getStorefrontArgs,
  result: getStorefrontResult,
  async read(ctx, args) {
    try {
      const [storefront, capabilities] = await Promise.all([
        getStorefront(ctx, args.storefrontId),
        getStorefrontCapabilities(ctx, args.storefrontId),
      ]);
      return {
        storefrontId: storefront.id,
        name: storefront.name,
        connected: storefront.connected,
        requiresCredentials: storefront.requiresCredentials,
        customerAccounts: storefront.customerAccounts.map((a) => ({
          accountIdentifier: a.accountIdentifier,
          status: a.status,
        })),
        sources: capabilities.agents.map((row) => {
          const authType = sourceAuthTypeOf(row);
          return {
            sourceId: row.sourceId,
            ...(row.sourceName !== null ? { name: row.sourceName } : {}),
            ...(authType !== undefined ? { authType } : {}),
            ...(row.requiresCredentials !== null ? { requiresCredentials: row.requiresCredentials } : {}),
          };
        }),
      };
    } catch (err) {
      if (err instanceof ApiError && err.isNotFound()) {
        throw err.with({
          remedy:
            `Storefront ${args.storefrontId} does not exist or is not visible to this API key's customer; check the ` +
            "storefrontId argument (and `account`, when the storefront belongs to another customer).",
        });
      }
      throw err;
    }
  },
};
