/**
 * Installs this package the way a user does: `npm pack`, then `npm install <tarball>` into a fresh project directory,
 * and lays out the examples shipped inside the tarball (node_modules/pulumi-platform-credentials/examples/) as
 * project directories beside it, each with its TypeScript program compiled to `index.js` (the nodejs language host
 * would run `index.ts` through ts-node; inline programs need JavaScript). The example files themselves are used
 * unchanged.
 *
 * Installs are cached per tarball content under the OS temp directory, and guarded by a lock directory so parallel
 * test workers share one install.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import ts from "typescript";
import { findPackageRoot, PACKAGE_NAME } from "./project";

const execFileAsync = promisify(execFile);

export { PACKAGE_NAME };

/** A project directory with the packed package installed, and the shipped examples laid out in it. */
export interface InstalledPackage {
  /** The project root: `package.json`, `node_modules/`, `examples/<name>/`. */
  readonly root: string;
  /** The tarball that was installed. */
  readonly tarball: string;
  /** The installed package's version. */
  readonly version: string;
  /**
   * The directory of a shipped example (Pulumi.yaml, index.ts, index.js, README.md), shared by every user of this
   * install: run stacks in a {@link copyProject} of it, since `pulumi config set` writes `Pulumi.<stack>.yaml` there.
   */
  example(name: string): string;
}

/**
 * Copies a project directory of an install (an example) into `into`, with `node_modules` a link to the install's:
 * each stack gets its own Pulumi.yaml and `Pulumi.<stack>.yaml`, while the package still resolves to a real path
 * under `node_modules` (what the provider serializer needs).
 */
export function copyProject(installed: InstalledPackage, templateDir: string, into: string): string {
  mkdirSync(into, { recursive: true });
  for (const entry of readdirSync(templateDir)) {
    if (entry === "node_modules" || /^Pulumi\..+\.yaml$/.test(entry)) continue;
    cpSync(join(templateDir, entry), join(into, entry), { recursive: true });
  }
  symlinkSync(join(installed.root, "node_modules"), join(into, "node_modules"));
  return into;
}

/** Options of {@link installPackage}. */
export interface InstallPackageOptions {
  /** The package to pack (its root directory). Default: this repository. */
  packageRoot?: string;
  /** Progress lines. Default: none. */
  onProgress?: (line: string) => void;
  /** Rewrites the packed package.json before installing (e.g. a bumped version for the upgrade test). */
  version?: string;
}

/** Packs and installs the package once per tarball content (cached); see the module doc. */
export async function installPackage(opts: InstallPackageOptions = {}): Promise<InstalledPackage> {
  const packageRoot = resolve(opts.packageRoot ?? findPackageRoot());
  const progress = opts.onProgress ?? (() => undefined);
  const packDir = await mkdtemp(join(tmpdir(), "ppc-pack-"));
  const source = opts.version === undefined ? packageRoot : withVersion(packageRoot, packDir, opts.version);
  progress(`npm pack ${source}`);
  const { stdout } = await execFileAsync(
    "npm",
    ["pack", "--silent", "--ignore-scripts", "--pack-destination", packDir, source],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const tarball = join(packDir, stdout.trim().split("\n").pop() ?? "");
  const hash = createHash("sha256").update(readFileSync(tarball)).digest("hex").slice(0, 16);
  const root = join(tmpdir(), `ppc-installed-${hash}`);
  const lock = `${root}.lock`;
  while (!existsSync(join(root, ".complete"))) {
    try {
      mkdirSync(lock);
    } catch {
      // Another worker installs this tarball: wait for it (a lock older than 10 minutes is a dead worker's).
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 600_000) rmSync(lock, { force: true, recursive: true });
      await sleep(500);
      continue;
    }
    try {
      await installInto(root, tarball, packageRoot, progress);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
  rmSync(packDir, { recursive: true, force: true });
  // Mark this install as used, and remove installs nothing used for a day (each build of dist/ is a new tarball).
  const now = new Date();
  utimesSync(root, now, now);
  pruneInstalls(Date.now() - 24 * 3600_000);
  const manifest = JSON.parse(readFileSync(join(root, "node_modules", PACKAGE_NAME, "package.json"), "utf8")) as {
    version: string;
  };
  return {
    root,
    tarball,
    version: manifest.version,
    example: (name: string) => join(root, "examples", name),
  };
}

/** Removes cached installs (`ppc-installed-*` in the temp directory) last used before `before` (ms since epoch). */
function pruneInstalls(before: number): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!/^ppc-installed-[0-9a-f]{16}$/.test(entry)) continue;
    const dir = join(tmpdir(), entry);
    const used = statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
    if (used < before && !existsSync(`${dir}.lock`)) rmSync(dir, { recursive: true, force: true });
  }
}

async function installInto(
  root: string,
  tarball: string,
  packageRoot: string,
  progress: (line: string) => void,
): Promise<void> {
  const partial = `${root}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const own = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
    peerDependencies: Record<string, string>;
  };
  cpSync(tarball, join(partial, "package.tgz"));
  // What a user's infrastructure repository has: Pulumi, the package, TypeScript for the programs and policy pack.
  writeFileSync(
    join(partial, "package.json"),
    JSON.stringify(
      {
        name: "installed-examples",
        private: true,
        dependencies: {
          [PACKAGE_NAME]: "file:./package.tgz",
          "@pulumi/pulumi": own.dependencies["@pulumi/pulumi"],
          // An optional peer of the package: a user who writes a policy pack installs it.
          "@pulumi/policy": own.peerDependencies["@pulumi/policy"],
          typescript: own.devDependencies["typescript"],
          "@types/node": own.devDependencies["@types/node"],
        },
      },
      null,
      2,
    ),
  );
  progress(`npm install ${tarball} into ${root}`);
  await execFileAsync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: partial,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 10 * 60_000,
  });
  const shipped = join(partial, "node_modules", PACKAGE_NAME, "examples");
  for (const name of readdirSync(shipped)) {
    const dir = join(partial, "examples", name);
    cpSync(join(shipped, name), dir, { recursive: true });
    compileProgram(dir);
  }
  writeFileSync(join(partial, ".complete"), new Date().toISOString());
  rmSync(root, { recursive: true, force: true });
  renameSync(partial, root);
}

/** Compiles an example's index.ts to CommonJS index.js beside it (type errors are the type-check test's business). */
function compileProgram(dir: string): void {
  const source = join(dir, "index.ts");
  if (!existsSync(source)) return;
  const output = ts.transpileModule(readFileSync(source, "utf8"), {
    fileName: source,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: false,
    },
  });
  writeFileSync(join(dir, "index.js"), output.outputText);
}

/** File name of the launcher {@link policyPackLauncher} writes into a policy pack directory. */
export const POLICY_PACK_LAUNCHER = "pulumi-analyzer-launch";

/**
 * Writes an executable launcher into a Node policy pack directory and returns its path, for `--policy-pack <path>`.
 *
 * Why: the CLI v3.274 starts a policy pack *directory* through the `pulumi-language-nodejs` host, which cannot be
 * built here (the module proxy refuses it), and no longer falls back to `pulumi-analyzer-policy-nodejs`. Given an
 * executable *file* instead, it launches it directly with the engine's address as the only argument and still reads
 * the `PulumiPolicy.yaml` beside it (pkg/resource/plugin/analyzer_plugin.go). The launcher runs the pack the way the
 * language host does: `@pulumi/pulumi/cmd/run-policy-pack` in the pack's directory (index.ts through ts-node).
 * With a nodejs language host installed, pass the directory itself.
 */
export function policyPackLauncher(packDir: string): string {
  const launcher = join(packDir, POLICY_PACK_LAUNCHER);
  writeFileSync(
    launcher,
    "#!/bin/sh\n" +
      'cd "$(dirname "$0")" || exit 1\n' +
      "script=$(node -e \"console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))\") || exit 1\n" +
      'exec node "$script" "$1" .\n',
    { mode: 0o755 },
  );
  return launcher;
}

/** A copy of the package root's manifest with another version, for packing a "new release" of the same code. */
function withVersion(packageRoot: string, into: string, version: string): string {
  const staged = join(into, "staged");
  mkdirSync(staged, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { files: string[] };
  for (const entry of [...manifest.files, "package.json"]) {
    const from = join(packageRoot, entry);
    if (existsSync(from)) cpSync(from, join(staged, entry), { recursive: true });
  }
  writeFileSync(join(staged, "package.json"), JSON.stringify({ ...manifest, version }, null, 2));
  return staged;
}
