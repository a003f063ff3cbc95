/**
 * Commerce Layer lookups: reads that manage nothing, run in the program with the stack's `commercelayer:*` settings
 * (or a named account's), usable in previews and to feed resources. Reference: docs/commercelayer-lookups.md.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as core from "../../provider/commercelayer/lookups";
import { invokeLookup, invokeLookupOutput, type Same } from "../lookups";

/**
 * Name of the account under `platform-credentials:accounts` in stack config whose provisioning client reads
 * (`pulumi config set --path 'platform-credentials:accounts.<name>.commerceLayerClientId' <id>` and its
 * `commerceLayerClientSecret`); the default account (`commercelayer:clientId` / `commercelayer:clientSecret`) when
 * omitted. Not a secret.
 */
type AccountArg = string;

/** Arguments of {@link getOrganization}. */
export interface GetOrganizationArgs {
  /** Id of the Commerce Layer organization (e.g. `BlueBrnd01`). */
  readonly organizationId: string;
  /** The account whose provisioning client reads (see {@link AccountArg}); the default account when omitted. */
  readonly account?: AccountArg;
}

/** Arguments of {@link getOrganizationOutput}: those of {@link getOrganization}, each possibly an output. */
export interface GetOrganizationOutputArgs {
  /** Id of the Commerce Layer organization (e.g. `BlueBrnd01`). */
  readonly organizationId: pulumi.Input<string>;
  /** As {@link GetOrganizationArgs.account}. */
  readonly account?: pulumi.Input<AccountArg>;
}

/** A role of an organization. */
export interface OrganizationRole {
  /** Id of the role: the `roleId` of an {@link ApiCredential}. */
  readonly roleId: string;
  /** The role's name. */
  readonly name: string;
  /** `admin`, `read_only` or `custom`. */
  readonly kind: string;
}

/** Result of {@link getOrganization}. */
export interface GetOrganizationResult {
  /** Id of the organization. */
  readonly organizationId: string;
  /** The organization's name. */
  readonly name: string;
  /** The organization's slug; absent when the platform gives none. */
  readonly slug?: string | undefined;
  /** The organization's domain; absent when the platform gives none. */
  readonly domain?: string | undefined;
  /** The region the organization is hosted in (e.g. `eu-west-1`). */
  readonly region?: string | undefined;
  /** Every role of the organization: its `admin` and `read_only` roles and any custom ones. */
  readonly roles: OrganizationRole[];
}

/** Arguments of {@link getRole}: the organization and the role's `name` or its `kind` (exactly one). */
export interface GetRoleArgs {
  /** Id of the Commerce Layer organization (e.g. `BlueBrnd01`). */
  readonly organizationId: string;
  /** The role's name (exact match). Give `name` or `kind`, not both. */
  readonly name?: string;
  /**
   * The role's kind: `admin` or `read_only` (every organization has one of each), or `custom` when the organization
   * has exactly one custom role. Give `name` or `kind`, not both.
   */
  readonly kind?: "admin" | "read_only" | "custom";
  /** The account whose provisioning client reads (see {@link AccountArg}); the default account when omitted. */
  readonly account?: AccountArg;
}

/** Arguments of {@link getRoleOutput}: those of {@link getRole}, each possibly an output. */
export interface GetRoleOutputArgs {
  /** Id of the Commerce Layer organization (e.g. `BlueBrnd01`). */
  readonly organizationId: pulumi.Input<string>;
  /** As {@link GetRoleArgs.name}. */
  readonly name?: pulumi.Input<string>;
  /** As {@link GetRoleArgs.kind}. */
  readonly kind?: pulumi.Input<"admin" | "read_only" | "custom">;
  /** As {@link GetRoleArgs.account}. */
  readonly account?: pulumi.Input<AccountArg>;
}

/** Result of {@link getRole}. */
export interface GetRoleResult extends OrganizationRole {
  /** Id of the organization the role belongs to. */
  readonly organizationId: string;
}

// The SDK's types are the lookups' declared schemas, field for field.
const same: [
  Same<GetOrganizationArgs, core.GetOrganizationArgs>,
  Same<GetOrganizationResult, core.GetOrganizationResult>,
  Same<GetRoleArgs, core.GetRoleArgs>,
  Same<GetRoleResult, core.GetRoleResult>,
] = [true, true, true, true];
void same;

/**
 * Reads a Commerce Layer organization visible to the provisioning client, with every role it has (id, name, kind).
 * Two read calls; manages nothing, runs in previews too. An organization the client cannot see fails naming
 * `organizationId` and the organizations it can see.
 *
 * ```ts
 * const org = await commercelayer.getOrganization({ organizationId: "BlueBrnd01" });
 * const readOnly = org.roles.find((r) => r.kind === "read_only");
 * ```
 */
export function getOrganization(args: GetOrganizationArgs): Promise<GetOrganizationResult> {
  return invokeLookup("commercelayer:getOrganization", args);
}

/** {@link getOrganization} as an Output, for arguments that are other resources' outputs. */
export function getOrganizationOutput(args: GetOrganizationOutputArgs): pulumi.Output<GetOrganizationResult> {
  return invokeLookupOutput("commercelayer:getOrganization", args);
}

/**
 * Finds one role of a Commerce Layer organization by its `name` or its `kind`, e.g. for the `roleId` of an
 * integration {@link ApiCredential}. One read call (`GET /organizations/{id}/roles`); manages nothing, runs in
 * previews too. When no role matches (or several do) it fails listing the organization's role names, kinds and ids.
 *
 * ```ts
 * const role = commercelayer.getRoleOutput({ organizationId: "BlueBrnd01", kind: "read_only" });
 * new commercelayer.ApiCredential("erp", { organizationId: "BlueBrnd01", name: "ERP", kind: "integration",
 *   roleId: role.roleId });
 * ```
 */
export function getRole(args: GetRoleArgs): Promise<GetRoleResult> {
  return invokeLookup("commercelayer:getRole", args);
}

/** {@link getRole} as an Output, for arguments that are other resources' outputs. */
export function getRoleOutput(args: GetRoleOutputArgs): pulumi.Output<GetRoleResult> {
  return invokeLookupOutput("commercelayer:getRole", args);
}
