#!/usr/bin/env bash
# The README's "build and start" command: installs what is missing, builds, and
# starts Headroom on the built-in default model (SmolLM2-135M-Instruct, GGUF).
# Until the desktop app lands this runs the command-line demo: an answer, a
# short QLoRA fine-tune on the demo dataset, and the answer after it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" dev headroom-cli
eval "$("$root/scripts/setup.sh" 2>/dev/null)"
exec "$root/build/dev/app/cli/headroom-cli" demo "$HEADROOM_DEFAULT_MODEL" \
    --dataset "$root/resources/demo/demo-dataset.jsonl" \
    --question "How does LoRA save memory in Headroom?" "$@"
