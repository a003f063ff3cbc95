/**
 * Child-process entry of {@link import("./program").runProgram}: installs Pulumi's mocks, requires the program and
 * reports what it registered. It runs from the prepared project's copy of this package with plain Node (never through
 * vitest), because `setMocks` state is global per process and the serializer needs real `node_modules` modules.
 *
 * Usage: `node programEntry.js <request.json>`; writes the {@link ProgramEntryResult} JSON to `request.resultFile`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type * as ResourceProto from "@pulumi/pulumi/proto/resource_pb";
import { isPlainObject, RPC_SECRET_SIGNATURE, RPC_SIGNATURE_KEY } from "./secrets";

/** What the parent asks the child to run (written to a JSON file, secrets in RPC encoding). */
export interface ProgramEntryRequest {
  /** Absolute path of the compiled CommonJS program. */
  program: string;
  /** Project name of the mocks' URNs. */
  projectName: string;
  /** Stack name of the mocks' URNs. */
  stackName: string;
  /** Outputs served to `new pulumi.StackReference(name)`, per referenced stack name (secrets RPC-encoded). */
  stackReferences: Record<string, Record<string, unknown>>;
  /** Results of the functions the program invokes (`mocks.call`), by function token; others return their inputs. */
  invokes: Record<string, Record<string, unknown>>;
  /** Where to write the result. */
  resultFile: string;
}

/** One resource registration as the mock monitor received it (values in RPC encoding). */
export interface RawRegistration {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** Set for reads (`get`, StackReference): the id the program asked for. */
  readId?: string;
  parent?: string;
  inputs: Record<string, unknown>;
  additionalSecretOutputs: string[];
  dependencies: string[];
}

/** What the child reports back. */
export interface ProgramEntryResult {
  registrations: RawRegistration[];
  /** Every function the program invoked, in order: its token and its arguments. */
  invocations: { token: string; args: Record<string, unknown> }[];
  /** The stack's exports serialized as the engine receives them (secrets as RPC secret objects). */
  outputs: Record<string, unknown>;
}

/** Runtime internals the SDK does not declare (stripped from its .d.ts as @internal). */
interface RuntimeInternals {
  getStore(): { logErrorCount: number };
  waitForRPCs(): Promise<void>;
}
/* eslint-disable @typescript-eslint/no-require-imports */
const runtimeState = require("@pulumi/pulumi/runtime/state") as Pick<RuntimeInternals, "getStore">;
const runtimeSettings = require("@pulumi/pulumi/runtime/settings") as Pick<RuntimeInternals, "waitForRPCs">;
/* eslint-enable @typescript-eslint/no-require-imports */

type Callback<T> = (error: Error | null, response?: T) => void;
interface RecordingMonitor {
  registerResource(
    req: ResourceProto.RegisterResourceRequest,
    callback: Callback<ResourceProto.RegisterResourceResponse>,
  ): void;
  readResource(req: ResourceProto.ReadResourceRequest, callback: Callback<ResourceProto.ReadResourceResponse>): void;
}

const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";

async function main(requestFile: string): Promise<void> {
  const request = JSON.parse(readFileSync(requestFile, "utf8")) as ProgramEntryRequest;
  const registrations: (RawRegistration | undefined)[] = [];
  const invocations: ProgramEntryResult["invocations"] = [];

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (args.type === STACK_REFERENCE_TYPE) {
          const stackName = String(args.inputs["name"] ?? args.name);
          const outputs = request.stackReferences[stackName];
          if (!outputs) {
            throw new Error(
              `The program references stack "${stackName}", but runProgram got no stackReferences["${stackName}"]: ` +
                `pass that stack's outputs.`,
            );
          }
          const secretOutputNames = Object.keys(outputs).filter((key) => isRpcSecret(outputs[key]));
          return { id: stackName, state: { name: stackName, outputs, secretOutputNames } };
        }
        return { id: args.id || `${args.name}-id`, state: args.inputs };
      },
      call: (args) => {
        invocations.push({ token: args.token, args: args.inputs as Record<string, unknown> });
        return request.invokes[args.token] ?? args.inputs;
      },
    },
    request.projectName,
    request.stackName,
    false,
  );

  // The mock monitor drops the request's additionalSecretOutputs and dependencies, so record the
  // requests themselves, in arrival order, and take the URN from the monitor's answer.
  const monitor = pulumi.runtime.getMonitor() as unknown as RecordingMonitor;
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, callback) => {
    const slot = registrations.push(undefined) - 1;
    registerResource(req, (error, response) => {
      if (!error && response) {
        registrations[slot] = {
          urn: response.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          ...(req.getParent() ? { parent: req.getParent() } : {}),
          inputs: (req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>,
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          dependencies: req.getDependenciesList(),
        };
      }
      callback(error, response);
    });
  };
  const readResource = monitor.readResource.bind(monitor);
  monitor.readResource = (req, callback) => {
    const slot = registrations.push(undefined) - 1;
    readResource(req, (error, response) => {
      if (!error && response) {
        registrations[slot] = {
          urn: response.getUrn(),
          type: req.getType(),
          name: req.getName(),
          custom: true,
          readId: req.getId(),
          ...(req.getParent() ? { parent: req.getParent() } : {}),
          inputs: (req.getProperties()?.toJavaScript() ?? {}) as Record<string, unknown>,
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
          dependencies: req.getDependenciesList(),
        };
      }
      callback(error, response);
    });
  };

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  let exported = require(resolve(request.program)) as unknown;
  // A program may export a (possibly async) function whose result is the stack's outputs, as `pulumi up` allows.
  if (typeof exported === "function") exported = await (exported as () => unknown)();
  const outputs = await pulumi.runtime.serializeProperties("stack outputs", toExportMap(exported));
  await runtimeSettings.waitForRPCs();

  if (runtimeState.getStore().logErrorCount > 0) {
    throw new Error("The program logged errors (see above); a real `pulumi up` would fail here.");
  }
  const result: ProgramEntryResult = {
    registrations: registrations.filter((entry): entry is RawRegistration => entry !== undefined),
    invocations,
    outputs,
  };
  writeFileSync(request.resultFile, JSON.stringify(result));
}

function toExportMap(exported: unknown): Record<string, unknown> {
  if (exported === undefined || exported === null) return {};
  if (typeof exported !== "object") return { value: exported };
  const map: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(exported)) map[key] = value;
  return map;
}

function isRpcSecret(value: unknown): boolean {
  return isPlainObject(value) && value[RPC_SIGNATURE_KEY] === RPC_SECRET_SIGNATURE;
}

function fail(error: unknown): void {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}

process.on("unhandledRejection", fail);
process.on("uncaughtException", fail);
const requestFile = process.argv[2];
if (!requestFile) fail(new Error("usage: node programEntry.js <request.json>"));
else main(requestFile).then(() => process.exit(0), fail);
