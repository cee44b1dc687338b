#!/usr/bin/env bash
# Packs the hook SDK into a local folder feed: Pukeko.Protocol, Pukeko.Hooks (XML docs, PDB with
# embedded sources), Pukeko.Hooks.Testing (the test kit; carries the engine, Pukeko.Server.dll) and
# Pukeko.Templates (dotnet new pukeko-hook), all versioned with the hooks API.
# Usage: scripts/pack-sdk.sh <outdir>     Prints the feed's absolute path on the last line.
set -euo pipefail
if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 <outdir>" >&2
  exit 2
fi
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$1"
OUT=$(cd "$1" && pwd)
for project in src/Pukeko.Protocol src/Pukeko.Hooks src/Pukeko.Hooks.Testing templates/Pukeko.Templates.csproj; do
  dotnet pack "$ROOT/$project" -c Release -o "$OUT" -nologo -v quiet
done
ls "$OUT"/*.nupkg >&2
echo "$OUT"
