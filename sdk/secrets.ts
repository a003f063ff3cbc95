/**
 * Wrapping secret inputs before they reach the engine, so they are encrypted in state and masked in previews.
 */
import * as pulumi from "@pulumi/pulumi";

/**
 * Mark the value at `path` (e.g. `["destination", "sasToken"]`) as secret. Plain objects are copied with only
 * the leaf wrapped, so the rest stays readable in previews and policies; when an enclosing value is itself an
 * Output or a Promise its shape is unknown here, so the whole value is marked secret instead.
 */
export function secretAt(value: unknown, path: readonly string[]): unknown {
  if (value === undefined || value === null) return value;
  const [head, ...rest] = path;
  if (head === undefined) return pulumi.secret(value as pulumi.Input<unknown>);
  if (
    pulumi.Output.isInstance(value) ||
    value instanceof Promise ||
    typeof value !== "object" ||
    Array.isArray(value)
  ) {
    return pulumi.secret(value as pulumi.Input<unknown>);
  }
  const obj = value as Record<string, unknown>;
  if (!(head in obj)) return value;
  return { ...obj, [head]: secretAt(obj[head], rest) };
}

/** Apply {@link secretAt} for each dotted path (`auth.token`) of a resource's secret inputs. */
export function wrapSecretInputs<T extends object>(args: T, paths: readonly string[]): T {
  let out: Record<string, unknown> = { ...(args as Record<string, unknown>) };
  for (const p of paths) {
    const [head, ...rest] = p.split(".");
    if (head === undefined || !(head in out)) continue;
    out = { ...out, [head]: secretAt(out[head], rest) };
  }
  return out as T;
}
