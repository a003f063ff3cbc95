/**
 * The engine's floor: the same three resources with the same inputs as this package's, as dynamic providers that
 * make no HTTP call and do no work (create echoes its inputs, read its state, delete nothing). Their time through
 * the real CLI is what the engine, the dynamic-provider host and the program cost by themselves; whatever this
 * package takes beyond it is its code and its HTTP calls. The file is copied into the bench project, so the providers
 * are serialized by value (about 1 KB each).
 *
 * `BENCH_FLOOR_PADDING=<bytes>` in the program's environment (bench/profile.ts `--floor-padding`) makes the providers
 * capture a string of that length, so their `__provider` (stored twice per resource, in inputs and outputs) grows
 * by that much while they still do nothing: what the engine's time owes to the size of the state alone.
 */
import * as pulumi from "@pulumi/pulumi";

const plain: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: `noop-${String(inputs.name ?? inputs.accountIdentifier)}`, outs: { ...inputs } };
  },
  async read(id, props) {
    return { id, props };
  },
  async delete() {},
};

const padding = "x".repeat(Number(process.env["BENCH_FLOOR_PADDING"] ?? 0));
const padded: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: `noop-${String(inputs.name ?? inputs.accountIdentifier)}${padding.slice(0, 0)}`, outs: { ...inputs } };
  },
  async read(id, props) {
    return { id, props };
  },
  async delete() {},
};

const noop = padding.length > 0 ? padded : plain;

/** A no-op storefront source credential (this package's inputs). */
export class NoopSourceCredential extends pulumi.dynamic.Resource {
  /** Declares the resource. */
  constructor(name: string, args: Record<string, pulumi.Input<unknown>>, opts?: pulumi.CustomResourceOptions) {
    super(noop, name, { ...args }, opts, "bench", "NoopSourceCredential");
  }
}

/** A no-op data-delivery credential (this package's inputs). */
export class NoopDeliveryCredential extends pulumi.dynamic.Resource {
  /** Declares the resource. */
  constructor(name: string, args: Record<string, pulumi.Input<unknown>>, opts?: pulumi.CustomResourceOptions) {
    super(noop, name, { ...args }, opts, "bench", "NoopDeliveryCredential");
  }
}

/** A no-op Commerce Layer API credential (this package's inputs). */
export class NoopApiCredential extends pulumi.dynamic.Resource {
  /** Declares the resource. */
  constructor(name: string, args: Record<string, pulumi.Input<unknown>>, opts?: pulumi.CustomResourceOptions) {
    super(noop, name, { ...args }, opts, "bench", "NoopApiCredential");
  }
}
