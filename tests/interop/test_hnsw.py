"""faiss <-> vectui interop for IndexHNSWFlat (`IHNf`), IP and L2, alone and inside IDMap/IDMap2:

- faiss writes, vectui searches with the same efSearch: top-10 overlap with faiss's own
  results >= 0.99 on float data (the fraction of identical rows is printed), and on
  integer-valued data, where every distance is exact, ids and scores equal faiss's exactly;
- `vectui save` of faiss's files is byte-identical;
- vectui builds (`vectui convert FLAT --to HNSW32`): on integer data the file is byte-identical
  to faiss's own build; faiss reads vectui's files and returns what vectui returns; on
  clustered data of 100,000 vectors vectui's recall@10 is within 0.02 of faiss's build;
- `info --json` reports the graph; `--ef-search` and device placement are refused where
  they do not apply; truncated and corrupt HNSW files fail with exit 2 and 'at byte N'.
"""

import json
import os
import shutil
import struct

import faiss
import numpy as np
import pytest

from interop_util import assert_scores_agree, check_error_line, make_ids, neighbour_tolerance

D = 24
N = 4000


def _search(vectui, index_path, queries_path, k, ef=None):
    args = ["search", index_path, "--queries", queries_path, "-k", k, "--json"]
    if ef is not None:
        args += ["--ef-search", ef]
    out = vectui.json(*args)
    return np.array(out["ids"], dtype=np.int64), np.array([[np.nan if s is None else s for s in row] for row in out["scores"]])


def _overlap(a, b):
    return float(np.mean([len(set(x[x >= 0]) & set(y[y >= 0])) / max(1, len(y[y >= 0])) for x, y in zip(a, b)]))


def _integer_data(n, d, seed):
    return np.random.default_rng(seed).integers(-4, 5, (n, d)).astype(np.float32)


def _new_hnsw(metric, d, m=16):
    return faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT if metric == "ip" else faiss.METRIC_L2)


def _wrap(kind, index):
    if kind == "plain":
        return index
    return faiss.IndexIDMap(index) if kind == "idmap" else faiss.IndexIDMap2(index)


@pytest.fixture(scope="module")
def float_cases(work_dir):
    """faiss-built HNSW files over normal data (with exact duplicates), for each metric and wrapper."""
    folder = work_dir / "hnsw-float"
    folder.mkdir(exist_ok=True)
    rng = np.random.default_rng(2024)
    xb = rng.standard_normal((N, D)).astype(np.float32)
    xb[7] = xb[3]
    xb[9] = xb[3]
    xq = rng.standard_normal((300, D)).astype(np.float32)
    xq[0] = xb[3]
    queries = folder / "queries.npy"
    np.save(queries, xq)
    ids = make_ids(N, 5)
    cases = {}
    for metric in ("ip", "l2"):
        for kind in ("plain", "idmap", "idmap2"):
            hnsw = _new_hnsw(metric, D)
            index = _wrap(kind, hnsw)
            if kind == "plain":
                index.add(xb)
            else:
                index.add_with_ids(xb, ids)
            path = folder / f"{metric}-{kind}.index"
            faiss.write_index(index, str(path))
            cases[(metric, kind)] = (index, hnsw, path)
    return dict(xb=xb, xq=xq, queries=queries, ids=ids, cases=cases, folder=folder)


@pytest.mark.parametrize("kind", ["plain", "idmap", "idmap2"])
@pytest.mark.parametrize("metric", ["ip", "l2"])
def test_vectui_searches_faiss_graphs_like_faiss(vectui, float_cases, metric, kind):
    index, hnsw, path = float_cases["cases"][(metric, kind)]
    xq, queries = float_cases["xq"], float_cases["queries"]
    stored_ids = np.arange(N) if kind == "plain" else float_cases["ids"]
    report = []
    for ef, k in ((16, 10), (40, 10), (8, 20)):
        hnsw.hnsw.efSearch = ef
        D_, I = index.search(xq, k)
        ids, scores = _search(vectui, path, queries, k, ef=ef)
        overlap = _overlap(ids, I)
        same_rows = float(np.mean((ids == I).all(axis=1)))
        report.append(f"efSearch {ef}, k {k}: overlap {overlap:.4f}, identical rows {same_rows:.4f}")
        assert overlap >= 0.99, f"{metric}/{kind} efSearch {ef}: mean top-{k} overlap {overlap:.4f}"
        # Scores of the ids both return agree (vectui's kernels are not faiss's, so not bit for bit).
        tol = neighbour_tolerance(I, xq=xq, xb=float_cases["xb"], ids=stored_ids, metric=metric)
        assert_scores_agree(ids, scores, I, D_, tol, label=f"{metric}/{kind} efSearch {ef}")
    print(f"\n{metric}/{kind}: " + "; ".join(report))
    # Without --ef-search, the efSearch stored in the file (faiss's default 16) is used.
    hnsw.hnsw.efSearch = 16
    _, I = index.search(xq, 10)
    assert _overlap(_search(vectui, path, queries, 10)[0], I) >= 0.99


@pytest.mark.parametrize("metric", ["ip", "l2"])
def test_exact_arithmetic_gives_faiss_results_exactly(vectui, work_dir, metric):
    """Integer-valued vectors: all distances exact, so every id, score and tie order is faiss's."""
    folder = work_dir / "hnsw-int"
    folder.mkdir(exist_ok=True)
    xb = _integer_data(3000, 8, 1)
    xq = _integer_data(200, 8, 2)
    queries = folder / f"queries-{metric}.npy"
    np.save(queries, xq)
    index = _new_hnsw(metric, 8, m=12)
    index.add(xb)
    path = folder / f"{metric}.index"
    faiss.write_index(index, str(path))
    for ef, k in ((16, 10), (64, 10), (4, 30)):
        index.hnsw.efSearch = ef
        D_, I = index.search(xq, k)
        ids, scores = _search(vectui, path, queries, k, ef=ef)
        np.testing.assert_array_equal(ids, I, err_msg=f"efSearch {ef}, k {k}")
        valid = I >= 0
        np.testing.assert_array_equal(scores[valid], D_[valid])


def test_k_above_ntotal_pads_like_faiss(vectui, work_dir):
    folder = work_dir / "hnsw-small"
    folder.mkdir(exist_ok=True)
    xb = np.random.default_rng(3).standard_normal((6, 5)).astype(np.float32)
    queries = folder / "q.npy"
    np.save(queries, xb[:2])
    for metric in ("ip", "l2"):
        index = _new_hnsw(metric, 5, m=4)
        index.add(xb)
        path = folder / f"{metric}.index"
        faiss.write_index(index, str(path))
        D_, I = index.search(xb[:2], 9)
        out = vectui.json("search", path, "--queries", queries, "-k", 9, "--json")
        assert out["ids"] == I.tolist()
        assert all(s is None for row in out["scores"] for s in row[6:])


@pytest.mark.parametrize("kind", ["plain", "idmap", "idmap2"])
@pytest.mark.parametrize("metric", ["ip", "l2"])
def test_save_is_byte_identical(vectui, float_cases, metric, kind):
    _, _, path = float_cases["cases"][(metric, kind)]
    out = float_cases["folder"] / f"saved-{metric}-{kind}.index"
    proc = vectui.run("save", path, "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == path.read_bytes()


def test_save_of_an_empty_index_is_byte_identical(vectui, work_dir):
    path = work_dir / "hnsw-empty.index"
    faiss.write_index(faiss.IndexHNSWFlat(8, 32), str(path))
    out = work_dir / "hnsw-empty-saved.index"
    assert vectui.run("save", path, "--out", out).returncode == 0
    assert out.read_bytes() == path.read_bytes()
    assert len(out.read_bytes()) == 226


@pytest.mark.parametrize("metric", ["ip", "l2"])
def test_vectui_build_is_faiss_build_on_exact_data(vectui, work_dir, metric):
    """convert adds up to 65,536 vectors in one go, as faiss's add(): with exact distances the
    graph is faiss's byte for byte (level generator, insertion order, neighbour selection)."""
    folder = work_dir / "hnsw-build"
    folder.mkdir(exist_ok=True)
    xb = _integer_data(5000, 8, 4)
    flat = faiss.IndexFlatIP(8) if metric == "ip" else faiss.IndexFlatL2(8)
    flat.add(xb)
    flat_path = folder / f"flat-{metric}.index"
    faiss.write_index(flat, str(flat_path))
    out = folder / f"vectui-{metric}.index"
    proc = vectui.run("convert", flat_path, "--to", "HNSW32", "--out", out, "--query-count", 0, "--json")
    assert proc.returncode == 0, proc.stderr
    reference = _new_hnsw(metric, 8, m=32)
    reference.add(xb)
    ref_path = folder / f"faiss-{metric}.index"
    faiss.write_index(reference, str(ref_path))
    assert out.read_bytes() == ref_path.read_bytes()


@pytest.fixture(scope="module")
def clustered(work_dir):
    """100,000 clustered vectors (d = 32), held-out queries and their exact top 10."""
    folder = work_dir / "hnsw-clustered"
    folder.mkdir(exist_ok=True)
    rng = np.random.default_rng(77)
    n, d, clusters = 100_000, 32, 1000
    centres = (rng.standard_normal((clusters, d)) * 0.7).astype(np.float32)
    xb = centres[rng.integers(0, clusters, n)] + rng.standard_normal((n, d), dtype=np.float32)
    xq = centres[rng.integers(0, clusters, 1000)] + rng.standard_normal((1000, d), dtype=np.float32)
    flat = faiss.IndexFlatL2(d)
    flat.add(xb)
    _, truth = flat.search(xq, 10)
    flat_path = folder / "flat.index"
    faiss.write_index(flat, str(flat_path))
    queries = folder / "queries.npy"
    np.save(queries, xq)
    return dict(xb=xb, xq=xq, truth=truth, flat_path=flat_path, queries=queries, folder=folder)


def test_vectui_build_recall_matches_faiss_and_faiss_reads_it(vectui, clustered):
    folder = clustered["folder"]
    out = folder / "vectui-hnsw32.index"
    proc = vectui.run("convert", clustered["flat_path"], "--to", "HNSW32", "--out", out, "--query-count", 0, "--json",
                      timeout=300)
    assert proc.returncode == 0, proc.stderr
    theirs = faiss.IndexHNSWFlat(32, 32)
    theirs.add(clustered["xb"])
    mine = faiss.read_index(str(out))  # faiss's own validation accepts vectui's graph
    assert type(faiss.downcast_index(mine)).__name__ == "IndexHNSWFlat"
    assert mine.ntotal == 100_000 and mine.d == 32
    xq, truth = clustered["xq"], clustered["truth"]
    lines = []
    for ef in (16, 64):
        theirs.hnsw.efSearch = ef
        faiss.downcast_index(mine).hnsw.efSearch = ef
        _, faiss_ids = theirs.search(xq, 10)
        _, faiss_on_ours = mine.search(xq, 10)
        ours, _ = _search(vectui, out, clustered["queries"], 10, ef=ef)
        r_faiss, r_ours = _overlap(faiss_ids, truth), _overlap(ours, truth)
        lines.append(f"efSearch {ef}: recall@10 faiss build {r_faiss:.4f}, vectui build {r_ours:.4f}")
        assert r_ours >= r_faiss - 0.02, lines[-1]
        # faiss searching vectui's file returns what vectui returns.
        assert _overlap(faiss_on_ours, ours) >= 0.99
    print("\n" + "; ".join(lines))


def test_info_describes_the_graph(vectui, float_cases):
    index, hnsw, path = float_cases["cases"][("l2", "plain")]
    info = vectui.info(path)
    assert info["type"] == "IndexHNSWFlat" and info["fourcc"] == "IHNf"
    assert info["ntotal"] == N and info["d"] == D and info["metric"] == "l2"
    s = info["structure"]
    levels = faiss.vector_to_array(hnsw.hnsw.levels)
    assert s["M"] == 16
    assert s["efSearch"] == 16 and s["efConstruction"] == 40
    assert s["max_level"] == hnsw.hnsw.max_level
    assert s["entry_point"] == hnsw.hnsw.entry_point
    assert s["nodes_per_layer"] == [int((levels > layer).sum()) for layer in range(hnsw.hnsw.max_level + 1)]
    components = {m["component"]: m for m in info["memory"]}
    assert components["links"]["memory_mapped"] is False   # copied out and validated: search trusts them
    wrapped = vectui.info(float_cases["cases"][("ip", "idmap2")][2])
    assert wrapped["type"] == "IndexIDMap2" and wrapped["inner"]["fourcc"] == "IHNf"
    assert wrapped["structure"]["M"] == 16


def test_options_that_do_not_apply_are_refused(vectui, float_cases, work_dir):
    _, _, path = float_cases["cases"][("l2", "plain")]
    queries = float_cases["queries"]
    flat = work_dir / "flat-for-ef.index"
    f = faiss.IndexFlatL2(D)
    f.add(float_cases["xb"][:10])
    faiss.write_index(f, str(flat))
    proc = vectui.run("search", flat, "--queries", queries, "--ef-search", 32)
    line = check_error_line(proc, "--ef-search", kind="any", code=64)  # a usage error
    assert "HNSW" in line
    proc = vectui.run("search", path, "--queries", queries, "--ef-search", 0)
    check_error_line(proc, "--ef-search", kind="any", code=64)
    proc = vectui.run("bench", path, "--queries", queries, "--ef-search", 12, "--runs", 1, "--single-queries", 2, "--json")
    assert proc.returncode == 0, proc.stderr
    proc = vectui.run("search", path, "--queries", queries, "--device", "cl0")
    line = check_error_line(proc, "IndexHNSWFlat", kind="any", code=3)  # a device error
    assert "cannot be placed" in line


# --- damaged files --------------------------------------------------------------------------

def _layout(data):
    """Offsets of the HNSW record's vectors (count fields) in an IHNf file."""
    at = 37
    out = {}
    for name, size in (("probas", 8), ("cum", 4), ("levels", 4), ("offsets", 8), ("neighbors", 4)):
        out[name] = at
        count = struct.unpack_from("<Q", data, at)[0]
        at += 8 + size * count
    out["entry_point"] = at
    out["max_level"] = at + 4
    out["storage"] = at + 20
    return out


@pytest.fixture(scope="module")
def small_hnsw(work_dir):
    xb = np.random.default_rng(8).standard_normal((150, 4)).astype(np.float32)
    index = faiss.IndexHNSWFlat(4, 4)
    index.add(xb)
    assert index.hnsw.max_level >= 1
    path = work_dir / "hnsw-small-l2.index"
    faiss.write_index(index, str(path))
    queries = work_dir / "hnsw-small-q.npy"
    np.save(queries, xb[:3])
    return path, queries


def test_truncated_files_fail_with_the_byte(vectui, small_hnsw, work_dir):
    path, queries = small_hnsw
    data = path.read_bytes()
    lay = _layout(data)
    cuts = set(range(0, 48)) | set(range(len(data) - 12, len(data)))
    for field in lay.values():
        cuts |= {field - 1, field, field + 3, field + 8, field + 9}
    cuts |= set(range(0, len(data), max(1, len(data) // 60)))
    cut_path = work_dir / "hnsw-cut.index"
    shutil.copyfile(path, cut_path)
    failures = []
    for cut in sorted((c for c in cuts if 0 <= c < len(data)), reverse=True):
        os.truncate(cut_path, cut)
        for args in (("info", cut_path), ("search", cut_path, "--queries", queries, "-k", 3, "--json")):
            try:
                check_error_line(vectui.run(*args), cut_path, kind="format", max_offset=cut)
            except AssertionError as e:
                failures.append(f"cut at {cut}, {args[0]}: {e}")
    assert not failures, "\n".join(failures[:10])


def test_corrupt_fields_fail_with_the_byte(vectui, small_hnsw, work_dir):
    path, queries = small_hnsw
    good = path.read_bytes()
    lay = _layout(good)
    ntotal = struct.unpack_from("<q", good, 8)[0]
    cases = {
        "cum[0]": (lay["cum"] + 8, struct.pack("<i", 5)),
        "levels count": (lay["levels"], struct.pack("<Q", ntotal - 1)),
        "a level of 0": (lay["levels"] + 8 + 4 * 10, struct.pack("<i", 0)),
        "offsets count": (lay["offsets"], struct.pack("<Q", ntotal)),
        "an offset": (lay["offsets"] + 8 + 8 * 3, struct.pack("<Q", 1)),
        "a neighbour id": (lay["neighbors"] + 8 + 4 * 2, struct.pack("<i", ntotal)),
        "a neighbour id below -1": (lay["neighbors"] + 8, struct.pack("<i", -7)),
        "entry point": (lay["entry_point"], struct.pack("<i", ntotal + 3)),
        "max level": (lay["max_level"], struct.pack("<i", 99)),
        "a huge count": (lay["neighbors"], struct.pack("<Q", 1 << 62)),
    }
    bad_path = work_dir / "hnsw-corrupt.index"
    for name, (offset, patch) in cases.items():
        data = bytearray(good)
        data[offset:offset + len(patch)] = patch
        bad_path.write_bytes(bytes(data))
        for args in (("info", bad_path), ("search", bad_path, "--queries", queries, "-k", 3)):
            check_error_line(vectui.run(*args), bad_path, kind="format", offset=offset)
        with pytest.raises(RuntimeError):  # faiss >= 1.14 refuses these files too
            faiss.read_index(str(bad_path))
    # The storage record written as 'null' (IO_FLAG_SKIP_STORAGE): known, not supported.
    bad_path.write_bytes(good[:lay["storage"]] + b"null")
    check_error_line(vectui.run("info", bad_path), bad_path, kind="unsupported", offset=lay["storage"])
