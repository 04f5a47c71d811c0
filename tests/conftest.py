"""Shared test configuration.

- The Khronos validation layer is on for every test (SIMPLE_VK_VALIDATION=1, set
  before the runtime is imported); fixtures in tests/runtime check its message count.
- `pytest --update-golden` rewrites the golden files in fixtures/golden/ instead of
  comparing against them.
- The on-disk cache lives in a temporary folder for the whole run
  (SIMPLE_VK_CACHE_DIR, set before anything is imported): tests never touch the
  user's cache, and each run starts cold.
- Property tests are deterministic: hypothesis draws the same examples on every run
  (derandomized, no example database). `SIMPLE_VK_FUZZ=N` turns that off, so each run
  draws N new examples per property (tests/fuzz_budget.py; a fuzzing session, never CI).
"""
import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

os.environ.setdefault("SIMPLE_VK_VALIDATION", "1")
os.environ["SIMPLE_VK_CACHE_DIR"] = _CACHE_DIR = tempfile.mkdtemp(prefix="simple-vk-test-cache-")
os.environ.pop("SIMPLE_VK_CACHE", None)
atexit.register(shutil.rmtree, _CACHE_DIR, ignore_errors=True)

settings.register_profile("deterministic", derandomize=True, database=None)
settings.register_profile("fuzz", derandomize=False)
settings.load_profile("fuzz" if os.environ.get("SIMPLE_VK_FUZZ", "0") not in ("", "0") else "deterministic")

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GOLDEN = FIXTURES / "golden"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite fixtures/golden/ from the current output")


@pytest.fixture(scope="session")
def gpu():
    """A Runner (tests/device_runner.py) on the default Vulkan device; skips without one
    (tests/test_environment.py makes that a failure in CI)."""
    from simple_vkbackend import runtime
    from device_runner import Runner

    if not runtime.is_available():
        pytest.skip(f"no Vulkan device: {runtime.unavailable_reason()}")
    with runtime.Device() as device:
        yield Runner(device)


@pytest.fixture
def golden(request):
    """golden(name, text): compare text with fixtures/golden/<name>, or rewrite it."""
    update = request.config.getoption("--update-golden")

    def check(name: str, text: str) -> None:
        path = GOLDEN / name
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            return
        assert path.exists(), f"missing golden file {path}; run pytest --update-golden"
        assert text == path.read_text(), f"output differs from {path}; run pytest --update-golden if intended"

    return check
