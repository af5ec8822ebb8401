"""End-to-end tests of the fatal-signal handler in the explorer: vectui really crashes in the
middle of a search (VECTUI_DEBUG_CRASH=KIND:JOB faults for real at the start of that job) and
the terminal must come back: out of the alternate screen, mouse reporting off, cooked mode with echo, one line
naming the signal and the job, exit status 128 + the signal.

Run:  VECTUI_BIN=.build/release/vectui python3 -m pytest -q tests/e2e/test_fatal_signals_tmux.py
"""

from __future__ import annotations

import re
import signal

import pytest

# The shared tmux pane and fixtures (importing them registers the fixtures here too).
from test_explorer_tmux import PRODUCTS, demo, env, panes, vectui_bin, work  # noqa: F401

CRASHES = [
    ("BUS", signal.SIGBUS, "bus error (SIGBUS)"),
    ("SEGV", signal.SIGSEGV, "segmentation fault (SIGSEGV)"),
    ("ABRT", signal.SIGABRT, "abort (SIGABRT)"),
    # A failed Swift runtime check (an index out of range) traps: SIGILL on x86-64.
    ("swift", signal.SIGILL, "Swift runtime trap or illegal instruction (SIGILL)"),
]


@pytest.mark.parametrize("kind,signum,what", CRASHES, ids=[c[0] for c in CRASHES])
def test_a_crash_in_a_search_gives_the_terminal_back_with_one_line(vectui_bin, env, demo, panes, kind, signum, what):
    index = demo / "products.index"
    pane = panes([vectui_bin, "open", str(index), "--meta", str(demo / "products.jsonl")],
                 {**env, "VECTUI_DEBUG_CRASH": f"{kind}:searching"})
    pane.wait_for(f"{PRODUCTS:,} of {PRODUCTS:,}")
    assert pane.tmux("display", "-p", "-t", pane.name, "#{alternate_on}").strip() == "1"
    assert pane.tmux("display", "-p", "-t", pane.name, "#{mouse_any_flag}").strip() == "1"

    pane.keys("Enter")  # the similar-products search of the first product: the crash
    pane.wait_exit()
    # Joined: the one line is wider than the pane.
    screen = pane.tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", pane.name)

    assert f"[exit {128 + signum}]" in screen, screen
    modes = screen.split("[exit", 1)[1]
    assert re.search(r"(?<!-)icanon", modes) and re.search(r"(?<!-)echo", modes), f"terminal not restored:\n{screen}"
    assert pane.tmux("display", "-p", "-t", pane.name, "#{alternate_on}").strip() == "0", "still in the alternate screen"
    assert pane.tmux("display", "-p", "-t", pane.name, "#{mouse_any_flag}").strip() == "0", "mouse reporting left on"
    assert "3 Products" not in screen, f"the explorer's screen was left behind:\n{screen}"
    lines = [line for line in screen.splitlines() if line.startswith("vectui: fatal: ")]
    assert len(lines) == 1, screen
    assert re.fullmatch(rf"vectui: fatal: {re.escape(what)} while searching {re.escape(str(index))} for the "
                        r"neighbours of id \d+ — the terminal was restored \(VECTUI_BACKTRACE=1 prints a backtrace\)",
                        lines[0]), lines[0]
    assert "Backtracing" not in screen and "Thread 0" not in screen, f"a backtrace was printed:\n{screen}"
