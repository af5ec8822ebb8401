"""faiss <-> vectui interop for IndexRefineFlat and IndexRefine (`IxRF`: a base index proposes
k × k_factor candidates, the refine index scores them again):

- faiss writes (`…,RFlat`, `…,Refine(SQfp16)`, inside IDMap2, k_factor from the file), vectui
  searches: exact re-ranking gives faiss's neighbours and scores wherever the base proposes the
  same candidates (mean top-10 overlap >= 0.99 with ties counted, same scores at the same rank);
- `vectui save` of faiss's files is byte-identical;
- vectui builds from the factory strings: faiss reads them, finds what vectui finds, and
  vectui's recall@10 is within 0.02 of faiss's own build;
- `info` names the parts; `--k-factor`-free defaults; truncated files fail with exit 2.
"""

import os
import shutil

import faiss
import numpy as np
import pytest

from interop_util import assert_scores_agree, check_error_line, make_ids, neighbour_tolerance, query_unit
from test_quantized import _clustered, _metric, _no_polysemous_training, _overlap_with_ties, _recall, _search

D = 32
N = 5000
NQ = 40
K = 10

# (factory, k_factor written in the file, codec whose rounding the re-ranking scores carry)
FAISS_TYPES = [
    ("IVF16,SQ8,RFlat", 4.0, "Flat"),
    ("PQ8,RFlat", 3.0, "Flat"),
    ("SQ4,Refine(SQfp16)", 2.0, "SQfp16"),
    ("IVF16,PQ8,Refine(SQ8)", 5.0, "SQ8"),
    ("HNSW16,Refine(Flat)", 1.5, "Flat"),
    ("IDMap2,IVF16,SQ8,RFlat", 4.0, "Flat"),
]


@pytest.fixture(scope="module")
def data(work_dir):
    folder = work_dir / "refine"
    folder.mkdir(exist_ok=True)
    xb = _clustered(N, D, seed=21)
    xq = _clustered(NQ, D, seed=22)
    np.save(folder / "xq.npy", xq)
    return folder, xb, xq


def _refine_of(index):
    """The IndexRefine inside `index` (itself, or inside an IDMap)."""
    core = faiss.downcast_index(index)
    return faiss.downcast_index(core.index) if hasattr(core, "id_map") else core


@pytest.fixture(scope="module")
def faiss_files(data):
    folder, xb, _ = data
    cache = {}

    def get(name, metric):
        if (name, metric) in cache:
            return cache[(name, metric)]
        factory, k_factor, _ = dict((f, (f, k, c)) for f, k, c in FAISS_TYPES)[name]
        index = faiss.index_factory(D, factory, _metric(metric))
        refine = _refine_of(index)
        _no_polysemous_training(faiss.downcast_index(refine.base_index))
        index.train(xb)
        ids = make_ids(N, 3) if name.startswith("IDMap") else np.arange(N, dtype=np.int64)
        if name.startswith("IDMap"):
            index.add_with_ids(xb, ids)
        else:
            index.add(xb)
        refine.k_factor = k_factor
        if "IVF" in name:
            faiss.extract_index_ivf(index).nprobe = 4
        path = folder / f"faiss-{name.replace(',', '_').replace('(', '_').replace(')', '')}-{metric}.index"
        faiss.write_index(index, str(path))
        cache[(name, metric)] = (faiss.read_index(str(path)), path, ids)
        return cache[(name, metric)]

    return get


@pytest.mark.parametrize("metric", ["l2", "ip"])
@pytest.mark.parametrize("name", [t[0] for t in FAISS_TYPES])
def test_vectui_searches_faiss_refine_files_like_faiss(vectui, data, faiss_files, name, metric):
    folder, xb, xq = data
    index, path, ids = faiss_files(name, metric)
    codec = dict((f, c) for f, _, c in FAISS_TYPES)[name]
    D0, I0 = index.search(xq, K)
    out, v_ids, v_scores = _search(vectui, path, folder / "xq.npy")

    def tolerance(I):
        return neighbour_tolerance(I, xq=xq, xb=xb, ids=ids, metric=metric, unit=query_unit(codec))

    overlap = _overlap_with_ties(v_ids, v_scores, I0, D0, tolerance, metric)
    assert overlap >= 0.99, f"{name} {metric}: top-10 overlap {overlap:.4f} with faiss"
    if codec == "Flat":
        # Re-ranked exactly: the scores are the exact distances (float32 rounding only).
        assert_scores_agree(v_ids, v_scores, I0, D0, tolerance(I0), label=f"{name} {metric}")
    else:
        # Scores come from the refine codes: the same codes in both, so the same scores.
        same = (v_ids == I0) & (I0 != -1)
        assert np.allclose(v_scores[same], D0[same], rtol=1e-4, atol=1e-4), f"{name} {metric}"
    info = vectui.info(path)
    refine = _refine_of(index)
    assert info["structure"]["k_factor"] == pytest.approx(refine.k_factor)
    assert info["structure"]["refine_index"] == type(faiss.downcast_index(refine.refine_index)).__name__
    assert info["structure"]["base_index"] == type(faiss.downcast_index(refine.base_index)).__name__


@pytest.mark.parametrize("metric", ["l2", "ip"])
@pytest.mark.parametrize("name", [t[0] for t in FAISS_TYPES])
def test_save_of_faiss_refine_files_is_byte_identical(vectui, faiss_files, tmp_path, name, metric):
    _, path, _ = faiss_files(name, metric)
    out = tmp_path / "saved.index"
    proc = vectui.run("save", path, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == path.read_bytes()


def test_info_names_the_class_as_faiss_does(vectui, faiss_files):
    for name, expected in (("IVF16,SQ8,RFlat", "IndexRefineFlat"), ("SQ4,Refine(SQfp16)", "IndexRefine")):
        index, path, _ = faiss_files(name, "l2")
        assert type(faiss.downcast_index(index)).__name__ == expected
        info = vectui.info(path)
        assert info["type"] == expected and info["fourcc"] == "IxRF", info


@pytest.fixture(scope="module")
def flat_sources(data):
    folder, xb, _ = data
    paths = {}
    for metric in ("l2", "ip"):
        flat = faiss.IndexFlatIP(D) if metric == "ip" else faiss.IndexFlatL2(D)
        flat.add(xb)
        paths[metric] = folder / f"flat-{metric}.index"
        faiss.write_index(flat, str(paths[metric]))
    return paths


CONVERT_TYPES = ["IVF16,SQ8,RFlat", "PQ8,RFlat", "SQ4,Refine(SQfp16)", "IVF16,PQ8,Refine(SQ8)", "IDMap2,SQ8,RFlat"]


@pytest.mark.parametrize("metric", ["l2", "ip"])
@pytest.mark.parametrize("factory", CONVERT_TYPES)
def test_faiss_reads_vectui_refine_builds(vectui, data, flat_sources, tmp_path, factory, metric):
    folder, xb, xq = data
    out = tmp_path / "vectui.index"
    extra = ["--nprobe", 4] if "IVF" in factory else []
    report = vectui.json("convert", flat_sources[metric], "--to", factory, "--out", out, *extra, "--query-count", 50, "--json")
    caches = {"centroid norms", "centroid copy", "PQ precomputed table", "id lookup", "direct map"}
    built = sum(part["bytes"] for part in report["target"]["memory"]
                if part["component"].removeprefix("base ").removeprefix("refine ") not in caches)
    assert report["target"]["predicted_memory_bytes"] == built, report["target"]
    index = faiss.read_index(str(out))
    assert index.ntotal == N and index.metric_type == _metric(metric)
    refine = _refine_of(index)
    assert refine.k_factor == 1.0  # what faiss's factory gives too
    D0, I0 = index.search(xq, K)
    _, v_ids, v_scores = _search(vectui, out, folder / "xq.npy")
    codec = "SQfp16" if "fp16" in factory else "Flat"

    def tolerance(I):
        return neighbour_tolerance(I, xq=xq, xb=xb, ids=np.arange(N), metric=metric, unit=query_unit(codec))

    overlap = _overlap_with_ties(v_ids, v_scores, I0, D0, tolerance, metric)
    assert overlap >= 0.99, f"{factory} {metric}: faiss on vectui's file overlaps {overlap:.4f}"
    again = tmp_path / "again.index"
    assert vectui.run("save", out, "--out", again).returncode == 0
    assert again.read_bytes() == out.read_bytes()


RECALL_N, RECALL_D = 40_000, 48


@pytest.mark.parametrize("factory,k_factor,nprobe", [("IVF128,PQ8,RFlat", 8, 16), ("PQ12x6,Refine(SQ8)", 4, None)])
def test_vectui_refine_builds_reach_faiss_recall(vectui, work_dir, tmp_path, factory, k_factor, nprobe):
    x = _clustered(RECALL_N + 200, RECALL_D, seed=2026, clusters=200, spread=0.5)
    xb, xq = x[:RECALL_N], x[RECALL_N:]
    np.save(tmp_path / "xq.npy", xq)
    flat = faiss.IndexFlatL2(RECALL_D)
    flat.add(xb)
    faiss.write_index(flat, str(tmp_path / "flat.index"))
    truth = flat.search(xq, 10)[1]
    index = faiss.index_factory(RECALL_D, factory)
    _no_polysemous_training(faiss.downcast_index(_refine_of(index).base_index))
    index.train(xb)
    index.add(xb)
    _refine_of(index).k_factor = k_factor
    if nprobe:
        faiss.extract_index_ivf(index).nprobe = nprobe
    faiss_recall = _recall(index.search(xq, 10)[1], truth)
    out = tmp_path / "vectui.index"
    args = ["convert", tmp_path / "flat.index", "--to", factory, "--out", out, "--query-count", 100, "--json"]
    if nprobe:
        args += ["--nprobe", nprobe]
    vectui.json(*args)
    # The k_factor is a search setting FAISS keeps in the file: set it as a user would, in faiss.
    built = faiss.read_index(str(out))
    _refine_of(built).k_factor = k_factor
    faiss.write_index(built, str(out))
    _, v_ids, _ = _search(vectui, out, tmp_path / "xq.npy")
    vectui_recall = _recall(v_ids, truth)
    print(f"{factory}: recall@10 faiss {faiss_recall:.4f}, vectui {vectui_recall:.4f}")
    assert vectui_recall >= faiss_recall - 0.02, f"{factory}: vectui {vectui_recall:.4f} vs faiss {faiss_recall:.4f}"


def test_truncated_and_corrupt_refine_files_fail_with_exit_2(vectui, tmp_path):
    x = _clustered(300, 4, seed=5)
    np.save(tmp_path / "q.npy", x[:2])
    failures = []
    for factory in ("IVF4,SQ8,RFlat", "SQ8,Refine(SQfp16)"):
        index = faiss.index_factory(4, factory)
        index.train(x)
        index.add(x[:40])
        source = tmp_path / "source.index"
        faiss.write_index(index, str(source))
        data = source.read_bytes()
        path = tmp_path / "cut.index"
        for cut in sorted(set(range(0, len(data), 3)) | {len(data) - 4, len(data) - 1}, reverse=True):
            path.write_bytes(data[:cut])
            try:
                check_error_line(vectui.run("info", path), path, kind="format", max_offset=cut)
            except AssertionError as e:
                failures.append(f"{factory} cut at {cut}: {e}")
        # A k_factor below 1 (the last 4 bytes) is refused by name.
        path.write_bytes(data[:-4] + np.float32(0.5).tobytes())
        proc = vectui.run("info", path)
        assert proc.returncode == 2 and "k_factor" in proc.stderr, proc.stderr
    assert not failures, f"{len(failures)} failures:\n" + "\n".join(failures[:20])
