"""Compile benchmark (issue 3): every fixture kernel from Simple source to validated
SPIR-V in this process (front end + lowering + spirv-val), beside glslangValidator
compiling an equivalent GLSL compute shader (bench/glsl/<fixture>.<kernel>.comp) as
a process, the way a build system runs it, in the same run.

    .venv/bin/python bench/compile.py [--repeat N] [--quick] [--glslang-loop]

Ours: per fixture file, compile_file + lower_module (which validates every kernel
with SPIRV-Tools), after one untimed run; the median, divided by the file's kernel
count, is the time per kernel. glslang: per kernel, the wall time of the process
`glslangValidator -V --target-env vulkan1.1 FILE -o OUT`, and of the same with
--spirv-val (ours validates; glslang does not by default). Floors: the process
`glslangValidator --version` (start-up only) and glslang on an empty compute shader
(start-up plus the built-in symbol tables glslang builds in every run). Everything
is measured in N interleaved rounds (one run of each step per round) and reported
as medians; a Markdown table goes to stdout, progress to stderr. With --glslang-loop,
also glslang's time per compile inside one process (`glslangValidator --spirv-val -m`
compiles and validates the shader 10,000 times, writing nothing), the figure a build
using glslang as a library would see.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Callable

from simple_vkbackend.frontend import compile_file
from simple_vkbackend.lowering.lower import lower_module

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
GLSL_DIR = Path(__file__).resolve().parent / "glsl"
GLSLANG_DEFAULT = "/usr/bin/glslangValidator"
INSTALL_HINT = ("glslangValidator not found. Install it with\n"
                "    sudo apt-get install glslang-tools      (Debian, Ubuntu)\n"
                "or put a glslangValidator on PATH.")
EMPTY_SHADER = ("#version 450\n"
                "layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;\n"
                "void main() {}\n")
LOOP_COMPILES = 100 * 100  # glslangValidator -m compiles the shader this often in one process
TARGET_MS_PER_KERNEL = 5.0
TARGET_SPEEDUP = 10.0

Step = Callable[[], tuple[float, float]]  # runs one timed step once: (wall s, CPU s)


class BenchError(Exception):
    """A problem that stops the benchmark; main() prints it and exits with 1."""


@dataclass(frozen=True)
class Timing:
    """Wall time, and CPU time (user + system) of the compiling process; the CPU time
    shows how much a loaded machine stretched the wall time."""

    wall_ms: float
    cpu_ms: float


@dataclass(frozen=True)
class Floors:
    """What every glslangValidator run pays before compiling anything of its own."""

    version: Timing  # `glslangValidator --version`: process start
    empty: Timing  # an empty compute shader: start plus glslang's built-in symbol tables


@dataclass
class FixtureResult:
    stem: str
    kernels: list[str]
    ours_file: Timing  # the whole file
    glslang: dict[str, Timing]  # kernel -> one glslangValidator process
    glslang_val: dict[str, Timing]  # same, with --spirv-val

    @property
    def ours_ms(self) -> float:
        return self.ours_file.wall_ms / len(self.kernels)

    @property
    def ours_cpu_ms(self) -> float:
        return self.ours_file.cpu_ms / len(self.kernels)

    @property
    def glslang_cpu_ms(self) -> float:
        return statistics.fmean(t.cpu_ms for t in self.glslang.values())

    @property
    def glslang_ms(self) -> float:
        return statistics.fmean(t.wall_ms for t in self.glslang.values())

    @property
    def glslang_val_ms(self) -> float:
        return statistics.fmean(t.wall_ms for t in self.glslang_val.values())


# --- finding things -------------------------------------------------------------------

def find_glslang() -> str:
    path = shutil.which("glslangValidator") or (GLSLANG_DEFAULT if os.access(GLSLANG_DEFAULT, os.X_OK) else None)
    if path is None:
        raise BenchError(INSTALL_HINT)
    return path


def fixture_files() -> list[Path]:
    files = sorted(FIXTURES.glob("*.spl"))
    if not files:
        raise BenchError(f"no fixtures in {FIXTURES}")
    return files


def kernel_names(source: Path) -> list[str]:
    return [k.name for k in compile_file(source).kernels]


def glsl_file(stem: str, kernel: str) -> Path:
    return GLSL_DIR / f"{stem}.{kernel}.comp"


# --- checking the GLSL equivalents ----------------------------------------------------

UNSUPPORTED = "extension not supported: "  # glslang's message for an extension it predates


def check_glsl_files(glslang: str, kernels: dict[str, list[str]], scratch: Path) -> set[str]:
    """Every fixture kernel has its GLSL file, there are no others, and each compiles;
    the fixtures (stems) whose GLSL needs an extension this glslang predates (such as
    GL_KHR_cooperative_matrix) are returned, to be left out of the timing."""
    expected = {glsl_file(stem, k) for stem, names in kernels.items() for k in names}
    missing = sorted(p.name for p in expected if not p.exists())
    extra = sorted(p.name for p in set(GLSL_DIR.glob("*.comp")) - expected)
    if missing or extra:
        raise BenchError(f"bench/glsl/ does not match the fixture kernels: missing {missing}, extra {extra}")
    unsupported: set[str] = set()
    for path in sorted(expected):
        result = subprocess.run(glslang_argv(glslang, path, scratch / "check.spv", validate=True),
                                capture_output=True, text=True)
        if result.returncode != 0 and UNSUPPORTED in result.stdout:
            unsupported.add(path.name.split(".")[0])
        elif result.returncode != 0:
            raise BenchError(f"glslangValidator rejects {path.relative_to(ROOT)} "
                             f"(exit {result.returncode}):\n{result.stdout}{result.stderr}")
    return unsupported


# --- timing ---------------------------------------------------------------------------

def glslang_argv(glslang: str, source: Path, output: Path, validate: bool = False) -> list[str]:
    env = "vulkan1.3" if "GL_KHR_cooperative_matrix" in source.read_text() else "vulkan1.1"
    argv = [glslang, "-V", "--target-env", env, str(source), "-o", str(output)]
    return argv + ["--spirv-val"] if validate else argv


def compile_ours(source: Path) -> int:
    """Simple source -> validated SPIR-V for every kernel of the file; the kernel count."""
    return len(lower_module(compile_file(source)))


def run_ours(source: Path) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    compile_ours(source)
    return time.perf_counter() - wall, time.process_time() - cpu


def run_process(argv: list[str]) -> tuple[float, float]:
    """One run of `argv`: wall time, and the child's user + system CPU time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - wall
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measurements(glslang: str, kernels: dict[str, list[str]], scratch: Path) -> dict[tuple, Step]:
    """Every timed step, keyed: ("ours", stem), ("glslang" or "glslang_val", stem, kernel),
    ("version",), ("empty",); each value, called, runs once and returns (wall s, CPU s)."""
    empty, output = scratch / "empty.comp", scratch / "out.spv"
    empty.write_text(EMPTY_SHADER)
    steps = {("version",): partial(run_process, [glslang, "--version"]),
             ("empty",): partial(run_process, glslang_argv(glslang, empty, output))}
    for stem, names in kernels.items():
        steps[("ours", stem)] = partial(run_ours, FIXTURES / f"{stem}.spl")
        for k in names:
            steps[("glslang", stem, k)] = partial(run_process, glslang_argv(glslang, glsl_file(stem, k), output))
            steps[("glslang_val", stem, k)] = partial(
                run_process, glslang_argv(glslang, glsl_file(stem, k), output, validate=True))
    return steps


def measure(glslang: str, kernels: dict[str, list[str]], repeat: int, scratch: Path) -> dict[tuple, Timing]:
    """Medians of every step. The steps run in interleaved rounds, so that a change in
    the machine's load during the run falls on all of them alike."""
    steps = measurements(glslang, kernels, scratch)
    for stem in kernels:
        compile_ours(FIXTURES / f"{stem}.spl")  # untimed: imports, grammar tables, SPIRV-Tools context
    samples: dict[tuple, list] = {key: [] for key in steps}
    for round_no in range(repeat):
        for key, step in steps.items():
            samples[key].append(step())
        print(f"  round {round_no + 1}/{repeat}", file=sys.stderr, flush=True)
    return {key: median_timing(runs) for key, runs in samples.items()}


def median_timing(runs: list[tuple[float, float]]) -> Timing:
    walls, cpus = zip(*runs)
    return Timing(statistics.median(walls) * 1000.0, statistics.median(cpus) * 1000.0)


def fixture_results(kernels: dict[str, list[str]], timings: dict[tuple, Timing]) -> list[FixtureResult]:
    return [FixtureResult(stem, names, timings[("ours", stem)],
                          {k: timings[("glslang", stem, k)] for k in names},
                          {k: timings[("glslang_val", stem, k)] for k in names})
            for stem, names in kernels.items()]


def time_glslang_loop(glslang: str, kernels: dict[str, list[str]], scratch: Path) -> dict[str, Timing]:
    """Per fixture, glslang's time per compile inside one process, averaged over the
    fixture's kernels: `-m` repeats parse, link, SPIR-V generation and (with
    --spirv-val, as ours validates) validation LOOP_COMPILES times without writing
    the output; the one process start is spread over them."""
    per_fixture = {}
    for stem, names in kernels.items():
        runs = [run_process(glslang_argv(glslang, glsl_file(stem, k), scratch / "out.spv", validate=True) + ["-m"])
                for k in names]
        print(f"  glslang -m: {stem}", file=sys.stderr, flush=True)
        per_fixture[stem] = Timing(statistics.fmean(w for w, _ in runs) * 1000.0 / LOOP_COMPILES,
                                   statistics.fmean(c for _, c in runs) * 1000.0 / LOOP_COMPILES)
    return per_fixture


def loop_table(results: list[FixtureResult], loop: dict[str, Timing]) -> str:
    rows = ["| fixture | ours, CPU (ms/kernel) | glslang --spirv-val in one process, CPU (ms/kernel) "
            "| glslang / ours |",
            "|---|---|---|---|"]
    for r in results:
        cpu = loop[r.stem].cpu_ms
        rows.append(f"| {r.stem} | {r.ours_cpu_ms:.2f} | {cpu:.2f} | {cpu / r.ours_cpu_ms:.2f}x |")
    return "\n".join(rows)


def loop_summary(results: list[FixtureResult], loop: dict[str, Timing]) -> str:
    ours = statistics.median(r.ours_cpu_ms for r in results for _ in r.kernels)
    glslang = statistics.median(loop[r.stem].cpu_ms for r in results for _ in r.kernels)
    return (f"In one process (no start-up, built-in tables made once), median CPU per kernel: "
            f"glslang --spirv-val {glslang:.2f} ms, ours {ours:.2f} ms (glslang / ours {glslang / ours:.2f}x).")


# --- reporting ------------------------------------------------------------------------

def machine_line(glslang: str) -> str:
    version = subprocess.run([glslang, "--version"], capture_output=True, text=True).stdout.splitlines()
    return (f"{os.cpu_count()}-core machine, CPU ({cpu_model()}); Python {platform.python_version()}; "
            f"{version[0].strip() if version else 'glslangValidator'}")


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def table(results: list[FixtureResult]) -> str:
    rows = ["| fixture | kernels | ours (ms/kernel) | glslang (ms/kernel) | speedup "
            "| glslang --spirv-val (ms/kernel) | ours, CPU (ms/kernel) | glslang, CPU (ms/kernel) |",
            "|---|---|---|---|---|---|---|---|"]
    for r in results:
        rows.append(f"| {r.stem} | {len(r.kernels)} | {r.ours_ms:.2f} | {r.glslang_ms:.1f} "
                    f"| {r.glslang_ms / r.ours_ms:.0f}x | {r.glslang_val_ms:.1f} "
                    f"| {r.ours_cpu_ms:.2f} | {r.glslang_cpu_ms:.1f} |")
    return "\n".join(rows)


def per_kernel(results: list[FixtureResult], cpu: bool = False) -> tuple[list[float], list[float], list[float]]:
    """One figure per kernel (ours: the file's time / its kernel count): ours, glslang, glslang --spirv-val."""
    def ms(t: Timing) -> float:
        return t.cpu_ms if cpu else t.wall_ms
    ours = [ms(r.ours_file) / len(r.kernels) for r in results for _ in r.kernels]
    glslang = [ms(t) for r in results for t in r.glslang.values()]
    glslang_val = [ms(t) for r in results for t in r.glslang_val.values()]
    return ours, glslang, glslang_val


def summary(results: list[FixtureResult], floors: Floors) -> list[str]:
    ours_all, glslang_all, _ = per_kernel(results)
    ours, glslang, glslang_val = (statistics.median(k) for k in per_kernel(results))
    ours_cpu, glslang_cpu, _ = (statistics.median(k) for k in per_kernel(results, cpu=True))
    version, empty = floors.version, floors.empty
    return [
        f"Kernels: {len(ours_all)} in {len(results)} fixture files.",
        f"Median per kernel, wall: ours {ours:.2f} ms; glslang {glslang:.1f} ms, with --spirv-val {glslang_val:.1f} ms.",
        f"Median per kernel, CPU (user + system): ours {ours_cpu:.2f} ms; glslang {glslang_cpu:.1f} ms.",
        f"glslang floors, wall (CPU): `--version`, the process start, {version.wall_ms:.1f} ms "
        f"({version.cpu_ms:.1f} ms); an empty compute shader, start plus the built-in symbol tables, "
        f"{empty.wall_ms:.1f} ms ({empty.cpu_ms:.1f} ms).",
        f"Ratio of medians, glslang / ours: wall {glslang / ours:.0f}x (with --spirv-val {glslang_val / ours:.0f}x; "
        f"less the process start {(glslang - version.wall_ms) / ours:.0f}x); CPU {glslang_cpu / ours_cpu:.0f}x.",
        f"glslang CPU beyond the empty-shader run: {glslang_cpu - empty.cpu_ms:+.1f} ms per kernel "
        f"(its own work on the shader; ours is {ours_cpu:.2f} ms).",
        f"All {len(ours_all)} kernels, wall: ours {sum(ours_all):.0f} ms, glslang {sum(glslang_all):.0f} ms "
        f"({sum(glslang_all) / sum(ours_all):.0f}x).",
        *target_lines(results),
    ]


def target_lines(results: list[FixtureResult]) -> list[str]:
    slow = [f"{r.stem} ({r.ours_ms:.2f} ms)" for r in results if r.ours_ms > TARGET_MS_PER_KERNEL]
    slow_cpu = [f"{r.stem} ({r.ours_cpu_ms:.2f} ms)" for r in results if r.ours_cpu_ms > TARGET_MS_PER_KERNEL]
    low = [f"{r.stem} ({r.glslang_ms / r.ours_ms:.1f}x)" for r in results
           if r.glslang_ms / r.ours_ms < TARGET_SPEEDUP]
    return [f"Target at most {TARGET_MS_PER_KERNEL:g} ms per kernel (wall): " + verdict(slow)
            + " In CPU time: " + verdict(slow_cpu),
            f"Target at least {TARGET_SPEEDUP:g}x faster than the glslang process (wall): " + verdict(low)]


def verdict(misses: list[str]) -> str:
    return "met by every fixture." if not misses else f"missed by {', '.join(misses)}."


# --- main -----------------------------------------------------------------------------

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    p.add_argument("--repeat", type=int, default=30, metavar="N",
                   help="timed repetitions of every measurement (default 30)")
    p.add_argument("--glslang-loop", action="store_true",
                   help=f"also time glslang compiling and validating each shader {LOOP_COMPILES} times in "
                        "one process (glslangValidator --spirv-val -m): its time per compile without the "
                        "process start; takes several minutes")
    p.add_argument("--quick", action="store_true", help="5 repetitions: a smoke run, not figures to report")
    args = p.parse_args(argv)
    if args.repeat < 1:
        p.error("--repeat must be at least 1")
    if args.quick:
        args.repeat = 5
    return args


def run(repeat: int, glslang_loop: bool) -> None:
    glslang = find_glslang()
    kernels = {s.stem: kernel_names(s) for s in fixture_files()}
    with tempfile.TemporaryDirectory(prefix="bench-compile-") as tmp:
        for stem in sorted(check_glsl_files(glslang, kernels, Path(tmp))):
            print(f"note: {stem}.spl left out: its GLSL needs an extension this glslangValidator lacks",
                  flush=True)
            del kernels[stem]
        print(f"{machine_line(glslang)}; {repeat} rounds; load average {load_average()}", flush=True)
        timings = measure(glslang, kernels, repeat, Path(tmp))
        loop = time_glslang_loop(glslang, kernels, Path(tmp)) if glslang_loop else None
    results = fixture_results(kernels, timings)
    floors = Floors(timings[("version",)], timings[("empty",)])
    print(f"load average after: {load_average()}\n")
    print(table(results) + "\n")
    print("\n".join(summary(results, floors)))
    if loop is not None:
        print("\n" + loop_table(results, loop) + "\n")
        print(loop_summary(results, loop))


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        run(args.repeat, args.glslang_loop)
    except BenchError as e:
        print(f"bench/compile.py: error: {e}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as e:
        print(f"bench/compile.py: error: {' '.join(e.cmd)} failed with exit {e.returncode}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
