#!/usr/bin/env bash
# npm run gen-sdks: regenerates sdk/python and sdk/go from the provider plugin's package schema
# (provider/plugin/schema.ts, built into dist/ first) with Pulumi's own code generators (engine/gensdk/main.go).
#   engine/gensdk/generate.sh [output dir]   # default: sdk/ of this repository
# test/sdks/generated.test.ts runs it into a temp dir and fails when the committed SDKs differ.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$(mkdir -p "${1:-$root/sdk}" && cd "${1:-$root/sdk}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
node -e 'process.stdout.write(JSON.stringify(require(process.argv[1]).buildPackageSchema(), null, 2) + "\n")' \
  "$root/dist/provider/plugin/schema.js" >"$work/schema.json"
cd "$root/engine/gensdk"
GOFLAGS="-buildvcs=false -mod=readonly" go run . "$work/schema.json" "$out"
cp "$work/schema.json" "$out/schema.json"
