#!/usr/bin/env bash
# Runs the benchmarks and the test suite on an NVIDIA machine that has the driver but
# no package registry: the Vulkan loader, the validation layer and glslang (.gl/*.deb,
# downloaded with `apt-get download`) and the Python wheels (.whl/, `pip download`)
# travel with the tree. Results go to $OUT. Usage: bash bench/gpu.sh [tests|bench|transfers|all]
set -u
what=${1:-all}
out=${OUT:-/tmp/out}
mkdir -p "$out"
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
python3 -m pip install -q --no-index --no-deps --no-compile --target /tmp/site .whl/*.whl || exit 1
python3 -m pip install -q --no-index --no-deps --no-build-isolation --no-compile --target /tmp/site . || exit 1
# PYTHONSAFEPATH: the checkout's simple_vkbackend/ must not shadow the installed package
export PYTHONPATH=/tmp/site PYTHONUNBUFFERED=1 PYTHONSAFEPATH=1
cd /tmp && python3 -m simple_vkbackend devices | tee "$out/devices.txt"; cd - >/dev/null
if [ "$what" = bench ] || [ "$what" = all ]; then
    python3 bench/runtime.py --no-write 2>&1 | tee "$out/bench_runtime.txt"
    python3 bench/e2e.py --no-record 2>&1 | tee "$out/bench_e2e.txt"
    python3 bench/vendor.py 2>&1 | tee "$out/bench_vendor.txt"
    python3 bench/launch.py --no-write 2>&1 | tee "$out/bench_launch.txt"
    python3 bench/start.py --no-write 2>&1 | tee "$out/bench_start.txt"
fi
if [ "$what" = transfers ]; then
    python3 bench/launch.py --transfers-only 2>&1 | tee "$out/bench_transfers.txt"
    SIMPLE_VK_VALIDATION=1 SIMPLE_VK_REQUIRE_DEVICE=1 python3 -m pytest -q -p no:cacheprovider \
        tests/runtime/test_runtime_transfers.py tests/runtime/test_runtime_host_registry.py \
        tests/backend/test_device_array_transfers.py 2>&1 | tee "$out/tests_transfers.txt" | tail -15
fi
if [ "$what" = tests ] || [ "$what" = all ]; then
    # the installed copy under /tmp/site is what the tests import; run from the
    # checkout for fixtures/ and tests/
    SIMPLE_VK_VALIDATION=1 SIMPLE_VK_REQUIRE_DEVICE=1 python3 -m pytest -q -p no:cacheprovider tests 2>&1 \
        | tee "$out/tests.txt" | tail -15
fi
