/**
 * A miniature Pulumi engine over the real dynamic-provider host: the step logic of `pulumi preview`, `up`, `refresh`
 * and `destroy` (Check → Create, or Diff → Update / Replace / Same; Read; Delete), with the engine's secret marks, so
 * the demo and tests can drive programs the way the CLI drives a provider.
 */
import { isDeepStrictEqual } from "node:util";
import {
  PartialFailureError,
  PROVIDER_KEY,
  type CheckFailure,
  type DynamicProviderHost,
  type PropertyMap,
} from "./host";
import type { Registration } from "./program";
import { markSecretOutputs, reveal, type Secret } from "./secrets";

/** What one resource step does. */
export type StepOp = "create" | "update" | "replace" | "same" | "delete" | "read";

/** A resource as the engine records it in state. */
export interface ResourceState {
  /** The resource's URN. */
  urn: string;
  /** Its type token. */
  type: string;
  /** The provider's id of the object. */
  id: string;
  /** Checked inputs (including `__provider`), secret-marked. */
  inputs: PropertyMap;
  /** Outputs (including `__provider`), secret-marked. */
  outputs: PropertyMap;
  /** The `additionalSecretOutputs` option it was registered with (applied again on refresh). */
  additionalSecretOutputs: string[];
  /** Set when the last Create/Update was a partial failure: the object exists but failed to initialize. */
  initErrors?: string[];
}

/** A planned or executed step. */
export interface Step {
  /** What the step does. */
  op: StepOp;
  /** The resource's URN. */
  urn: string;
  /** Its type token. */
  type: string;
  /** Input keys whose change forces the replacement (replace steps). */
  replaces?: string[];
  /** Milliseconds the step took (executed steps only). */
  durationMs?: number;
}

/** Progress events for a caller that prints them (the demo). */
export type EngineEvent =
  | { kind: "step-start"; op: StepOp; urn: string; type: string }
  | { kind: "step-finish"; op: StepOp; urn: string; type: string; durationMs: number; drift?: string[] }
  | {
      kind: "step-failed";
      op: StepOp;
      urn: string;
      type: string;
      durationMs: number;
      error: Error;
      /** Set for a partial failure: the object exists with this id and stays in state. */
      partial?: { id: string; reasons: string[] };
    };

/** Result of {@link MiniEngine.refresh}, per resource in state before the refresh. */
export interface RefreshedResource {
  /** The resource's URN. */
  urn: string;
  /** True when Read returned a blank id: the object is gone and the resource left state. */
  gone: boolean;
  /** Output keys whose values changed (added, removed or different); empty when nothing drifted. */
  drift: string[];
}

/** Options of {@link MiniEngine}. */
export interface MiniEngineOptions {
  /** The host every request goes to (each request carries `__provider`, so one host serves all resource kinds). */
  host: DynamicProviderHost;
  /** Stack config sent with Configure before the first request; when omitted, an unconfigured host gets `{}`. */
  config?: Record<string, string | Secret<string>>;
  /** Called for every step start, finish and failure. */
  onEvent?: (event: EngineEvent) => void;
}

/** Check rejected a resource's inputs. */
export class CheckFailedError extends Error {
  /**
   * @param urn the resource whose inputs were rejected
   * @param failures the provider's failures, with property paths
   */
  constructor(
    readonly urn: string,
    readonly failures: CheckFailure[],
  ) {
    super(`Invalid inputs for ${urn}:\n${failures.map((f) => `  ${f.property}: ${f.reason}`).join("\n")}`);
    this.name = "CheckFailedError";
  }
}

/** Resource types the engine itself implements; they never reach a provider. */
const ENGINE_TYPES = new Set(["pulumi:pulumi:Stack", "pulumi:pulumi:StackReference"]);

/**
 * The engine's step logic over one {@link DynamicProviderHost}. State lives in memory ({@link MiniEngine.state}),
 * keyed by URN in creation order. Like the engine, an operation stops at the first failed step and rejects with its
 * error; a partial failure keeps the resource in state with its id first.
 */
export class MiniEngine {
  /** Resources by URN, in creation order. */
  readonly state = new Map<string, ResourceState>();
  /**
   * Old objects of create-before-delete replacements whose new object failed (partially) to create. The engine keeps
   * both; the old one is deleted at the start of the next `up` or `destroy`, so nothing is orphaned.
   */
  readonly pendingDeletes: ResourceState[] = [];
  private readonly host: DynamicProviderHost;
  private readonly config: Record<string, string | Secret<string>> | undefined;
  private readonly onEvent: (event: EngineEvent) => void;
  private configured = false;

  /** @param opts the host, the stack config and an event callback */
  constructor(opts: MiniEngineOptions) {
    this.host = opts.host;
    this.config = opts.config;
    this.onEvent = opts.onEvent ?? (() => undefined);
  }

  /** The steps `up` would run, from Check and Diff only (no writes, nothing recorded). */
  async preview(registrations: readonly Registration[]): Promise<Step[]> {
    await this.ensureConfigured();
    const steps: Step[] = [];
    const wanted = this.providerRegistrations(registrations);
    for (const reg of wanted) {
      const prior = this.state.get(reg.urn);
      const checked = await this.check(reg, prior);
      if (!prior) {
        steps.push({ op: "create", urn: reg.urn, type: reg.type });
        continue;
      }
      const plan = await this.plan(reg, prior, checked);
      steps.push({
        op: plan.op,
        urn: reg.urn,
        type: reg.type,
        ...(plan.op === "replace" ? { replaces: plan.replaces } : {}),
      });
    }
    for (const resource of this.orphans(wanted).reverse()) {
      steps.push({ op: "delete", urn: resource.urn, type: resource.type });
    }
    return steps;
  }

  /**
   * Brings state to the registrations, in order: Check (olds = previous inputs), then Create for a new resource, or
   * Diff → Update (changes without replaces) / Replace (create-before-delete unless deleteBeforeReplace) / Same.
   * Resources in state that the program no longer registers are deleted last, in reverse order.
   */
  async up(registrations: readonly Registration[]): Promise<Step[]> {
    await this.ensureConfigured();
    const steps = await this.deletePending();
    const wanted = this.providerRegistrations(registrations);
    for (const reg of wanted) {
      const prior = this.state.get(reg.urn);
      const checked = await this.check(reg, prior);
      if (!prior) {
        steps.push(await this.step("create", reg.urn, reg.type, () => this.create(reg, checked)));
        continue;
      }
      const plan = await this.plan(reg, prior, checked);
      if (plan.op === "same") {
        // Same step: the engine keeps the old outputs and records the new inputs.
        this.state.set(reg.urn, { ...prior, inputs: checked, additionalSecretOutputs: reg.additionalSecretOutputs });
        steps.push({ op: "same", urn: reg.urn, type: reg.type, durationMs: 0 });
      } else if (plan.op === "update") {
        steps.push(await this.step("update", reg.urn, reg.type, () => this.update(reg, prior, checked)));
      } else {
        const step = await this.step("replace", reg.urn, reg.type, () =>
          this.replace(reg, prior, checked, plan.deleteBeforeReplace),
        );
        steps.push({ ...step, replaces: plan.replaces });
      }
    }
    for (const resource of this.orphans(wanted).reverse()) {
      steps.push(await this.step("delete", resource.urn, resource.type, () => this.remove(resource)));
    }
    return steps;
  }

  /**
   * Reads every resource in state. A blank id drops the resource from state; otherwise outputs (and inputs, when the
   * provider returns them) are replaced, and the changed output keys are reported as drift.
   */
  async refresh(): Promise<RefreshedResource[]> {
    await this.ensureConfigured();
    const results: RefreshedResource[] = [];
    for (const resource of [...this.state.values()]) {
      let result: RefreshedResource = { urn: resource.urn, gone: false, drift: [] };
      await this.step(
        "read",
        resource.urn,
        resource.type,
        async () => {
          const read = await this.host.read(resource.id, resource.urn, resource.outputs, resource.inputs, {
            additionalSecretOutputs: resource.additionalSecretOutputs,
          });
          if (read.id === "") {
            this.state.delete(resource.urn);
            result = { urn: resource.urn, gone: true, drift: [] };
            return;
          }
          result = { urn: resource.urn, gone: false, drift: changedKeys(resource.outputs, read.outputs) };
          this.state.set(resource.urn, {
            ...resource,
            id: read.id,
            outputs: read.outputs,
            inputs: read.inputs ?? resource.inputs,
          });
        },
        () => ({ drift: result.drift }),
      );
      results.push(result);
    }
    return results;
  }

  /** Deletes every resource in state, in reverse creation order. */
  async destroy(): Promise<Step[]> {
    await this.ensureConfigured();
    const steps = await this.deletePending();
    for (const resource of [...this.state.values()].reverse()) {
      steps.push(await this.step("delete", resource.urn, resource.type, () => this.remove(resource)));
    }
    return steps;
  }

  private async ensureConfigured(): Promise<void> {
    if (this.configured) return;
    if (this.config !== undefined) await this.host.configure(this.config);
    else if (!this.host.configured) await this.host.configure({});
    this.configured = true;
  }

  /** The registrations a provider serves: custom resources, minus the engine's own types. */
  private providerRegistrations(registrations: readonly Registration[]): Registration[] {
    return registrations.filter((reg) => {
      if (!reg.custom || ENGINE_TYPES.has(reg.type)) return false;
      if (reg.providerText === undefined) {
        throw new Error(
          `${reg.urn} has no ${PROVIDER_KEY}: the mini engine drives dynamic resources only (type ${reg.type}).`,
        );
      }
      return true;
    });
  }

  private orphans(wanted: readonly Registration[]): ResourceState[] {
    const urns = new Set(wanted.map((reg) => reg.urn));
    return [...this.state.values()].filter((resource) => !urns.has(resource.urn));
  }

  private async check(reg: Registration, prior: ResourceState | undefined): Promise<PropertyMap> {
    const result = await this.host.check(reg.urn, prior?.inputs ?? {}, reg.inputs);
    if (result.failures.length > 0) {
      const error = new CheckFailedError(reg.urn, result.failures);
      this.onEvent({
        kind: "step-failed",
        op: prior ? "update" : "create",
        urn: reg.urn,
        type: reg.type,
        durationMs: 0,
        error,
      });
      throw error;
    }
    return result.inputs;
  }

  private async plan(
    reg: Registration,
    prior: ResourceState,
    checked: PropertyMap,
  ): Promise<{ op: "same" | "update" | "replace"; replaces: string[]; deleteBeforeReplace: boolean }> {
    const diff = await this.host.diff(prior.id, reg.urn, prior.outputs, checked, prior.inputs);
    if (diff.changes === "unknown") {
      // No verdict from the provider: the engine compares the inputs itself, `__provider` text included.
      const changed = changedKeys(prior.inputs, checked);
      return { op: changed.length > 0 ? "update" : "same", replaces: [], deleteBeforeReplace: false };
    }
    if (diff.changes === "none") return { op: "same", replaces: [], deleteBeforeReplace: false };
    if (diff.replaces.length > 0) {
      return { op: "replace", replaces: diff.replaces, deleteBeforeReplace: diff.deleteBeforeReplace };
    }
    return { op: "update", replaces: [], deleteBeforeReplace: false };
  }

  private async create(reg: Registration, checked: PropertyMap): Promise<void> {
    try {
      const created = await this.host.create(reg.urn, checked, {
        additionalSecretOutputs: reg.additionalSecretOutputs,
      });
      this.record(reg, created.id, checked, created.outputs);
    } catch (error) {
      if (error instanceof PartialFailureError) this.record(reg, error.id, checked, error.outputs, error.reasons);
      throw error;
    }
  }

  private async update(reg: Registration, prior: ResourceState, checked: PropertyMap): Promise<void> {
    try {
      const updated = await this.host.update(prior.id, reg.urn, prior.outputs, checked, {
        additionalSecretOutputs: reg.additionalSecretOutputs,
        oldInputs: prior.inputs,
      });
      this.record(reg, prior.id, checked, updated.outputs);
    } catch (error) {
      if (error instanceof PartialFailureError)
        this.record(reg, error.id || prior.id, checked, error.outputs, error.reasons);
      throw error;
    }
  }

  private async replace(
    reg: Registration,
    prior: ResourceState,
    checked: PropertyMap,
    deleteBeforeReplace: boolean,
  ): Promise<void> {
    if (deleteBeforeReplace) {
      await this.host.delete(prior.id, prior.urn, prior.outputs, prior.inputs);
      this.state.delete(prior.urn);
      await this.create(reg, checked);
      return;
    }
    try {
      await this.create(reg, checked);
    } catch (error) {
      if (error instanceof PartialFailureError) this.pendingDeletes.push(prior);
      throw error;
    }
    await this.host.delete(prior.id, prior.urn, prior.outputs, prior.inputs);
  }

  private async deletePending(): Promise<Step[]> {
    const steps: Step[] = [];
    while (this.pendingDeletes.length > 0) {
      const resource = this.pendingDeletes[0] as ResourceState;
      steps.push(
        await this.step("delete", resource.urn, resource.type, () =>
          this.host.delete(resource.id, resource.urn, resource.outputs, resource.inputs),
        ),
      );
      this.pendingDeletes.shift();
    }
    return steps;
  }

  private async remove(resource: ResourceState): Promise<void> {
    await this.host.delete(resource.id, resource.urn, resource.outputs, resource.inputs);
    this.state.delete(resource.urn);
  }

  private record(
    reg: Registration,
    id: string,
    inputs: PropertyMap,
    outputs: PropertyMap,
    initErrors?: string[],
  ): void {
    this.state.set(reg.urn, {
      urn: reg.urn,
      type: reg.type,
      id,
      inputs,
      outputs: markSecretOutputs(inputs, outputs, reg.additionalSecretOutputs),
      additionalSecretOutputs: reg.additionalSecretOutputs,
      ...(initErrors ? { initErrors } : {}),
    });
  }

  /** Runs one step with start/finish/failed events and its duration. */
  private async step(
    op: StepOp,
    urn: string,
    type: string,
    run: () => Promise<void>,
    finishDetails: () => { drift?: string[] } = () => ({}),
  ): Promise<Step> {
    this.onEvent({ kind: "step-start", op, urn, type });
    const started = performance.now();
    try {
      await run();
    } catch (error) {
      const durationMs = performance.now() - started;
      const failure = error instanceof Error ? error : new Error(String(error));
      this.onEvent({
        kind: "step-failed",
        op,
        urn,
        type,
        durationMs,
        error: failure,
        ...(error instanceof PartialFailureError ? { partial: { id: error.id, reasons: error.reasons } } : {}),
      });
      throw failure;
    }
    const durationMs = performance.now() - started;
    this.onEvent({ kind: "step-finish", op, urn, type, durationMs, ...finishDetails() });
    return { op, urn, type, durationMs };
  }
}

/** Keys whose (revealed) values differ between two property maps, sorted. */
function changedKeys(before: PropertyMap, after: PropertyMap): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => !isDeepStrictEqual(reveal(before[key]), reveal(after[key]))).sort();
}
