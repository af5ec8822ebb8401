"""A fatal signal in a CLI command: one line on stderr naming the signal and the job, exit
status 128 + the signal (not a death by signal), no backtrace; VECTUI_BACKTRACE=1 still gives
the Swift runtime's backtrace after the line. VECTUI_DEBUG_CRASH=KIND[:JOB] makes vectui
fault for real at the start of the job."""

import os
import signal
import subprocess

import faiss
import numpy as np
import pytest

CRASHES = [
    ("SEGV", signal.SIGSEGV, "segmentation fault (SIGSEGV)"),
    ("BUS", signal.SIGBUS, "bus error (SIGBUS)"),
    ("ILL", signal.SIGILL, "Swift runtime trap or illegal instruction (SIGILL)"),
    ("TRAP", signal.SIGTRAP, "trap (SIGTRAP)"),
    ("ABRT", signal.SIGABRT, "abort (SIGABRT)"),
    ("FPE", signal.SIGFPE, "arithmetic error (SIGFPE)"),
]


@pytest.fixture(scope="module")
def small_index(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fatal")
    x = np.random.default_rng(0).standard_normal((50, 8)).astype(np.float32)
    index = faiss.IndexFlatL2(8)
    index.add(x)
    path = folder / "small.index"
    faiss.write_index(index, str(path))
    np.save(folder / "queries.npy", x[:2])
    return path, folder / "queries.npy"


def run_crashing(vectui_bin, args, kind, **extra_env):
    env = {key: value for key, value in os.environ.items() if key != "VECTUI_BACKTRACE"}
    env.update(VECTUI_DEBUG_CRASH=kind, **extra_env)
    return subprocess.run([vectui_bin, *map(str, args)], capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize("kind,signum,what", CRASHES, ids=[c[0] for c in CRASHES])
def test_a_crash_in_search_is_one_line_and_128_plus_the_signal(vectui_bin, small_index, kind, signum, what):
    index, queries = small_index
    proc = run_crashing(vectui_bin, ["search", index, "--queries", queries, "-k", 3], f"{kind}:searching")
    assert proc.returncode == 128 + signum, f"rc {proc.returncode}; stderr={proc.stderr!r}"
    assert proc.stdout == ""
    assert proc.stderr == (f"vectui: fatal: {what} while searching {index} "
                           "(VECTUI_BACKTRACE=1 prints a backtrace)\n")


def test_a_swift_trap_ends_with_the_line(vectui_bin, small_index):
    """A failed runtime check: a debug build's runtime prints its "Fatal error" line first (an
    optimised one traps without a message), then comes ours."""
    index, queries = small_index
    proc = run_crashing(vectui_bin, ["search", index, "--queries", queries], "swift")
    assert proc.returncode == 128 + signal.SIGILL, proc.stderr
    *before, last = proc.stderr.splitlines()
    assert all("Fatal error: Index out of range" in line for line in before) and len(before) <= 1, proc.stderr
    assert last == (f"vectui: fatal: Swift runtime trap or illegal instruction (SIGILL) while searching {index} "
                    "(VECTUI_BACKTRACE=1 prints a backtrace)"), last


def test_a_job_prefix_that_does_not_match_does_not_crash(vectui_bin, small_index):
    index, queries = small_index
    proc = run_crashing(vectui_bin, ["search", index, "--queries", queries, "-k", 2], "SEGV:benchmarking")
    assert proc.returncode == 0, proc.stderr


def test_vectui_backtrace_hands_the_signal_to_the_swift_backtracer(vectui_bin, small_index):
    index, _ = small_index
    proc = run_crashing(vectui_bin, ["info", index], "BUS", VECTUI_BACKTRACE="1", SWIFT_BACKTRACE="enable=yes,interactive=no")
    lines = proc.stderr.splitlines()
    assert lines[0] == f"vectui: fatal: bus error (SIGBUS) while reading {index}", proc.stderr
    assert "Backtracing" in proc.stderr and "Program crashed: Bus error" in proc.stderr, proc.stderr
    assert proc.returncode in (-signal.SIGBUS, 128 + signal.SIGBUS), proc.returncode
