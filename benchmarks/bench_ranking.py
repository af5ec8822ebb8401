"""Times the explorer's name filter per keystroke on a million titles: the real vectui binary's
hidden `vectui filter CATALOG --type QUERY … --json`, which folds the catalog's titles
(repeated `--repeat` times) once, then types each query letter by letter, timing every
keystroke's search (ranked, with its count) and the highlights of its first page of rows.

    python3 benchmarks/bench_ranking.py [--repeat 16] [--rounds 5] [--variant before=BINARY]

The catalog is Debian's package list (`scripts/debian-catalog`, 63,681 titles "name —
description" on this machine; × 16 = 1,018,896), written once to benchmarks/data/debian.jsonl
(git-ignored); `--catalog FILE` uses another (the demo's products.jsonl, say). Rounds alternate
the binaries (VECTUI_BIN or --vectui, and each --variant LABEL=BINARY), each round one process
per binary typing every query `--passes` times; the table gives medians over rounds of each
binary's p50, p99 and max keystroke, the same over the keystrokes whose search looked for typo
and subsequence matches (few literal ones), its slowest queries and its fold time.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import subprocess
import sys

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from benchlib import alternate, cpu_model, run_json  # noqa: E402

QUERIES = ["nginx", "vim", "gimp", "python image", "imgae", "pyhton", "web server", "lib", "editr", "a"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--catalog", help="a JSONL/CSV catalog (default: Debian's package list)")
    parser.add_argument("--repeat", type=int, default=16, help="titles repeated this many times (16: ~1 M)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--passes", type=int, default=2, help="times each query is typed per process")
    parser.add_argument("--query", action="append", help="a query to type (repeatable; default: a mix)")
    parser.add_argument("--vectui", default=os.environ.get("VECTUI_BIN", str(REPO_ROOT / ".build" / "release" / "vectui")))
    parser.add_argument("--variant", action="append", default=[], help="LABEL=BINARY, another vectui in the same rounds")
    args = parser.parse_args()

    catalog = args.catalog
    if catalog is None:
        catalog = str(REPO_ROOT / "benchmarks" / "data" / "debian.jsonl")
        if not os.path.exists(catalog):
            os.makedirs(os.path.dirname(catalog), exist_ok=True)
            subprocess.run([str(REPO_ROOT / "scripts" / "debian-catalog"), catalog], check=True)
    queries = args.query or QUERIES
    binaries = {"vectui": args.vectui}
    for variant in args.variant:
        label, _, binary = variant.partition("=")
        binaries[label] = binary

    def measure(binary):
        command = [binary, "filter", catalog, "--repeat", args.repeat, "--rounds", args.passes, "--json"]
        for query in queries:
            command += ["--type", query]
        result = run_json(command)
        measure.last[binary] = result
        return {"p50": result["p50_ms"], "p99": result["p99_ms"], "max": result["max_ms"], "build": result["build_s"],
                "approximate": result.get("approximate_keystrokes", 0), "approximate_p50": result.get("approximate_p50_ms", 0),
                "approximate_p99": result.get("approximate_p99_ms", 0)}
    measure.last = {}

    medians = alternate(args.rounds, {label: (lambda b=binary: measure(b)) for label, binary in binaries.items()})
    titles = next(iter(measure.last.values()))["titles"]
    keystrokes = sum(len(q) for q in queries) * args.passes
    print(f"{titles:,} titles ({os.path.basename(catalog)} × {args.repeat}), {keystrokes} keystrokes a round, "
          f"{args.rounds} rounds; {cpu_model()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(f"queries typed letter by letter: {', '.join(repr(q) for q in queries)}")
    print()
    print("| binary | p50 ms | p99 ms | max ms | with typos: keystrokes, p50, p99 ms | fold s | slowest (last round) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for label, binary in binaries.items():
        m = medians[label]
        slowest = ", ".join(f"'{s['query']}' {s['ms']:.0f} ms ({s['count']:,})" for s in measure.last[binary]["slowest"])
        typos = f"{m['approximate']:.0f}, {m['approximate_p50']:.1f}, {m['approximate_p99']:.1f}" if m["approximate"] else "—"
        print(f"| {label} | {m['p50']:.1f} | {m['p99']:.1f} | {m['max']:.1f} | {typos} | {m['build']:.2f} | {slowest} |")


if __name__ == "__main__":
    main()
