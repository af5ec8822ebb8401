"""Times catalog field filters and filtered search on a large catalog.

    python3 benchmarks/bench_filter.py [--products 1000000] [--d 16]

Builds (once, in benchmarks/data/filter-<N>, git-ignored) a JSONL catalog of N products with
`section` (5 values), `price` (0–99) and `rating` (a decimal, "n/a" for one in eleven) and a
flat inner-product index of N random d-dimensional vectors, then for each filter runs
`vectui bench INDEX --meta CATALOG --filter EXPR --json`, which reports the filter's first
evaluation (which folds and parses the columns it uses), the median of later evaluations
(what each keystroke costs in the explorer once a column is prepared), and the search speed
with the filter's selector; and once without a filter, for comparison.
VECTUI_BIN (or --vectui) picks the binary, default .build/release/vectui.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import subprocess

import numpy as np

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
FILTERS = ["section:web", "price<50", "rating>=4", "section:web price<50 rating>=4", 'section="contrib/web"']


def make_data(folder: pathlib.Path, n: int, d: int):
    folder.mkdir(parents=True, exist_ok=True)
    meta, index, queries = folder / "catalog.jsonl", folder / "flat.index", folder / "queries.npy"
    if meta.exists() and index.exists() and queries.exists():
        return meta, index, queries
    import faiss

    rng = np.random.default_rng(1)
    sections = ["web", "libs", "contrib/web", "editors", "Web-Apps"]
    prices = rng.integers(0, 100, n)
    ratings = rng.integers(0, 51, n)
    with open(meta, "w") as out:
        for r in range(n):
            rating = "n/a" if r % 11 == 0 else f"{ratings[r] / 10:.1f}"
            out.write(json.dumps({"title": f"product {r}", "section": sections[r % 5], "price": str(prices[r]),
                                  "rating": rating}) + "\n")
    xb = rng.standard_normal((n, d)).astype(np.float32)
    flat = faiss.IndexFlatIP(d)
    flat.add(xb)
    faiss.write_index(flat, str(index))
    np.save(queries, rng.standard_normal((64, d)).astype(np.float32))
    return meta, index, queries


def bench(vectui: str, index, queries, *extra) -> dict:
    proc = subprocess.run([vectui, "bench", str(index), "--queries", str(queries), "-k", "10", "--runs", "3",
                           "--single-queries", "20", "--json", *map(str, extra)], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=16)
    parser.add_argument("--vectui", default=os.environ.get("VECTUI_BIN", str(REPO_ROOT / ".build/release/vectui")))
    args = parser.parse_args()
    meta, index, queries = make_data(REPO_ROOT / "benchmarks" / "data" / f"filter-{args.products}", args.products, args.d)
    base = bench(args.vectui, index, queries)
    print(f"{args.products:,} products, flat IP d = {args.d}, k = 10")
    print(f"{'filter':34} {'passing':>9} {'first ms':>9} {'median ms':>10} {'batch q/s':>10} {'single p50 ms':>14}")
    print(f"{'(none)':34} {args.products:>9,} {'':>9} {'':>10} {base['batch']['qps']:>10.0f} {base['single']['p50_ms']:>14.2f}")
    for expression in FILTERS:
        out = bench(args.vectui, index, queries, "--meta", meta, "--filter", expression)
        f = out["filter"]
        print(f"{expression:34} {f['passing']:>9,} {f['first_ms']:>9.1f} {f['median_ms']:>10.2f} "
              f"{out['batch']['qps']:>10.0f} {out['single']['p50_ms']:>14.2f}")


if __name__ == "__main__":
    main()
