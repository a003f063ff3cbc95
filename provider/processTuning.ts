/**
 * Memory tuning of the processes that serve the resources: Pulumi's dynamic-provider host (through
 * provider/pulumi/adapter.ts) and the provider plugin (provider/plugin/main.ts). Imported for its effect, first,
 * before anything loads undici. Never loaded by a user's program, the SDK classes or the emulator.
 *
 * Why: undici parses HTTP with llhttp compiled to WebAssembly. V8 compiles WebAssembly with its baseline compiler
 * (Liftoff) and then recompiles the functions that run often with its optimizing one (TurboFan); for llhttp that
 * second compilation is what costs memory: measured on Node 20, a process making a few hundred requests peaked at
 * 104 MB with it and 68 MB without it, and the dynamic-provider host of a 50-resource `pulumi refresh` at 182 MB
 * with it and about 150 MB without it. The bench's floor (a provider with no HTTP at all) peaks near 120 MB, so tier-up
 * alone was most of this package's excess (docs/benchmarks.md). Parsing a response head is a tiny part of a call's
 * time next to the network, so Liftoff's code is fast enough.
 *
 * The flag only changes how WebAssembly compiled from now on is compiled, never what it does. The host process
 * runs nothing but dynamic providers, so a user who does want tier-up there (another dynamic provider doing heavy
 * WebAssembly work) says so with any WebAssembly flag of their own in `NODE_OPTIONS` or on the command line: then
 * this module leaves V8's flags alone.
 */
import { setFlagsFromString } from "node:v8";

/** The V8 flag set here: compile WebAssembly with Liftoff only. */
export const LIFTOFF_ONLY_FLAG = "--liftoff-only";

/**
 * The V8 flags to set in a process started with `execArgv` and `nodeOptions`: {@link LIFTOFF_ONLY_FLAG}, or none
 * when the process's own options already choose how WebAssembly is compiled (any `--wasm…`, `--no-wasm…`,
 * `--liftoff…` or `--no-liftoff…` flag).
 */
export function providerProcessFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const chosen = [...execArgv, ...(nodeOptions ?? "").split(/\s+/)].some((arg) => /^--(no-)?(wasm|liftoff)/.test(arg));
  return chosen ? [] : [LIFTOFF_ONLY_FLAG];
}

// Once per process: Node runs a module's body once, however many modules import it.
for (const flag of providerProcessFlags(process.execArgv, process.env["NODE_OPTIONS"])) setFlagsFromString(flag);
