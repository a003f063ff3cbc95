/**
 * A directory that looks like a user's Pulumi project with this package installed, so that Pulumi's real processes
 * (the dynamic-provider host, a program under mocks) resolve and serialize the package exactly as they would there.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve, sep } from "node:path";

/** The npm name of this package, as it appears under a user's `node_modules`. */
export const PACKAGE_NAME = "pulumi-platform-credentials";

/** A Pulumi project directory in which this package is installed under `node_modules`. */
export interface PulumiProject {
  /** Absolute path of the project directory (cwd of the host and program processes). */
  readonly dir: string;
  /** `require` as code in the project directory sees it (resolves through the project's `node_modules`). */
  require(specifier: string): unknown;
  /** The file `specifier` resolves to from the project directory (symlinks resolved, as Node's loader does). */
  resolve(specifier: string): string;
  /** Removes the directory when this harness created it; leaves a user's own project untouched. */
  cleanup(): Promise<void>;
}

/** Options of {@link prepareProject}. */
export interface PrepareProjectOptions {
  /** Root of the package to install (the directory of its package.json). Default: the package this file belongs to. */
  packageRoot?: string;
  /** `name` written to the project's Pulumi.yaml and package.json. Default: `project` (the mocks' default too). */
  projectName?: string;
}

/**
 * Makes a project directory with this package installed, the way `npm install pulumi-platform-credentials` would:
 * `<tmp>/package.json`, `<tmp>/Pulumi.yaml`, a copy of the built package (package.json, dist/,
 * emulator/contracts/) in `<tmp>/node_modules/pulumi-platform-credentials/`, and every other top-level entry of the
 * package's own `node_modules` symlinked next to it. The copy is real (not a link) because the serializer captures
 * modules by specifier only when their real path is under `node_modules`; the dependency links keep their realpaths,
 * so `@pulumi/pulumi` is one module instance for the harness, the host and the program.
 *
 * When the package root is itself inside a `node_modules` directory (a user installed it), the project that contains
 * that `node_modules` is used as it is, and `cleanup()` does nothing.
 */
export async function prepareProject(opts: PrepareProjectOptions = {}): Promise<PulumiProject> {
  const packageRoot = resolve(opts.packageRoot ?? findPackageRoot(__dirname));
  const projectName = opts.projectName ?? "project";
  const installedIn = enclosingProjectOf(packageRoot);
  if (installedIn !== undefined) return projectAt(installedIn, async () => undefined);

  const distDir = join(packageRoot, "dist");
  if (!existsSync(distDir)) {
    throw new Error(`${distDir} does not exist: build the package first (npx tsc -p tsconfig.json or npm run build).`);
  }
  const dir = await mkdtemp(join(tmpdir(), "pulumi-project-"));
  const ownManifest = JSON.parse(readFileSync(join(packageRoot, "package.json"), "utf8")) as { version?: string };
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify(
      { name: projectName, private: true, dependencies: { [PACKAGE_NAME]: ownManifest.version ?? "*" } },
      null,
      2,
    ),
  );
  writeFileSync(join(dir, "Pulumi.yaml"), `name: ${projectName}\nruntime: nodejs\n`);

  const modulesDir = join(dir, "node_modules");
  const installed = join(modulesDir, PACKAGE_NAME);
  mkdirSync(installed, { recursive: true });
  cpSync(join(packageRoot, "package.json"), join(installed, "package.json"));
  cpSync(distDir, join(installed, "dist"), { recursive: true });
  const contracts = join(packageRoot, "emulator", "contracts");
  if (existsSync(contracts)) cpSync(contracts, join(installed, "emulator", "contracts"), { recursive: true });

  const ownModules = join(packageRoot, "node_modules");
  if (existsSync(ownModules)) {
    for (const entry of readdirSync(ownModules)) {
      // .bin and npm's lock file are npm bookkeeping, not modules; the package itself is the copy above.
      if (entry === PACKAGE_NAME || entry.startsWith(".")) continue;
      symlinkSync(join(ownModules, entry), join(modulesDir, entry), "junction");
    }
  }
  return projectAt(dir, () => rm(dir, { recursive: true, force: true }));
}

function projectAt(dir: string, cleanup: () => Promise<void>): PulumiProject {
  const projectRequire = createRequire(join(dir, "package.json"));
  return {
    dir,
    require: (specifier) => projectRequire(specifier) as unknown,
    resolve: (specifier) => projectRequire.resolve(specifier),
    cleanup,
  };
}

/** The directory holding the package.json of this package, walking up from `start` (dist/engine or engine/). */
/** The root of this package (the directory of its package.json) above `start`: a clone, or an installed copy. */
export function findPackageRoot(start: string = __dirname): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      const { name } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string };
      if (name === PACKAGE_NAME) return dir;
    }
    if (dirname(dir) === dir) throw new Error(`Cannot find the ${PACKAGE_NAME} package.json above ${start}.`);
  }
}

/** For `/app/node_modules/pulumi-platform-credentials` (or a scoped install): `/app`. Otherwise undefined. */
function enclosingProjectOf(packageRoot: string): string | undefined {
  const parts = packageRoot.split(sep);
  const index = parts.lastIndexOf("node_modules");
  if (index <= 0) return undefined;
  return parts.slice(0, index).join(sep) || sep;
}
