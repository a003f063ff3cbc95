/** The package's own version, for the User-Agent. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

let cached: string | undefined;

/**
 * The version in this package's package.json. Found by walking up from this file, because the file runs both from
 * `dist/provider/` (installed) and from `provider/` (tests), at different depths.
 */
export function packageVersion(): string {
  if (cached) return cached;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "pulumi-platform-credentials" && pkg.version) return (cached = pkg.version);
    } catch {
      // no package.json here; keep walking
    }
    if (dirname(dir) === dir) return (cached = "0.0.0");
  }
}
