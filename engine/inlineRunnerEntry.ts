/**
 * Child-process entry of {@link import("./stack").ProjectStack}: runs one Pulumi program as an Automation API inline
 * program with the real `pulumi` CLI, serving the parent's commands over Node's IPC channel.
 *
 * Why a child process: the program, `@pulumi/pulumi` and this package must be loaded by Node itself from the
 * project's `node_modules`, exactly as in a user's program, for the dynamic-provider serializer to capture the
 * provider by package specifier (code loaded through vitest cannot be serialized correctly). The Automation API is
 * loaded from the project for the same reason: one `@pulumi/pulumi` instance for the program and the engine link.
 *
 * The program file is re-evaluated on every command (its require-cache entry is dropped), as the CLI runs a fresh
 * program each time; `@pulumi/pulumi` itself stays loaded.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as automation from "@pulumi/pulumi/automation";

/** The parent's first message: which program, stack and CLI. */
export interface RunnerInit {
  readonly kind: "init";
  /** The project directory: the workspace's workDir (its Pulumi.yaml is used as is) and where packages resolve. */
  readonly projectDir: string;
  /** The compiled CommonJS program (its exports become the stack's outputs). */
  readonly program: string;
  /** Stack name (`dev`), or fully qualified `organization/<project>/<stack>`. */
  readonly stackName: string;
  /** Directory with `bin/pulumi`. */
  readonly cliRoot: string;
  /** Environment of every CLI call. */
  readonly env: Record<string, string>;
}

/** A command for the stack. */
export type RunnerCommand =
  | { readonly kind: "preview"; readonly options: automation.PreviewOptions }
  | { readonly kind: "up"; readonly options: automation.UpOptions }
  | { readonly kind: "refresh"; readonly options: automation.RefreshOptions }
  | { readonly kind: "destroy"; readonly options: automation.DestroyOptions }
  | { readonly kind: "setConfig"; readonly config: automation.ConfigMap; readonly path?: boolean }
  | { readonly kind: "removeConfig"; readonly keys: string[] }
  | { readonly kind: "outputs" }
  | { readonly kind: "importStack"; readonly deployment: automation.Deployment };

/** What a command answers: its result, or the failure with what the CLI printed. */
export type RunnerReply =
  | { readonly id: number; readonly ok: true; readonly result: unknown; readonly events: automation.EngineEvent[] }
  | {
      readonly id: number;
      readonly ok: false;
      readonly message: string;
      readonly stdout: string;
      readonly stderr: string;
      readonly events: automation.EngineEvent[];
    };

type Message = RunnerInit | { readonly id: number; readonly command: RunnerCommand };

let stack: automation.Stack | undefined;

process.on("message", (message: Message) => {
  void handle(message);
});

async function handle(message: Message): Promise<void> {
  if ("kind" in message) {
    try {
      stack = await open(message);
      process.send?.({ ready: true });
    } catch (error) {
      process.send?.({ ready: false, message: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  const events: automation.EngineEvent[] = [];
  try {
    if (stack === undefined) throw new Error("the stack is not open");
    const result = await run(stack, message.command, events);
    process.send?.({ id: message.id, ok: true, result, events } satisfies RunnerReply);
  } catch (error) {
    const failure = error as { message?: string; commandResult?: { stdout?: string; stderr?: string } };
    process.send?.({
      id: message.id,
      ok: false,
      message: failure.message ?? String(error),
      stdout: failure.commandResult?.stdout ?? "",
      stderr: failure.commandResult?.stderr ?? "",
      events,
    } satisfies RunnerReply);
  }
}

async function open(init: RunnerInit): Promise<automation.Stack> {
  const projectRequire = createRequire(join(init.projectDir, "package.json"));
  const auto = projectRequire("@pulumi/pulumi/automation") as typeof automation;
  const program = async () => {
    delete projectRequire.cache[init.program];
    return projectRequire(init.program) as Record<string, unknown>;
  };
  const pulumiCommand = await auto.PulumiCommand.get({ root: init.cliRoot, skipVersionCheck: true });
  // The workspace reads the project's own Pulumi.yaml (name, config defaults), as `pulumi up` in that directory does.
  return auto.LocalWorkspace.createOrSelectStack(
    { stackName: init.stackName, projectName: "unused-when-Pulumi.yaml-exists", program },
    { workDir: init.projectDir, pulumiCommand, envVars: init.env, pulumiHome: init.env["PULUMI_HOME"] },
  );
}

async function run(
  target: automation.Stack,
  command: RunnerCommand,
  events: automation.EngineEvent[],
): Promise<unknown> {
  const onEvent = (event: automation.EngineEvent) => events.push(event);
  switch (command.kind) {
    case "preview":
      return target.preview({ ...command.options, onEvent });
    case "up":
      return target.up({ ...command.options, onEvent });
    case "refresh":
      return target.refresh({ ...command.options, onEvent });
    case "destroy":
      return target.destroy({ ...command.options, onEvent });
    case "setConfig":
      await target.setAllConfig(command.config, command.path);
      return undefined;
    case "removeConfig":
      await target.removeAllConfig(command.keys);
      return undefined;
    case "outputs":
      return target.outputs();
    case "importStack":
      await target.importStack(command.deployment);
      return undefined;
  }
}
