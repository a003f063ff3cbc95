/**
 * One table of lifecycle cases per resource, shared by the dynamic-provider path (Pulumi's real dynamic host,
 * engine/host.ts) and the provider-plugin path (PulumiPlugin.yaml, test/plugin/pluginClient.ts), and the walk both
 * paths run: check (valid, invalid) → create → diff (same, update, replace) → update → read → delete → read.
 * Each path supplies a {@link LifecycleDriver}; the test asserts the table's expectations on both outcomes and that
 * the two outcomes are equal, so the plugin can never drift from the dynamic resources.
 *
 * Inputs are written as a program would send them: secret inputs carry {@link Secret} marks (the SDK wraps them
 * with `pulumi.secret`). Cases run against the emulator's default seed (emulator/seed.ts).
 */
import { isSecret, Secret } from "../../engine/secrets";

/** A property map; {@link Secret} marks where the engine holds a value as secret. */
export type PropertyMap = Record<string, unknown>;

/** One check failure. */
export interface LifecycleCheckFailure {
  property: string;
  reason: string;
}

/** The calls a path must answer, in the engine's terms (outputs never include `__provider`). */
export interface LifecycleDriver {
  /** Check `news` for a new resource; returns the checked inputs (to pass to create/update) and failures. */
  check(
    kind: string,
    name: string,
    news: PropertyMap,
  ): Promise<{ inputs: PropertyMap; failures: LifecycleCheckFailure[] }>;
  diff(
    kind: string,
    name: string,
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<{ changes: string; replaces: string[]; deleteBeforeReplace: boolean }>;
  create(kind: string, name: string, inputs: PropertyMap): Promise<{ id: string; outputs: PropertyMap }>;
  read(
    kind: string,
    name: string,
    id: string,
    outputs: PropertyMap,
    inputs: PropertyMap,
  ): Promise<{ id: string; outputs: PropertyMap }>;
  update(
    kind: string,
    name: string,
    id: string,
    olds: PropertyMap,
    news: PropertyMap,
  ): Promise<{ outputs: PropertyMap }>;
  delete(kind: string, name: string, id: string, outputs: PropertyMap): Promise<void>;
}

/** One row of the table. */
export interface LifecycleCase {
  /** Resource kind, `<module>:<Type>`. */
  kind: string;
  /** What the row proves. */
  title: string;
  /** Resource name (the URN's last part). */
  name: string;
  /** Inputs of the create. */
  inputs: PropertyMap;
  /** Exact values some outputs must have after create ({@link Secret} where the output must be secret). */
  createdOutputs: PropertyMap;
  /** Top-level outputs that must be secret after create, update and read (and no other). */
  secretOutputs: string[];
  /** An in-place update: its inputs, and exact values after the update. */
  update: { inputs: PropertyMap; outputs: PropertyMap };
  /** Inputs that force a replacement, and the keys the diff must name. */
  replace: { inputs: PropertyMap; replaces: string[] };
  /** Invalid inputs and the exact property paths of the check failures, in order. */
  invalid: { inputs: PropertyMap; failedProperties: string[] };
  /** Whether a read after delete reports the object gone (false where the API cannot delete). */
  goneAfterDelete: boolean;
  /** Outputs that differ between runs (timestamps, generated ids): compared by presence only. */
  volatileOutputs: string[];
}

/** What one path did for one case, normalized so that two paths can be compared with `toEqual`. */
export interface LifecycleOutcome {
  validFailures: LifecycleCheckFailure[];
  invalidFailures: LifecycleCheckFailure[];
  created: PropertyMap;
  diffSame: { changes: string; replaces: string[]; deleteBeforeReplace: boolean };
  diffUpdate: { changes: string; replaces: string[]; deleteBeforeReplace: boolean };
  diffReplace: { changes: string; replaces: string[]; deleteBeforeReplace: boolean };
  updated: PropertyMap;
  read: PropertyMap;
  readKeptId: boolean;
  goneAfterDelete: boolean;
  /** Top-level secret outputs after create, update and read. */
  secretKeys: { created: string[]; updated: string[]; read: string[] };
}

/** Top-level keys whose values are {@link Secret}. */
export function secretKeysOf(outputs: PropertyMap): string[] {
  return Object.keys(outputs)
    .filter((k) => isSecret(outputs[k]))
    .sort();
}

function normalize(outputs: PropertyMap, volatile: readonly string[]): PropertyMap {
  const out: PropertyMap = {};
  for (const key of Object.keys(outputs).sort()) {
    out[key] = volatile.includes(key) && outputs[key] !== undefined ? "<volatile>" : outputs[key];
  }
  return out;
}

/** Run one case through a path. */
export async function walkLifecycle(driver: LifecycleDriver, row: LifecycleCase): Promise<LifecycleOutcome> {
  const { kind, name } = row;
  const invalid = await driver.check(kind, name, row.invalid.inputs);
  const valid = await driver.check(kind, name, row.inputs);
  const created = await driver.create(kind, name, valid.inputs);
  const diffSame = await driver.diff(kind, name, created.id, created.outputs, valid.inputs);
  const updateInputs = (await driver.check(kind, name, row.update.inputs)).inputs;
  const diffUpdate = await driver.diff(kind, name, created.id, created.outputs, updateInputs);
  const replaceInputs = (await driver.check(kind, name, row.replace.inputs)).inputs;
  const diffReplace = await driver.diff(kind, name, created.id, created.outputs, replaceInputs);
  const updated = await driver.update(kind, name, created.id, created.outputs, updateInputs);
  const read = await driver.read(kind, name, created.id, updated.outputs, updateInputs);
  await driver.delete(kind, name, created.id, read.outputs);
  const afterDelete = await driver.read(kind, name, created.id, read.outputs, updateInputs);
  return {
    validFailures: valid.failures,
    invalidFailures: invalid.failures,
    created: normalize(created.outputs, row.volatileOutputs),
    diffSame,
    diffUpdate,
    diffReplace,
    updated: normalize(updated.outputs, row.volatileOutputs),
    read: normalize(read.outputs, row.volatileOutputs),
    readKeptId: read.id === created.id,
    goneAfterDelete: afterDelete.id === "",
    secretKeys: {
      created: secretKeysOf(created.outputs),
      updated: secretKeysOf(updated.outputs),
      read: secretKeysOf(read.outputs),
    },
  };
}

const storefrontInputs = {
  storefrontId: 101,
  sourceId: "src_apikey",
  accountIdentifier: "acct-parity-001",
  auth: new Secret({ type: "apiKey", token: "parity-token-one" }),
};

const deliveryInputs = {
  advertiserId: "12345",
  name: "parity-lld",
  destination: { type: "GCS", bucket: "acme-parity-lld" },
  probeTimeoutSeconds: 10,
};

const apiCredentialInputs = {
  organizationId: "BlueBrnd01",
  name: "parity-integration",
  kind: "integration",
  roleId: "BlueRead01",
};

/** The table: one case per resource. */
export const lifecycleTable: readonly LifecycleCase[] = [
  {
    kind: "interchange:StorefrontSourceCredential",
    title: "API-key source: rotation updates in place, accountIdentifier replaces, delete leaves the registration",
    name: "parity-source",
    inputs: storefrontInputs,
    createdOutputs: {
      storefrontId: 101,
      sourceId: "src_apikey",
      accountIdentifier: "acct-parity-001",
      auth: new Secret({ type: "apiKey", token: "parity-token-one" }),
      status: "ACTIVE",
      accountType: "CLIENT",
      revocation: "manual",
      adopt: false,
    },
    secretOutputs: ["auth"],
    update: {
      inputs: { ...storefrontInputs, auth: new Secret({ type: "apiKey", token: "parity-token-two" }) },
      outputs: { auth: new Secret({ type: "apiKey", token: "parity-token-two" }), status: "ACTIVE" },
    },
    replace: { inputs: { ...storefrontInputs, accountIdentifier: "acct-parity-002" }, replaces: ["accountIdentifier"] },
    invalid: {
      inputs: { ...storefrontInputs, storefrontId: 0, sourceId: "" },
      failedProperties: ["storefrontId", "sourceId"],
    },
    goneAfterDelete: false,
    volatileOutputs: [
      "credentialId",
      "createdAt",
      "updatedAt",
      "lastRegisteredAt",
      "registeredBy",
      "sources",
      "connected",
    ],
  },
  {
    kind: "interchange:DataDeliveryCredential",
    title: "GCS destination: probed on create and update, name replaces, delete removes it",
    name: "parity-delivery",
    inputs: deliveryInputs,
    createdOutputs: {
      advertiserId: "12345",
      name: "parity-lld",
      destination: { type: "GCS", bucket: "acme-parity-lld" },
      destinationType: "GCS",
      status: "VALIDATED",
      waitForProbe: true,
      validateOnRefresh: true,
      probeTimeoutSeconds: 10,
      adopt: false,
    },
    secretOutputs: [],
    update: {
      inputs: { ...deliveryInputs, destination: { type: "GCS", bucket: "acme-parity-lld-2" } },
      outputs: { destination: { type: "GCS", bucket: "acme-parity-lld-2" }, status: "VALIDATED" },
    },
    replace: { inputs: { ...deliveryInputs, name: "parity-lld-renamed" }, replaces: ["name"] },
    invalid: {
      inputs: { ...deliveryInputs, name: "bad name!", destination: { type: "GCS", bucket: "gs://Nope" } },
      failedProperties: ["name", "destination.bucket"],
    },
    goneAfterDelete: true,
    volatileOutputs: ["credentialId", "createdAt", "updatedAt", "validatedAt"],
  },
  {
    kind: "commercelayer:ApiCredential",
    title: "integration credential: rename updates in place, kind replaces, client id and secret stay secret",
    name: "parity-integration",
    inputs: apiCredentialInputs,
    createdOutputs: {
      organizationId: "BlueBrnd01",
      name: "parity-integration",
      kind: "integration",
      roleId: "BlueRead01",
      mode: "test",
      customApp: false,
      confidential: true,
    },
    secretOutputs: ["clientId", "clientSecret"],
    update: {
      inputs: { ...apiCredentialInputs, name: "parity-integration-renamed" },
      outputs: { name: "parity-integration-renamed", roleId: "BlueRead01" },
    },
    replace: { inputs: { ...apiCredentialInputs, kind: "sales_channel", roleId: undefined }, replaces: ["kind"] },
    invalid: {
      // Any kind string passes check (the contract types it as a string); a blank one does not.
      inputs: { ...apiCredentialInputs, organizationId: 42, kind: " " },
      failedProperties: ["organizationId", "kind"],
    },
    goneAfterDelete: true,
    volatileOutputs: ["clientId", "clientSecret", "createdAt", "updatedAt", "scopes", "expiresIn"],
  },
];
