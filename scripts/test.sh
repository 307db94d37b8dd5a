#!/usr/bin/env bash
# The README's test command: installs what is missing, builds everything and
# runs the whole test suite. Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
preset="${HEADROOM_PRESET:-dev}"
"$root/scripts/build.sh" "$preset"
eval "$("$root/scripts/setup.sh" 2>/dev/null)"
export HEADROOM_VENV HEADROOM_DEFAULT_MODEL
cd "$root"
# Qt Test executables need a platform even when they open no window.
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
# The parsers' libFuzzer targets, a short smoke run each (clang, ASan +
# UBSan; fuzz/README.md has the long run). First, so that the last line is
# the main suite's count. HEADROOM_SKIP_FUZZ=1 skips them.
if [[ "$preset" == dev && "${HEADROOM_SKIP_FUZZ:-0}" != 1 && $# -eq 0 ]]; then
    "$root/scripts/build.sh" fuzz
    ctest --preset fuzz
fi
ctest --preset "$preset" "$@"
