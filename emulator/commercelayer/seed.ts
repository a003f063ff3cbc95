/**
 * The Commerce Layer part of the emulator's seed document: provisioning users (the client id/secret pairs the
 * token endpoint accepts), organizations with their roles, optional pre-existing API credentials and settings.
 */
import { z } from "zod";

/** Commerce Layer ids are 10-character alphanumerics (`XGZwpOSrWL`); the seed must use the same shape. */
const resourceId = z.string().regex(/^[A-Za-z0-9]{10}$/, "must be a 10-character alphanumeric id");

/** Kinds of role every organization has; `custom` roles are optional extras. */
export const ROLE_KINDS = ["admin", "read_only", "custom"] as const;

/** Kind of a Commerce Layer role. */
export type RoleKind = (typeof ROLE_KINDS)[number];

/** Behaviour switches of the Commerce Layer platform (also changed at run time by `POST /_emulator/commercelayer/settings`). */
export const commerceLayerSettingsSchema = z
  .object({
    /**
     * Whether `client_secret` appears in GET and PATCH answers. The docs show it everywhere, no live recording
     * confirms it; with `false` it appears only in the create answer, so clients can be tested against both.
     */
    clientSecretOnRead: z.boolean(),
    /** Requests allowed per token in the sliding window (0 disables rate limiting). */
    rateLimitPerInterval: z.number().int().min(0),
    /** Length of the sliding rate-limit window, in seconds (sent as `X-Ratelimit-Interval`). */
    rateLimitIntervalSeconds: z.number().positive(),
    /** Lifetime of issued access tokens in seconds; fractions allowed so tests can expire tokens quickly. */
    tokenLifetimeSeconds: z.number().min(0),
    /**
     * `always`: relationships carry `data` (resource linkage) in every answer. `included`: only relationships named
     * in `include` carry `data`, the others only `links` (what Commerce Layer's Core API does), so clients can be
     * tested for relying on `include`.
     */
    relationshipData: z.enum(["always", "included"]),
  })
  .strict();

/** Behaviour switches of the Commerce Layer platform. */
export type CommerceLayerSettings = z.infer<typeof commerceLayerSettingsSchema>;

/** Settings used when the seed gives none. */
export const defaultCommerceLayerSettings: CommerceLayerSettings = {
  clientSecretOnRead: true,
  rateLimitPerInterval: 500,
  rateLimitIntervalSeconds: 60,
  tokenLifetimeSeconds: 7200,
  relationshipData: "always",
};

const roleSeed = z
  .object({
    id: resourceId,
    name: z.string().min(1),
    kind: z.enum(ROLE_KINDS),
  })
  .strict();

const organizationSeed = z
  .object({
    id: resourceId,
    name: z.string().min(1),
    slug: z.string().regex(/^[a-z0-9-]+$/, "must be lower-case letters, digits and dashes"),
    region: z.string().default("eu-west-1"),
    roles: z.array(roleSeed),
  })
  .strict()
  .superRefine((org, ctx) => {
    for (const kind of ["admin", "read_only"] as const) {
      if (!org.roles.some((r) => r.kind === kind)) {
        ctx.addIssue({ code: "custom", path: ["roles"], message: `every organization needs a role of kind ${kind}` });
      }
    }
  });

const userSeed = z
  .object({
    id: resourceId,
    email: z.string().min(3),
    /** Provisioning API client id accepted by `POST /oauth/token`. */
    clientId: z.string().min(1),
    /** Provisioning API client secret accepted by `POST /oauth/token`. */
    clientSecret: z.string().min(1),
    /** Organizations this user is a member of: the only ones its tokens can see. */
    organizationIds: z.array(resourceId),
  })
  .strict();

const apiCredentialSeed = z
  .object({
    id: resourceId,
    name: z.string().min(1),
    kind: z.string().min(1),
    organizationId: resourceId,
    roleId: resourceId.nullable().default(null),
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    mode: z.enum(["test", "live"]).default("test"),
    expiresIn: z.number().int().min(7200).max(31536000).optional(),
    custom: z.boolean().default(false),
    redirectUri: z.string().nullable().default(null),
    reference: z.string().nullable().default(null),
    referenceOrigin: z.string().nullable().default(null),
    metadata: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** Schema of the Commerce Layer seed part; `reset(seed)` parses with it and rejects unknown keys. */
export const commerceLayerSeedSchema = z
  .object({
    users: z.array(userSeed).min(1),
    organizations: z.array(organizationSeed),
    apiCredentials: z.array(apiCredentialSeed).default([]),
    settings: commerceLayerSettingsSchema.partial().default({}),
  })
  .strict()
  .superRefine((seed, ctx) => {
    const orgIds = new Set(seed.organizations.map((o) => o.id));
    seed.users.forEach((user, i) => {
      user.organizationIds.forEach((id, j) => {
        if (!orgIds.has(id)) {
          ctx.addIssue({
            code: "custom",
            path: ["users", i, "organizationIds", j],
            message: `unknown organization ${id}`,
          });
        }
      });
    });
    seed.apiCredentials.forEach((cred, i) => {
      const org = seed.organizations.find((o) => o.id === cred.organizationId);
      if (!org) {
        ctx.addIssue({
          code: "custom",
          path: ["apiCredentials", i, "organizationId"],
          message: "unknown organization",
        });
      } else if (cred.roleId !== null && !org.roles.some((r) => r.id === cred.roleId)) {
        ctx.addIssue({
          code: "custom",
          path: ["apiCredentials", i, "roleId"],
          message: "not a role of the organization",
        });
      }
    });
  });

/** The Commerce Layer part of a seed document, as written in JSON (defaults filled in by `reset`). */
export type CommerceLayerSeed = z.input<typeof commerceLayerSeedSchema>;

/** A seed part after parsing: defaults applied. */
export type ParsedCommerceLayerSeed = z.output<typeof commerceLayerSeedSchema>;

/**
 * The default seed: one provisioning user with obviously fake credentials, member of two organizations, each with
 * an `admin` and a `read_only` role (the first also a custom role), and no API credentials yet.
 */
export const defaultCommerceLayerSeed: CommerceLayerSeed = {
  users: [
    {
      id: "EmuUser001",
      email: "provisioning@example.test",
      clientId: "cl-emulator-client",
      clientSecret: "cl-emulator-secret",
      organizationIds: ["BlueBrnd01", "GreenGrc01"],
    },
  ],
  organizations: [
    {
      id: "BlueBrnd01",
      name: "Blue Brand",
      slug: "blue-brand",
      region: "eu-west-1",
      roles: [
        { id: "BlueAdmin1", name: "Admin", kind: "admin" },
        { id: "BlueRead01", name: "Read-only", kind: "read_only" },
        { id: "BlueCstm01", name: "Catalog editor", kind: "custom" },
      ],
    },
    {
      id: "GreenGrc01",
      name: "Green Grocer",
      slug: "green-grocer",
      region: "us-east-1",
      roles: [
        { id: "GreenAdm01", name: "Admin", kind: "admin" },
        { id: "GreenRead1", name: "Read-only", kind: "read_only" },
      ],
    },
  ],
  apiCredentials: [],
};
