/**
 * The Commerce Layer platform's in-memory state: provisioning users, organizations, roles, API credentials,
 * issued access tokens and settings. Routes read and change it; `reset` rebuilds it from a seed part.
 */
import { randomBytes } from "node:crypto";
import {
  commerceLayerSeedSchema,
  defaultCommerceLayerSeed,
  defaultCommerceLayerSettings,
  type CommerceLayerSettings,
  type RoleKind,
} from "./seed";

/** A provisioning user: owner of the client id/secret the token endpoint accepts. */
export interface ProvisioningUser {
  readonly id: string;
  readonly email: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly organizationIds: readonly string[];
}

/** An organization (the fields the emulator answers with). */
export interface OrganizationRecord {
  readonly id: string;
  readonly name: string;
  readonly slug: string;
  readonly region: string;
  readonly createdAt: string;
}

/** A role of an organization. */
export interface RoleRecord {
  readonly id: string;
  readonly name: string;
  readonly kind: RoleKind;
  readonly organizationId: string;
  readonly createdAt: string;
}

/** An API credential as stored (secrets included: this is a test double). */
export interface ApiCredentialRecord {
  readonly id: string;
  name: string;
  readonly kind: string;
  readonly confidential: boolean;
  redirectUri: string | null;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scopes: string;
  expiresIn: number;
  readonly mode: "test" | "live";
  readonly custom: boolean;
  reference: string | null;
  referenceOrigin: string | null;
  metadata: Record<string, unknown> | null;
  readonly organizationId: string;
  roleId: string | null;
  readonly createdAt: string;
  updatedAt: string;
}

/** One entry of {@link CommerceLayerState.history}. */
export interface ApiCredentialEvent {
  readonly event: "created" | "deleted";
  readonly id: string;
  readonly name: string;
  /** ISO time of the request. */
  readonly at: string;
}

/** An issued access token. */
export interface AccessTokenRecord {
  readonly userId: string;
  /** Epoch milliseconds after which the token is refused. */
  expiresAt: number;
}

/** Token lifetime of a new credential when `expires_in` is not given (seconds). */
export function defaultExpiresIn(kind: string): number {
  return kind === "sales_channel" ? 14400 : 7200;
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A fresh 10-character alphanumeric id, the shape Commerce Layer uses. */
export function newResourceId(): string {
  const bytes = randomBytes(10);
  let id = "";
  for (const b of bytes) id += ALPHANUMERIC[b % ALPHANUMERIC.length];
  return id;
}

/** A random base64url string of `bytes` bytes (client ids, secrets, token signatures). */
export function randomBase64Url(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

/** The mutable state of the platform. */
export class CommerceLayerState {
  settings: CommerceLayerSettings = { ...defaultCommerceLayerSettings };
  users = new Map<string, ProvisioningUser>();
  organizations = new Map<string, OrganizationRecord>();
  roles = new Map<string, RoleRecord>();
  /** Insertion order is creation order: lists answer in it. */
  apiCredentials = new Map<string, ApiCredentialRecord>();
  tokens = new Map<string, AccessTokenRecord>();
  /** Per-token timestamps (epoch ms) of the requests inside the current sliding window. */
  rateWindows = new Map<string, number[]>();
  /**
   * Every API credential created or deleted through the API since the last reset, in order: tests read it to prove
   * the order of a replacement (the new credential exists before the old one goes).
   */
  history: ApiCredentialEvent[] = [];

  constructor(seed?: unknown) {
    this.reset(seed);
  }

  /**
   * Replace everything by the seed part (the default seed when undefined). Tokens of users that still exist with
   * the same client id survive, so a test that re-seeds does not force every client to re-authenticate.
   */
  reset(seed?: unknown): void {
    const parsed = commerceLayerSeedSchema.parse(seed ?? defaultCommerceLayerSeed);
    const now = new Date().toISOString();
    const previousUsers = this.users;
    this.settings = { ...defaultCommerceLayerSettings, ...parsed.settings };
    this.users = new Map(parsed.users.map((u) => [u.id, { ...u }]));
    this.organizations = new Map();
    this.roles = new Map();
    for (const org of parsed.organizations) {
      this.organizations.set(org.id, {
        id: org.id,
        name: org.name,
        slug: org.slug,
        region: org.region,
        createdAt: now,
      });
      for (const role of org.roles) {
        this.roles.set(role.id, { ...role, organizationId: org.id, createdAt: now });
      }
    }
    this.apiCredentials = new Map(
      parsed.apiCredentials.map((c) => [
        c.id,
        {
          id: c.id,
          name: c.name,
          kind: c.kind,
          confidential: c.kind !== "sales_channel",
          redirectUri: c.redirectUri,
          clientId: c.clientId,
          clientSecret: c.clientSecret,
          scopes: scopesFor(c.kind),
          expiresIn: c.expiresIn ?? defaultExpiresIn(c.kind),
          mode: c.mode,
          custom: c.custom,
          reference: c.reference,
          referenceOrigin: c.referenceOrigin,
          metadata: c.metadata,
          organizationId: c.organizationId,
          roleId: c.roleId,
          createdAt: now,
          updatedAt: now,
        },
      ]),
    );
    for (const [token, record] of this.tokens) {
      const before = previousUsers.get(record.userId);
      const after = this.users.get(record.userId);
      if (!before || !after || before.clientId !== after.clientId) this.tokens.delete(token);
    }
    this.rateWindows.clear();
    this.history = [];
  }

  /** The user whose provisioning credentials these are, if any (secret compared whole). */
  findUserByClient(clientId: string, clientSecret: string): ProvisioningUser | undefined {
    for (const user of this.users.values()) {
      if (user.clientId === clientId && user.clientSecret === clientSecret) return user;
    }
    return undefined;
  }

  /** Organizations the user is a member of, in seed order. */
  organizationsOf(user: ProvisioningUser): OrganizationRecord[] {
    return [...this.organizations.values()].filter((o) => user.organizationIds.includes(o.id));
  }

  /** Roles of the user's organizations. */
  rolesOf(user: ProvisioningUser): RoleRecord[] {
    return [...this.roles.values()].filter((r) => user.organizationIds.includes(r.organizationId));
  }

  /** API credentials of the user's organizations, in creation order. */
  apiCredentialsOf(user: ProvisioningUser): ApiCredentialRecord[] {
    return [...this.apiCredentials.values()].filter((c) => user.organizationIds.includes(c.organizationId));
  }

  /** Whole state as plain JSON (secrets included; token strings left out, only their count and expiry). */
  snapshot(): unknown {
    const now = Date.now();
    return {
      settings: { ...this.settings },
      users: [...this.users.values()].map((u) => ({ ...u, organizationIds: [...u.organizationIds] })),
      organizations: [...this.organizations.values()].map((o) => ({
        ...o,
        roles: [...this.roles.values()].filter((r) => r.organizationId === o.id).map((r) => ({ ...r })),
      })),
      apiCredentials: [...this.apiCredentials.values()].map((c) => ({ ...c })),
      tokens: {
        issued: this.tokens.size,
        active: [...this.tokens.values()].filter((t) => t.expiresAt > now).length,
      },
    };
  }
}

/**
 * The `scopes` attribute of a credential. Commerce Layer derives it from markets and stock locations; the emulator
 * has neither, so every credential gets the "all markets" scope.
 */
export function scopesFor(_kind: string): string {
  return "market:all";
}
