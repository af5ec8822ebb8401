"""Times the explorer as a user drives it: the real vectui binary in a tmux pane, keys sent one
at a time, and the explorer's own `--measure` report (printed on exit) collected.

    python3 benchmarks/bench_explorer.py [--products 100000] [--size 120x40] [--filter-only]
    python3 benchmarks/bench_explorer.py --ask [--products 100000]   # asking by meaning (MiniLM demo)

Measured by the explorer itself, on its UI thread: a keypress that changes only the UI (pane
focus, list moves, help) from reading the key to the frame flushed; a similar-products query
from Enter to the frame showing the neighbours, and the search alone; a filter keystroke to
the frame showing its matches, and the filter alone (with the three slowest queries). With
--ask, the demo's titles are embedded with all-MiniLM-L6-v2 (an N × 384 flat inner-product
index; minutes for 100,000, once) and texts are asked by meaning: Enter to results on screen,
and the embedding and search alone. The demo is generated once per product count in
benchmarks/data/explorer-<N> (git-ignored). Needs tmux;
VECTUI_BIN (or --vectui) picks the binary, default .build/release/vectui.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "e2e"))
from test_explorer_tmux import Pane  # noqa: E402  (the e2e tests' tmux driver)

FILTER_QUERIES = ["desk lamp", "a", "红色", "halcyon 台灯", "oak king", "zzz"]
ASK_QUERIES = ["cosy wool blanket", "a lamp for my desk", "waterproof hiking boots", "something to keep coffee hot",
               "noise cancelling headphones for travel"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--size", default="120x40", help="terminal size, WIDTHxHEIGHT")
    parser.add_argument("--filter-only", action="store_true", help="only type filter queries (for large catalogs)")
    parser.add_argument("--ask", action="store_true", help="only ask by meaning, on the MiniLM-encoded demo")
    parser.add_argument("--vectui", default=os.environ.get("VECTUI_BIN", str(REPO_ROOT / ".build" / "release" / "vectui")))
    args = parser.parse_args()
    width, height = (int(part) for part in args.size.split("x"))

    cache = REPO_ROOT / "benchmarks" / "data" / f"explorer-{args.products}"
    kind = [] if args.ask else ["--synthetic"]
    env = {"XDG_CACHE_HOME": str(cache), "XDG_CONFIG_HOME": str(cache / "config"), "LANG": "C.UTF-8",
           "TERM": "tmux-256color"}
    subprocess.run([args.vectui, "demo", *kind, "--products", str(args.products), "--print"], check=True,
                   env={**os.environ, **env}, stdout=subprocess.DEVNULL)

    with tempfile.TemporaryDirectory() as scratch:
        report = pathlib.Path(scratch) / "measure.txt"
        command = ["sh", "-c", f'exec "$0" demo {" ".join(kind)} --products {args.products} --measure 2>{report}',
                   args.vectui]
        pane = Pane(command, width, height, env, pathlib.Path(scratch))
        try:
            pane.wait_for(f"{args.products:,} of {args.products:,}", timeout=600)
            if args.ask:
                drive_asks(pane)
            elif not args.filter_only:
                drive_ui_and_queries(pane)
            if not args.ask:
                drive_filter(pane)
            pane.keys("Escape", "q")
            pane.wait_exit(timeout=60)
        finally:
            pane.close()
        print(f"{args.products:,} products, {width}×{height}, load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores")
        print(report.read_text(encoding="utf-8").strip())


def pause() -> None:
    """Leaves each key its own frame (the explorer draws within a few ms)."""
    time.sleep(0.15)


def drive_ui_and_queries(pane: Pane) -> None:
    for _ in range(3):
        for key in ["Tab"] * 5 + ["j"] * 8 + ["k"] * 8 + ["?", "Escape"]:
            pane.keys(key)
            pause()
    pane.keys("/")
    pane.type("desk lamp")
    pane.wait_for("/ desk lamp")
    pane.keys("Enter")
    pane.wait_for(" on cpu · like")
    pane.keys("4")
    for _ in range(15):
        pane.keys("j")
        pause()
        pane.keys("Enter")
        time.sleep(0.3)
    pane.keys("3")


def drive_asks(pane: Pane) -> None:
    time.sleep(3)   # the model job finishes (its load is not what is measured)
    for _ in range(4):
        for query in ASK_QUERIES:
            pane.keys("a")
            pause()
            pane.type(query)
            pane.keys("Enter")
            pane.wait_for(f"ask “{query}”", timeout=30)
            time.sleep(0.4)


def drive_filter(pane: Pane) -> None:
    pane.keys("/")
    for query in FILTER_QUERIES:
        pane.keys("C-u")
        time.sleep(0.5)
        for character in query:
            pane.type(character)
            time.sleep(0.25)
        time.sleep(0.5)


if __name__ == "__main__":
    main()
