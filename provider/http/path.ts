/**
 * Building request paths from ids: each id is one path segment, whatever characters it holds. `/`, `?`, `#` and
 * `%` are percent-encoded, so an id can neither add a segment nor start a query or a fragment; `.` and `..` cannot
 * be encoded away (URL parsers resolve `%2E%2E` like `..`), so they are refused before any request is sent.
 */
import { RefusedError } from "../resource";

/**
 * `value` as one encoded URL path segment. `what` names the value in the refusal (`advertiserId`, `the credential
 * id`). Throws a {@link RefusedError} for an empty value, `.`, `..`, or a string with a lone surrogate (no URL can
 * carry it); `check` refuses these inputs first, so this guards ids from state or an import.
 */
export function pathSegment(value: string, what: string): string {
  if (value === "" || value === "." || value === "..") {
    throw new RefusedError(
      `${what} ${JSON.stringify(value)} cannot be sent as a URL path segment: it would address another route. ` +
        "Use the platform's id of the object.",
    );
  }
  try {
    return encodeURIComponent(value);
  } catch {
    // encodeURIComponent throws URIError on an unpaired surrogate only.
    throw new RefusedError(
      `${what} contains an unpaired UTF-16 surrogate, which no URL can carry. Use the platform's id of the object.`,
    );
  }
}
