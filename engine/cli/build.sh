#!/usr/bin/env bash
# Builds the real Pulumi CLI and the YAML language host from Pulumi's published Go modules, once per machine,
# into a cache outside the clone; prints the directory to put on PATH. Later runs reuse the cache in ~0 s.
#
#   engine/cli/build.sh            # build if needed, print the bin directory
#   PPC_CACHE=/somewhere engine/cli/build.sh
#
# Why a wrapper module: `go install github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v3.274.1` is refused because pkg/v3's
# go.mod has replace directives; this module requires pkg/v3 and sdk/v3 at the same version and copies pkg's
# module-to-module replace (see go.mod). The cache key is the hash of go.mod + go.sum + the build flags, so a version
# bump rebuilds. Never commit the binaries.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version="v3.274.1"
# The YAML language host: a module without replace directives, so `go install` takes it as published.
yaml_version="v1.25.0"
cache="${PPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-platform-credentials}"
flags=(-trimpath -tags osusergo,grpcnotrace -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version")
key="$( (cat "$here/go.mod" "$here/go.sum"; echo "${flags[*]} yaml=$yaml_version") | sha256sum | cut -c1-16)"
bin="$cache/pulumi-$version-$key/bin"
if [[ -x "$bin/pulumi" && -x "$bin/pulumi-language-yaml" ]] && "$bin/pulumi" version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
# PPC_CHECK_ONLY: report whether a build is cached, never build (engine/cli.ts asks this first).
[[ -n "${PPC_CHECK_ONLY:-}" ]] && exit 1
# One build at a time per machine (tests, the demo and the bench may all ask at once): wait for the lock, then
# look again, since the build that held it may have made this one.
mkdir -p "$cache"
exec 9>"$cache/build.lock"
flock 9
if [[ -x "$bin/pulumi" && -x "$bin/pulumi-language-yaml" ]] && "$bin/pulumi" version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
rm -rf "$bin.partial"; mkdir -p "$bin.partial"
echo "building the Pulumi CLI $version from Go modules into $bin (cold: 10-25 min on 2 cores)" >&2
(
  cd "$here"
  export GOFLAGS="-buildvcs=false -mod=readonly" CGO_ENABLED=0
  go build "${flags[@]}" -o "$bin.partial/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  # Beside the CLI, where it looks for language hosts first. (The nodejs, python and go hosts are refused by the
  # module proxy: docs/engine.md.)
  GOFLAGS=-buildvcs=false GOBIN="$bin.partial" go install -trimpath -ldflags "-s -w" \
    "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml@$yaml_version"
) >&2
rm -rf "$bin"
mv "$bin.partial" "$bin"
"$bin/pulumi" version >&2
echo "$bin"
