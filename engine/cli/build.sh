#!/usr/bin/env bash
# Builds the real Pulumi CLI (and what it needs on PATH) from Pulumi's published Go modules, once per machine,
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
cache="${PPC_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-platform-credentials}"
flags=(-trimpath -tags osusergo,grpcnotrace -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version")
key="$( (cat "$here/go.mod" "$here/go.sum"; echo "${flags[*]}") | sha256sum | cut -c1-16)"
bin="$cache/pulumi-$version-$key/bin"
if [[ -x "$bin/pulumi" ]] && "$bin/pulumi" version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi
# PPC_CHECK_ONLY: report whether a build is cached, never build (engine/cli.ts asks this first).
[[ -n "${PPC_CHECK_ONLY:-}" ]] && exit 1
rm -rf "$bin.partial"; mkdir -p "$bin.partial"
echo "building the Pulumi CLI $version from Go modules into $bin (cold: 10-25 min on 2 cores)" >&2
(
  cd "$here"
  export GOFLAGS="-buildvcs=false -mod=readonly" CGO_ENABLED=0
  go build "${flags[@]}" -o "$bin.partial/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
) >&2
rm -rf "$bin"
mv "$bin.partial" "$bin"
"$bin/pulumi" version >&2
echo "$bin"
