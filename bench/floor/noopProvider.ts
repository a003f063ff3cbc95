/**
 * The floor of the overhead figure: a dynamic provider that makes no HTTP call and does no work, driven through the
 * same dynamic-provider host with the same inputs and call sequence (Check, Create, Read, Delete) as the product's
 * ApiCredential. Its time is what the host (gRPC, Struct conversions, `__provider` lookup) and the bench's driver
 * cost by themselves; whatever the provider takes beyond it is ours or the HTTP calls'.
 */
import * as pulumi from "@pulumi/pulumi";

/** Inputs of the no-op resource (the same attributes as the product's ApiCredential, for equal payloads). */
export interface NoopApiCredentialArgs {
  /** Organization id. */
  organizationId: pulumi.Input<string>;
  /** Credential name. */
  name: pulumi.Input<string>;
  /** Credential kind (`integration`). */
  kind: pulumi.Input<string>;
  /** Role id. */
  roleId: pulumi.Input<string>;
}

const noopProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    return { id: `noop-${String(inputs.name)}`, outs: { ...inputs } };
  },
  async read(id, props) {
    return { id, props };
  },
  async delete() {},
};

/** A resource whose provider answers at once without any call. */
export class NoopApiCredential extends pulumi.dynamic.Resource {
  /** Declares the resource. */
  constructor(name: string, args: NoopApiCredentialArgs, opts?: pulumi.CustomResourceOptions) {
    super(noopProvider, name, { ...args }, opts, "bench", "NoopApiCredential");
  }
}
