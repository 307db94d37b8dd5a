#!/usr/bin/env bash
# The README's "build and start" command: installs what is missing, builds, and
# starts the Headroom desktop app with the built-in default model
# (SmolLM2-135M-Instruct, GGUF), the demo dataset and the demo recipe
# (QLoRA: NF4 + LoRA + 8-bit AdamW + checkpointing) preselected: press Train.
# Without a display it says so and runs the same training headless with
# headroom-cli, printing loss and memory per step. Extra arguments go to the
# app (or to `headroom-cli train` when headless).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
eval "$("$root/scripts/setup.sh" 2>/dev/null)"
demo="$root/resources/demo"

if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" ]]; then
    "$root/scripts/build.sh" dev headroom-cli
    run_dir="$(mktemp -d "${TMPDIR:-/tmp}/headroom-demo.XXXXXX")/run"
    echo "[demo] No display found (DISPLAY and WAYLAND_DISPLAY are unset): running the" >&2
    echo "[demo] default training headless with headroom-cli into $run_dir" >&2
    exec "$root/build/dev/app/cli/headroom-cli" train --config "$demo/demo-run.json" \
        --model "$HEADROOM_DEFAULT_MODEL" --dataset "$demo/demo-dataset.jsonl" \
        --output-dir "$run_dir" "$@"
fi

"$root/scripts/build.sh" dev headroom headroom-cli
exec "$root/build/dev/app/gui/headroom" --model "$HEADROOM_DEFAULT_MODEL" \
    --dataset "$demo/demo-dataset.jsonl" --config "$demo/demo-run.json" --page 2 "$@"
