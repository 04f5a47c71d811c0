"""Fuzzing as a habit: four fuzzers, each for a given number of minutes, reporting
inputs per second and findings (each finding saved as a file to replay).

    python bench/fuzz.py --minutes 1                  # all four, 1 minute each
    python bench/fuzz.py --minutes 5 --only frontend  # one of: frontend, differential, spirv, abi

- frontend: the front end's mutation fuzzer (strategies of tests/frontend/test_fuzz.py:
  mutated fixtures, token soup, arbitrary text). A finding: anything but a CompileError
  without "internal compiler error", or an accepted program the IR verifier rejects.
- differential: random well-typed kernels (tests/differential/simple_gen.py) on the
  Vulkan and the software backend; a finding: a buffer that differs.
- spirv: malformed SPIR-V (mutations of the fixtures' valid modules: flipped bits,
  replaced or dropped words, truncation, huge lengths) through `rt_vk_kernel_compile`,
  which must return a status, never crash. Each batch runs in a child process, so a
  crash is detected; the input it died on is saved.
- abi: misuse of the rt_vk_* table through ctypes: random, freed and zero handles,
  null pointers, huge lengths, in child processes like spirv. A finding: a crash.

Findings go to --out (default fuzz-findings/): `<fuzzer>-<n>.<ext>` plus a line in
`<fuzzer>.log`. Exit status 0 when nothing was found, 1 otherwise.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import random
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "differential"), str(ROOT / "tests" / "backend")]
FUZZERS = ("frontend", "differential", "spirv", "abi")
BATCH = 200  # inputs per child process (spirv, abi)


class Findings:
    def __init__(self, out: Path, fuzzer: str):
        self.out, self.fuzzer, self.count = out, fuzzer, 0

    def save(self, data: bytes | str, what: str, ext: str = "txt") -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        self.count += 1
        path = self.out / f"{self.fuzzer}-{self.count}.{ext}"
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
        with open(self.out / f"{self.fuzzer}.log", "a") as log:
            log.write(f"{path.name}: {what}\n")


class Stop(Exception):
    """The time is up (raised inside a hypothesis test to end it)."""


def run_hypothesis(strategy, body, deadline: float) -> int:
    """Draw from `strategy` (random, no shrinking) and call `body` until `deadline`."""
    from hypothesis import HealthCheck, Phase, given, settings
    count = [0]

    @settings(max_examples=10**9, deadline=None, database=None, derandomize=False, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def test(value):
        if time.monotonic() > deadline:
            raise Stop
        count[0] += 1
        body(value)

    try:
        test()
    except Stop:
        pass
    return count[0]


# --------------------------------------------------------------------------- frontend


def fuzz_frontend(deadline: float, findings: Findings) -> int:
    from hypothesis import strategies as st
    from frontend.test_fuzz import VOCABULARY, mutated_fixture
    from simple_vkbackend.frontend import CompileError, compile_source
    from simple_vkbackend.lowering.ir.verify import module_problems

    def body(text: str) -> None:
        try:
            module = compile_source(text, "fuzz.spl")
        except CompileError as e:
            if "internal compiler error" in e.render():
                findings.save(text, e.render().splitlines()[0], "spl")
            return
        except BaseException as e:  # noqa: BLE001 - a crash of the front end is the finding
            findings.save(text, f"{type(e).__name__}: {e}"[:300], "spl")
            return
        problems = module_problems(module)
        if problems:
            findings.save(text, f"accepted but the IR does not verify: {problems[0]}"[:300], "spl")

    strategy = st.one_of(mutated_fixture(), st.lists(st.sampled_from(VOCABULARY), max_size=60).map(" ".join),
                         st.text(max_size=200))
    return run_hypothesis(strategy, body, deadline)


# --------------------------------------------------------------------------- differential


def fuzz_differential(deadline: float, findings: Findings) -> int:
    from simple_gen import programs
    from test_diff_random import differences
    from simple_vkbackend.backends.software import SoftwareBackend
    from simple_vkbackend.backends.vulkan import VulkanBackend
    vk, sw = VulkanBackend(), SoftwareBackend()

    def body(program) -> None:
        try:
            problems = differences(program, vk, sw)
        except Exception as e:  # noqa: BLE001
            problems = [f"{type(e).__name__}: {e}"]
        if problems:
            findings.save(program.source, problems[0][:300], "spl")

    try:
        return run_hypothesis(programs(), body, deadline)
    finally:
        vk.close()


# --------------------------------------------------------------------------- spirv and abi (child processes)


def valid_modules() -> list[bytes]:
    from simple_vkbackend.backends.vulkan import compile_for_vulkan
    from simple_vkbackend.frontend import compile_file
    blobs = []
    for path in sorted((ROOT / "fixtures").glob("*.spl")):
        blobs += compile_for_vulkan(compile_file(path)).spirv.values()
    return blobs


def mutate_spirv(rng: random.Random, blob: bytes) -> bytes:
    words = list(struct.unpack(f"<{len(blob) // 4}I", blob))
    for _ in range(rng.randint(1, 4)):
        kind = rng.choice(["flip", "word", "drop", "truncate", "dup", "big", "header"])
        i = rng.randrange(len(words))
        if kind == "flip":
            words[i] ^= 1 << rng.randrange(32)
        elif kind == "word":
            words[i] = rng.choice([0, 1, 0xFFFF, 0xFFFFFFFF, rng.getrandbits(32), rng.randrange(64)])
        elif kind == "drop" and len(words) > 6:
            del words[i]
        elif kind == "truncate":
            words = words[:max(1, i)]
        elif kind == "dup":
            words[i:i] = words[i:i + rng.randint(1, 8)]
        elif kind == "big":  # an instruction claiming a huge word count
            words[i] = (rng.choice([0xFFFF, 0x8000, 0x100]) << 16) | (words[i] & 0xFFFF)
        elif kind == "header":
            words[rng.randrange(min(5, len(words)))] = rng.getrandbits(32)
    data = struct.pack(f"<{len(words)}I", *words)
    return data[:len(data) - rng.choice([0, 0, 0, 1, 2, 3])]


def batch_in_child(kind: str, inputs: list[bytes], progress: Path) -> tuple[int, str | None]:
    """Run `inputs` in a child process; (how many finished, None) or, when the child
    died, (the index it died on, how it died)."""
    batch = progress.with_suffix(".in")
    batch.write_bytes(json.dumps([x.hex() for x in inputs]).encode())
    progress.write_text("-1")
    child = subprocess.run([sys.executable, __file__, "--child", kind, str(batch), str(progress)],
                           capture_output=True, text=True, timeout=600)
    done = int(progress.read_text() or -1)
    if child.returncode == 0:
        return len(inputs), None
    reason = f"child exited with {child.returncode}: {(child.stderr.strip().splitlines() or [''])[-1][:200]}"
    return max(done, 0), reason


def fuzz_in_children(kind: str, deadline: float, findings: Findings, make) -> int:
    rng, total = random.Random(), 0
    progress = findings.out / f".{kind}.progress"
    findings.out.mkdir(parents=True, exist_ok=True)
    while time.monotonic() < deadline:
        inputs = [make(rng) for _ in range(BATCH)]
        done, reason = batch_in_child(kind, inputs, progress)
        total += done + (1 if reason else 0)
        if reason:  # abi: the steps of the whole batch up to the crash (they share the state)
            steps = [s for x in inputs[:done + 1] for s in json.loads(x)] if kind == "abi" else None
            findings.save(json.dumps(steps).encode() if steps else inputs[done], reason, "bin")
    return total


def child_spirv(inputs: list[bytes], progress: Path) -> None:
    from simple_vkbackend.vulkan import table as rt
    device = rt.call("rt_vk_device_create")
    for i, blob in enumerate(inputs):
        progress.write_text(str(i))
        buf = ctypes.create_string_buffer(blob, len(blob))
        kernel = rt.call("rt_vk_kernel_compile", device, buf, len(blob))
        if kernel:
            rt.call("rt_vk_kernel_free", kernel)
    progress.write_text(str(len(inputs)))
    rt.call("rt_vk_device_free", device)


ABI_CALLS = ("rt_vk_buffer_alloc", "rt_vk_buffer_free", "rt_vk_buffer_upload", "rt_vk_buffer_download",
             "rt_vk_kernel_compile", "rt_vk_kernel_free", "rt_vk_device_sync", "rt_vk_device_limits",
             "rt_vk_device_name", "rt_vk_last_error", "rt_vk_device_free", "rt_vk_kernel_launch_1d")


def make_abi_script(rng: random.Random) -> bytes:
    """A few misuse steps, as JSON: [name, [arg spec...]]; handles are drawn from those
    made so far (live or freed), 0, or random numbers."""
    steps = []
    for _ in range(rng.randint(1, 6)):
        name = rng.choice(ABI_CALLS)
        steps.append([name, rng.getrandbits(32)])
    return json.dumps(steps).encode()


def child_abi(inputs: list[bytes], progress: Path) -> None:
    from simple_vkbackend.vulkan import table as rt
    entries = rt.table()
    device = rt.call("rt_vk_device_create")
    handles = [device, rt.call("rt_vk_buffer_alloc", device, 64)]
    freed = rt.call("rt_vk_buffer_alloc", device, 16)
    rt.call("rt_vk_buffer_free", freed)
    handles.append(freed)
    scratch = ctypes.create_string_buffer(256)
    for i, script in enumerate(inputs):
        progress.write_text(str(i))
        for name, seed in json.loads(script):
            if name == "crash":  # the harness's own test: a child that dies
                ctypes.string_at(0)
            rng = random.Random(seed)
            args = []
            for p in entries[name].params:
                ctype = str(getattr(p, "type", p))
                if "ptr" in ctype:
                    args.append(rng.choice([None, scratch]))
                elif "u64" in ctype and rng.random() < 0.7:
                    args.append(rng.choice([*handles, 0, rng.getrandbits(64), 1 << 63]))
                else:
                    args.append(rng.choice([0, 1, 4, 255, 256, 257, 1 << 31, (1 << 32) - 1, (1 << 32) + 4,
                                            (1 << 63) + 8]) & ((1 << (64 if "64" in ctype else 32)) - 1))
            if name == "rt_vk_device_free" and args and args[0] == device:
                continue  # keep the device for the rest of the batch
            if os.environ.get("FUZZ_TRACE"):
                print(f"{name}({', '.join(_show_arg(a, handles) for a in args)})", file=sys.stderr, flush=True)
            result = rt.call(name, *args)
            if name == "rt_vk_buffer_alloc" and result:
                handles.append(result)
    progress.write_text(str(len(inputs)))
    rt.call("rt_vk_device_free", device)


def _show_arg(a, handles: list[int]) -> str:
    if a is None:
        return "NULL"
    if not isinstance(a, int):
        return "<256-byte buffer>"
    names = ["device", "buffer", "freed buffer"]
    return f"{names[handles.index(a)] if handles.index(a) < 3 else 'buffer'}={a:#x}" if a in handles and a else str(a)


def replay(path: Path) -> int:
    """Run one saved spirv or abi finding in a child, tracing the calls (abi)."""
    kind = path.name.split("-")[0]
    progress = Path(f"/tmp/.fuzz-replay-{os.getpid()}")
    progress.with_suffix(".in").write_text(json.dumps([path.read_bytes().hex()]))
    child = subprocess.run([sys.executable, __file__, "--child", kind, str(progress.with_suffix(".in")), str(progress)],
                           env={**os.environ, "FUZZ_TRACE": "1"}, text=True, capture_output=True, timeout=600)
    print(child.stderr[-3000:], f"exit status {child.returncode}", sep="\n")
    return 0 if child.returncode == 0 else 1


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=1.0, help="per fuzzer")
    ap.add_argument("--only", choices=FUZZERS, action="append")
    ap.add_argument("--out", default="fuzz-findings")
    ap.add_argument("--replay", metavar="FILE", help="run one saved spirv-N.bin or abi-N.bin finding, traced")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.replay:
        return replay(Path(args.replay))
    if args.child:
        kind, batch, progress = args.child
        inputs = [bytes.fromhex(x) for x in json.loads(Path(batch).read_text())]
        (child_spirv if kind == "spirv" else child_abi)(inputs, Path(progress))
        return 0
    out = Path(args.out)
    blobs: list[bytes] = []
    found = 0
    for name in args.only or FUZZERS:
        findings = Findings(out, name)
        start = time.monotonic()
        deadline = start + args.minutes * 60
        if name == "frontend":
            n = fuzz_frontend(deadline, findings)
        elif name == "differential":
            n = fuzz_differential(deadline, findings)
        elif name == "spirv":
            blobs = blobs or valid_modules()
            n = fuzz_in_children("spirv", deadline, findings, lambda rng: mutate_spirv(rng, rng.choice(blobs)))
        else:
            n = fuzz_in_children("abi", deadline, findings, make_abi_script)
        seconds = time.monotonic() - start
        print(f"{name:12s} {n:8d} inputs in {seconds:6.1f} s = {n / seconds:8.1f}/s, "
              f"{findings.count} finding(s){f' in {out}/{name}.log' if findings.count else ''}", flush=True)
        found += findings.count
    return 1 if found else 0


if __name__ == "__main__":
    os.environ.setdefault("SIMPLE_VK_VALIDATION", "0")
    sys.exit(main())
