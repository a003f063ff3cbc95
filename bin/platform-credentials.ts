#!/usr/bin/env node
/**
 * `platform-credentials`: the package's command line. Each subcommand is one entry of {@link subcommands};
 * adding one is a single line there. Exit codes: 0 success, 1 failure while running, 2 bad usage.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { startEmulator } from "../emulator/server";
import { defaultSeed, type SeedDocument } from "../emulator/seed";

/** A subcommand of the CLI. */
export interface Subcommand {
  /** One line for the command list in `--help`. */
  readonly summary: string;
  /** Usage text printed by `<command> --help` and on bad flags. */
  readonly usage: string;
  /** Run with the arguments after the subcommand name; resolves to the exit code. */
  run(args: string[]): Promise<number>;
}

/** Raised for a bad flag or value: the dispatcher prints the message and the usage on stderr and exits 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/**
 * The emulator's port when `--port` is not given: the address the examples' Pulumi.yaml files point at, so
 * `pulumi up` in an example works against `npx platform-credentials emulator` with zero setup.
 */
export const DEFAULT_EMULATOR_PORT = 4010;

const emulatorUsage = `Usage: platform-credentials emulator [--port N] [--host H] [--seed FILE]

Serve the local Scope3 Interchange + Commerce Layer emulator until SIGINT/SIGTERM.

Options:
  --port N      TCP port (default ${DEFAULT_EMULATOR_PORT}, the examples' default; 0 picks a free port)
  --host H      interface to bind (default 127.0.0.1)
  --seed FILE   JSON seed document replacing the default seed (see emulator/README.md)
  -h, --help    show this help`;

function readSeedFile(file: string): SeedDocument {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read --seed file ${file}: ${(err as NodeJS.ErrnoException).code ?? "error"}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
    return value as SeedDocument;
  } catch {
    throw new UsageError(`--seed file ${file} is not a JSON object (a seed document, see emulator/README.md)`);
  }
}

// The banner lists the seeded credentials: every one of them is a fake, emulator-only value (emulator/seed.ts).
function seededCredentialLines(seed: SeedDocument): string[] {
  const interchange = seed.interchange ?? defaultSeed.interchange;
  const commercelayer = seed.commercelayer ?? defaultSeed.commercelayer;
  const lines = ["Seeded credentials (fake, emulator only):"];
  for (const key of interchange?.apiKeys ?? []) {
    lines.push(`  Interchange API key (${key.customer}${key.admin ? ", admin" : ""}): ${key.key}`);
  }
  for (const user of commercelayer?.users ?? []) {
    lines.push(`  Commerce Layer client id / secret (${user.email}): ${user.clientId} / ${user.clientSecret}`);
  }
  return lines;
}

const emulatorCommand: Subcommand = {
  summary: "serve the local Interchange + Commerce Layer emulator",
  usage: emulatorUsage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        seed: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(`${emulatorUsage}\n`);
      return 0;
    }
    const port = values.port === undefined ? DEFAULT_EMULATOR_PORT : Number(values.port);
    if (!/^[0-9]+$/.test(values.port ?? "0") || !Number.isInteger(port) || port > 65535) {
      throw new UsageError(`--port must be an integer from 0 to 65535, got "${values.port}"`);
    }
    const seed = values.seed === undefined ? undefined : readSeedFile(values.seed);
    const emulator = await startEmulator({
      port,
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(seed !== undefined ? { seed } : {}),
    });
    const urls: [string, string][] = [
      ["Interchange buyer API", emulator.interchangeUrl],
      ["Commerce Layer API", emulator.commerceLayerApiUrl],
      ["Commerce Layer token endpoint", emulator.commerceLayerAuthUrl],
      ["Administration", emulator.adminUrl],
    ];
    const lines = [
      `Emulator listening on ${emulator.origin}`,
      ...urls.map(([label, url]) => `  ${`${label}:`.padEnd(31)}${url}`),
      ...seededCredentialLines(seed ?? defaultSeed),
      "Press Ctrl-C to stop.",
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
    await emulator.close();
    return 0;
  },
};

const demoUsage = `Usage: platform-credentials demo [--port N] [--probe-delay-ms N] [--no-color]

Run the shipped examples with the real pulumi CLI and engine against a private emulator: preview, up, OAuth consent,
a failing probe, StackReference, refresh drift, the policy pack, destroy. Uses pulumi on PATH (>= 3.270) or
PULUMI_CLI, else builds the CLI from Pulumi's Go modules once per machine (10-25 min; cached). Exit code 0 when every
step showed what it should, 1 otherwise.

Options:
  --port N             port of the demo's emulator (default 0: a free port)
  --probe-delay-ms N   how long the emulator's data-delivery probes take (default 400)
  --no-color           plain output even on a terminal (NO_COLOR works too)
  -h, --help           show this help`;

function integerFlag(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value) || Number(value) > max) {
    throw new UsageError(`--${name} must be an integer from 0 to ${max}, got "${value}"`);
  }
  return Number(value);
}

const demoCommand: Subcommand = {
  summary: "run the examples with the real pulumi CLI against a private emulator (npm run demo)",
  usage: demoUsage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        port: { type: "string" },
        "probe-delay-ms": { type: "string" },
        "no-color": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(`${demoUsage}\n`);
      return 0;
    }
    const port = integerFlag("port", values.port, 65535);
    const probeDelayMs = integerFlag("probe-delay-ms", values["probe-delay-ms"], 60_000);
    // Loaded on demand: the demo pulls in the engine drivers, which the emulator command does not need. The published
    // package does not ship them (package.json "files"): the demo runs from a clone of the repository.
    let runDemo: typeof import("../demo/demo").runDemo;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      ({ runDemo } = require("../demo/demo") as typeof import("../demo/demo"));
    } catch (error) {
      if ((error as { code?: string }).code !== "MODULE_NOT_FOUND") throw error;
      process.stderr.write(
        "The demo runs from a clone of the repository (it needs its engine drivers, which the published package " +
          "does not ship): git clone the repository, then `npm install && npm run demo`.\n",
      );
      return 1;
    }
    return runDemo({
      ...(port !== undefined ? { port } : {}),
      ...(probeDelayMs !== undefined ? { probeDelayMs } : {}),
      ...(values["no-color"] ? { color: false } : {}),
    });
  },
};

/** Every subcommand by name. */
export const subcommands: Record<string, Subcommand> = {
  emulator: emulatorCommand,
  demo: demoCommand,
};

function mainUsage(): string {
  const width = Math.max(...Object.keys(subcommands).map((n) => n.length));
  const list = Object.entries(subcommands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "Usage: platform-credentials <command> [options]",
    "",
    "Commands:",
    ...list,
    "",
    "Run `platform-credentials <command> --help` for a command's options.",
  ].join("\n");
}

/** Dispatch `argv` (without `node` and the script) to a subcommand; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(`${mainUsage()}\n`);
    return 2;
  }
  if (name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${mainUsage()}\n`);
    return 0;
  }
  const command = subcommands[name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n${mainUsage()}\n`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    // parseArgs reports unknown flags and missing values with ERR_PARSE_ARGS_* codes.
    const code = (err as NodeJS.ErrnoException).code ?? "";
    if (err instanceof UsageError || code.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`${(err as Error).message}\n\n${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`platform-credentials ${name}: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
