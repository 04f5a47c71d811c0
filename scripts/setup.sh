#!/usr/bin/env bash
# Idempotent set-up, quick when everything is already there:
#  1. the Vulkan loader, a driver (lavapipe from mesa-vulkan-drivers) and the Khronos
#     validation layer, installed with apt when missing (as root, or through sudo);
#  2. a virtual environment in .venv with this package installed editable, with test extras.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "setup: $*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else say "need root (or sudo) to run: $*"; return 1; fi
}

apt_missing=()
# No grep -q here: it exits at the first match, ldconfig then dies of SIGPIPE and
# pipefail would call the loader missing.
ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1' >/dev/null || apt_missing+=(libvulkan1)
compgen -G '/usr/share/vulkan/icd.d/*.json' >/dev/null || compgen -G '/etc/vulkan/icd.d/*.json' >/dev/null \
    || apt_missing+=(mesa-vulkan-drivers)
ls /usr/share/vulkan/explicit_layer.d/VkLayer_khronos_validation.json >/dev/null 2>&1 || apt_missing+=(vulkan-validationlayers)
command -v glslangValidator >/dev/null 2>&1 || apt_missing+=(glslang-tools)
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || apt_missing+=(python3-venv)

if [ ${#apt_missing[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1; then
        say "installing ${apt_missing[*]} with apt"
        export DEBIAN_FRONTEND=noninteractive
        as_root apt-get update -qq
        as_root apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
    else
        say "missing ${apt_missing[*]} and no apt-get: install a Vulkan loader, a driver and the validation layer by hand"
        exit 1
    fi
fi

python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { say "Python 3.10 or newer is needed"; exit 1; }
[ -x .venv/bin/python ] || { say "creating .venv"; python3 -m venv .venv; }
stamp=.venv/.simple-vkbackend-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    say "installing simple-vkbackend (editable) into .venv"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
    touch "$stamp"
fi
