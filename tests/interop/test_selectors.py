"""faiss <-> vectui interop for id selectors (`search --ids`, `--id-range`, `--filter`) and
`search --meta --json`'s items:

- flat (IP and L2, plain and IDMap2; the scan path for 5 queries, BLAS for 40): `--ids FILE`
  gives what faiss gives with `SearchParameters(sel=IDSelectorBatch(ids))`, `--id-range A:B`
  what `IDSelectorRange(A, B)` gives (ties allowed, scores within interop_util's tolerance),
  padded with -1 exactly where faiss pads (fewer than k ids pass);
- IVF-Flat/SQ8/PQ8 with `SearchParametersIVF(sel=…, nprobe=…)` and HNSW with
  `SearchParametersHNSW(sel=…, efSearch=…)`: IVF-Flat the same neighbours, SQ/PQ/HNSW a mean
  top-10 overlap >= 0.99 (boundary ties count), every returned id passing;
- `--filter` over a catalog equals faiss's IDSelectorBatch of the products that match;
  `--meta --json` adds items (title and fields; null for padding; title null for ids the
  catalog lacks); bad filters fail with exit 64 and one error line naming the problem.
"""

import json

import faiss
import numpy as np
import pytest

from interop_util import assert_same_neighbours, assert_scores_agree, check_error_line, make_ids, neighbour_tolerance
from test_quantized import _no_polysemous_training, _overlap_with_ties

D = 24
N = 3000
K = 10


def _metric(name):
    return faiss.METRIC_INNER_PRODUCT if name == "ip" else faiss.METRIC_L2


@pytest.fixture(scope="module")
def data(work_dir):
    folder = work_dir / "selectors"
    folder.mkdir(exist_ok=True)
    rng = np.random.default_rng(77)
    centres = rng.standard_normal((30, D)).astype(np.float32)
    xb = (centres[rng.integers(0, 30, N)] + 0.4 * rng.standard_normal((N, D))).astype(np.float32)
    xq = (centres[rng.integers(0, 30, 40)] + 0.4 * rng.standard_normal((40, D))).astype(np.float32)
    np.save(folder / "xq40.npy", xq)
    np.save(folder / "xq5.npy", xq[:5])
    return folder, xb, xq


def _vectui_search(vectui, index_path, queries, *extra, k=K):
    out = vectui.json("search", index_path, "--queries", queries, "-k", k, "--json", *extra)
    ids = np.array(out["ids"], dtype=np.int64)
    scores = np.array([[np.nan if s is None else s for s in row] for row in out["scores"]], dtype=np.float64)
    return out, ids, scores


def _selections(folder, ids, rng):
    """(vectui arguments, faiss selector, allowed ids) for a batch, a small batch, a range."""
    chosen = rng.choice(ids, size=len(ids) // 4, replace=False)
    np.save(folder / "chosen.npy", chosen.astype(np.int64))
    few = rng.choice(ids, size=4, replace=False)  # fewer than k: padded
    (folder / "few.txt").write_text("\n".join(f"{i}," for i in few) + "\n")
    low, high = np.sort(ids)[len(ids) // 3], np.sort(ids)[len(ids) // 2]
    return [
        (["--ids", folder / "chosen.npy"], faiss.IDSelectorBatch(chosen), set(chosen.tolist())),
        (["--ids", folder / "few.txt"], faiss.IDSelectorBatch(few), set(few.tolist())),
        (["--id-range", f"{low}:{high}"], faiss.IDSelectorRange(int(low), int(high)),
         set(i for i in ids.tolist() if low <= i < high)),
    ]


@pytest.mark.parametrize("kind", ["flat", "idmap2"])
@pytest.mark.parametrize("metric", ["ip", "l2"])
def test_flat_selectors_give_faiss_results(vectui, data, metric, kind):
    folder, xb, xq = data
    flat = faiss.IndexFlatIP(D) if metric == "ip" else faiss.IndexFlatL2(D)
    if kind == "flat":
        index, ids = flat, np.arange(N, dtype=np.int64)
        index.add(xb)
    else:
        index, ids = faiss.IndexIDMap2(flat), make_ids(N, 9)
        index.add_with_ids(xb, ids)
    path = folder / f"{metric}-{kind}.index"
    faiss.write_index(index, str(path))
    rng = np.random.default_rng(5)
    for args, selector, allowed in _selections(folder, ids, rng):
        for nq in (5, 40):
            D0, I0 = index.search(xq[:nq], K, params=faiss.SearchParameters(sel=selector))
            out, v_ids, _ = _vectui_search(vectui, path, folder / f"xq{nq}.npy", *args)
            label = f"{metric}/{kind} {args[0]} nq {nq}"
            assert_same_neighbours(out, D0, I0, xq=xq[:nq], xb=xb, ids=ids, metric=metric, label=label)
            assert set(v_ids[v_ids >= 0].tolist()) <= allowed, label


@pytest.mark.parametrize("factory", ["IVF32,Flat", "IVF32,SQ8", "IVF32,PQ8", "HNSW16"])
@pytest.mark.parametrize("metric", ["ip", "l2"])
def test_ivf_and_hnsw_selectors_give_faiss_results(vectui, data, metric, factory):
    folder, xb, xq = data
    index = faiss.index_factory(D, factory, _metric(metric))
    _no_polysemous_training(index)
    index.train(xb)
    index.add(xb)
    ids = np.arange(N, dtype=np.int64)
    path = folder / f"{metric}-{factory.replace(',', '_')}.index"
    faiss.write_index(index, str(path))
    rng = np.random.default_rng(6)
    for args, selector, allowed in _selections(folder, ids, rng):
        if "HNSW" in factory:
            params, knob = faiss.SearchParametersHNSW(sel=selector, efSearch=48), ["--ef-search", 48]
        else:
            params, knob = faiss.SearchParametersIVF(sel=selector, nprobe=6), ["--nprobe", 6]
        D0, I0 = index.search(xq, K, params=params)
        out, v_ids, v_scores = _vectui_search(vectui, path, folder / "xq40.npy", *args, *knob)
        label = f"{metric}/{factory} {args[0]}"
        assert set(v_ids[v_ids >= 0].tolist()) <= allowed, label
        np.testing.assert_array_equal(v_ids < 0, I0 < 0, err_msg=f"{label}: padding where faiss pads")
        if factory == "IVF32,Flat":
            assert_same_neighbours(out, D0, I0, xq=xq, xb=xb, ids=ids, metric=metric, label=label)
            continue
        tol = lambda I: neighbour_tolerance(I, xq=xq, xb=xb, ids=ids, metric=metric)
        overlap = _overlap_with_ties(v_ids, v_scores, I0, D0, tol, metric)
        assert overlap >= 0.99, f"{label}: top-{K} overlap {overlap:.4f} with faiss"
        assert_scores_agree(v_ids, v_scores, I0, D0, tol(I0), label=label)


@pytest.fixture(scope="module")
def catalog_case(data):
    """An IDMap2 flat index over 64-bit ids and a JSONL catalog of all but the last ten."""
    folder, xb, xq = data
    ids = make_ids(N, 13)
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(D))
    index.add_with_ids(xb, ids)
    path = folder / "catalog.index"
    faiss.write_index(index, str(path))
    sections = ["web", "libs", "contrib/web", "editors", "Web-Apps"]
    rows = []
    for r, i in enumerate(ids[:-10]):
        rows.append({"id": int(i), "title": f"package {r}", "section": sections[r % 5], "price": str(r % 97),
                     "rating": "n/a" if r % 11 == 0 else f"{(r % 50) / 10:.1f}"})
    meta = folder / "catalog.jsonl"
    meta.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return folder, xb, xq, ids, index, path, meta, rows


def test_filter_is_a_batch_of_the_matching_products(vectui, catalog_case):
    folder, xb, xq, ids, index, path, meta, rows = catalog_case
    cases = {
        "section:web price<50": lambda r: "web" in r["section"].lower() and int(r["price"]) < 50,
        "rating>=4": lambda r: r["rating"] != "n/a" and float(r["rating"]) >= 4,
        'section="contrib/web" price>=90': lambda r: r["section"] == "contrib/web" and int(r["price"]) >= 90,
    }
    for expression, passes in cases.items():
        chosen = np.array([r["id"] for r in rows if passes(r)], dtype=np.int64)
        D0, I0 = index.search(xq, K, params=faiss.SearchParameters(sel=faiss.IDSelectorBatch(chosen)))
        out, v_ids, _ = _vectui_search(vectui, path, folder / "xq40.npy", "--meta", meta, "--filter", expression)
        assert_same_neighbours(out, D0, I0, xq=xq, xb=xb, ids=ids, metric="ip", label=expression)
        by_id = {r["id"]: r for r in rows}
        for id_row, item_row in zip(out["ids"], out["items"]):
            for i, item in zip(id_row, item_row):
                if i == -1:
                    assert item is None
                    continue
                row = by_id[i]
                assert item == {"id": i, "title": row["title"],
                                "fields": {"section": row["section"], "price": row["price"], "rating": row["rating"]}}
                assert passes(row), f"{expression}: {row}"


def test_items_for_ids_the_catalog_lacks_and_padding(vectui, catalog_case):
    folder, xb, xq, ids, index, path, meta, rows = catalog_case
    missing = ids[-10:]
    np.save(folder / "missing.npy", missing)
    out = vectui.json("search", path, "--queries", folder / "xq5.npy", "-k", 12, "--json", "--meta", meta,
                      "--ids", folder / "missing.npy")
    for id_row, item_row in zip(out["ids"], out["items"]):
        assert sorted(id_row[:10]) == sorted(missing.tolist()) and id_row[10:] == [-1, -1]
        assert [item["id"] for item in item_row[:10]] == id_row[:10]
        assert all(item["title"] is None and item["fields"] == {} for item in item_row[:10])
        assert item_row[10:] == [None, None]
    # --ids and --filter intersect: no product both matches and lacks a catalog entry.
    out = vectui.json("search", path, "--queries", folder / "xq5.npy", "-k", 3, "--json", "--meta", meta,
                      "--ids", folder / "missing.npy", "--filter", "price>=0")
    assert out["ids"] == [[-1, -1, -1]] * 5


def test_bad_filters_fail_with_usage_errors(vectui, catalog_case):
    folder, xb, xq, ids, index, path, meta, rows = catalog_case
    queries = folder / "xq5.npy"
    cases = [
        (["--meta", meta, "--filter", "colour:red"],
         "the catalog has no field 'colour'; its fields are title, section, price, rating, id"),
        (["--meta", meta, "--filter", "price<cheap"], "'cheap' is not a number"),
        (["--meta", meta, "--filter", 'section:"web'], "a quote is not closed"),
        (["--meta", meta, "--filter", "section:web nginx"], "'nginx' is none"),
        (["--filter", "section:web"], "--filter needs a catalog: give --meta FILE"),
        (["--id-range", "9:x"], "--id-range takes A:B"),
    ]
    for extra, message in cases:
        proc = vectui.run("search", path, "--queries", queries, "-k", 3, *extra)
        named = meta if "--meta" in extra else extra[0]
        line = check_error_line(proc, named, kind="any", code=64)
        assert message in line, line
    proc = vectui.run("search", path, "--queries", queries, "--ids", folder / "nope.txt")
    check_error_line(proc, folder / "nope.txt", kind="any", code=2)
