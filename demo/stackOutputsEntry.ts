/**
 * Child-process entry of {@link import("./stackOutputs").evaluateStackOutputs}: runs a compiled program under
 * Pulumi's mocks whose resources answer with the state an `up` recorded (ids and outputs, secret marks included),
 * and writes the stack's exports. This is the last part of what `pulumi up` does — the program's `export`s resolve
 * from the engine's answers — which engine/programEntry.ts does not cover, because its mocks echo inputs.
 *
 * Usage: `node stackOutputsEntry.js <request.json>`; writes `{outputs}` (RPC-encoded) to `request.resultFile`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";

/** What the parent asks for (values RPC-encoded, so secret marks travel as Pulumi's own secret objects). */
export interface StackOutputsRequest {
  /** Absolute path of the compiled CommonJS program. */
  program: string;
  /** Project name of the stack. */
  projectName: string;
  /** Stack name. */
  stackName: string;
  /** Recorded state per `<type>::<name>`: the id and outputs the engine holds for that resource. */
  resources: Record<string, { id: string; outputs: Record<string, unknown> }>;
  /** Outputs served to `new pulumi.StackReference(name)`, per referenced stack name. */
  stackReferences: Record<string, Record<string, unknown>>;
  /** Where to write the result. */
  resultFile: string;
}

/** What the child writes: the stack's exports in RPC encoding. */
export interface StackOutputsResult {
  /** The exports; secret ones as RPC secret objects. */
  outputs: Record<string, unknown>;
}

const STACK_REFERENCE_TYPE = "pulumi:pulumi:StackReference";
const RPC_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const RPC_SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

async function main(requestFile: string): Promise<void> {
  const request = JSON.parse(readFileSync(requestFile, "utf8")) as StackOutputsRequest;
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (args.type === STACK_REFERENCE_TYPE) {
          const stackName = String(args.inputs["name"] ?? args.name);
          const outputs = request.stackReferences[stackName];
          if (!outputs) throw new Error(`The program references stack "${stackName}", which the demo has not run.`);
          const secretOutputNames = Object.keys(outputs).filter((key) => {
            const value = outputs[key] as Record<string, unknown> | null;
            return typeof value === "object" && value !== null && value[RPC_SIGNATURE_KEY] === RPC_SECRET_SIGNATURE;
          });
          return { id: stackName, state: { name: stackName, outputs, secretOutputNames } };
        }
        const recorded = request.resources[`${args.type}::${args.name}`];
        if (!recorded) throw new Error(`${args.type} "${args.name}" is not in the recorded state: run up first.`);
        // RPC secret objects in the state deserialize to secret outputs in the program, as the engine's do.
        return { id: recorded.id, state: recorded.outputs };
      },
      call: (args) => args.inputs,
    },
    request.projectName,
    request.stackName,
    false,
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  let exported = require(resolve(request.program)) as unknown;
  if (typeof exported === "function") exported = await (exported as () => unknown)();
  const exports: Record<string, unknown> = {};
  if (exported !== null && typeof exported === "object") Object.assign(exports, exported);
  const result: StackOutputsResult = { outputs: await pulumi.runtime.serializeProperties("stack outputs", exports) };
  writeFileSync(request.resultFile, JSON.stringify(result));
}

function fail(error: unknown): void {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
}

process.on("unhandledRejection", fail);
process.on("uncaughtException", fail);
const requestFile = process.argv[2];
if (!requestFile) fail(new Error("usage: node stackOutputsEntry.js <request.json>"));
else main(requestFile).then(() => process.exit(0), fail);
