#!/usr/bin/env bash
# Sets up (scripts/setup.sh), configures and builds Headroom with one of the
# CMake presets (default: dev). Usage: scripts/build.sh [preset] [targets...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${1:-dev}"
shift || true

eval "$("$root/scripts/setup.sh")"
export HEADROOM_VENV HEADROOM_DEFAULT_MODEL

cd "$root"
echo "[build] configuring preset '$preset'" >&2
cmake --preset "$preset" -DHEADROOM_PYTHON="$HEADROOM_VENV/bin/python" >/dev/null
echo "[build] building" >&2
if (($# > 0)); then
    cmake --build --preset "$preset" --target "$@"
else
    cmake --build --preset "$preset"
fi
