"""Query files in every supported form give the same answers as float32 .npy: float16 and
float64 .npy (converted to float32), .fvecs, and a 1-D .npy (one query)."""

import numpy as np
import pytest

from interop_util import BLAS_QUERIES, SCAN_QUERIES, assert_same_neighbours, build_case, write_fvecs


@pytest.fixture(scope="module")
def case(work_dir):
    return build_case(work_dir / "vector-files", "idmap2", "l2", 37, 3000)


@pytest.fixture(scope="module")
def ip_case(work_dir):
    return build_case(work_dir / "vector-files", "flat", "ip", 128, 3000)


@pytest.mark.parametrize("nq", [SCAN_QUERIES, BLAS_QUERIES], ids=["scan", "blas"])
@pytest.mark.parametrize("which", ["idmap2-l2-d37", "flat-ip-d128"])
def test_query_formats_agree(vectui, tmp_path, case, ip_case, which, nq):
    c = case if which.startswith("idmap2") else ip_case
    xq = np.random.default_rng(nq).standard_normal((nq, c.d)).astype(np.float32)
    # float16 queries: the float32 reference holds the same (exactly representable) values.
    xq16 = xq.astype(np.float16)
    files = {}
    np.save(tmp_path / "f32.npy", xq)
    np.save(tmp_path / "f64.npy", xq.astype(np.float64))
    write_fvecs(tmp_path / "f32.fvecs", xq)
    np.save(tmp_path / "f16.npy", xq16)
    np.save(tmp_path / "f16-as-f32.npy", xq16.astype(np.float32))
    k = 10
    for name in ("f32.npy", "f64.npy", "f32.fvecs", "f16.npy", "f16-as-f32.npy"):
        files[name] = vectui.search(c.index_path, tmp_path / name, k)
    assert files["f64.npy"] == files["f32.npy"]
    assert files["f32.fvecs"] == files["f32.npy"]
    assert files["f16.npy"] == files["f16-as-f32.npy"]
    # And they are faiss's answers.
    for name, x in (("f32.npy", xq), ("f16.npy", xq16.astype(np.float32))):
        D, I = c.index.search(x, k)
        assert_same_neighbours(files[name], D, I, xq=x, xb=c.xb, ids=c.ids, metric=c.metric, label=name)


def test_float64_values_are_rounded_to_float32(vectui, tmp_path, case):
    """float64 queries that are not float32 values are rounded, as faiss's Python API does."""
    xq = np.random.default_rng(5).standard_normal((4, case.d))
    np.save(tmp_path / "f64.npy", xq)
    np.save(tmp_path / "f32.npy", xq.astype(np.float32))
    assert vectui.search(case.index_path, tmp_path / "f64.npy", 5) == vectui.search(case.index_path, tmp_path / "f32.npy", 5)


def test_float16_special_values(vectui, tmp_path, ip_case):
    """Subnormal, negative-zero and large float16 values convert exactly."""
    x16 = np.zeros((2, ip_case.d), dtype=np.float16)
    x16[0, :4] = [np.float16(6e-8), np.float16(-0.0), np.float16(65504), np.float16(-1.5e-5)]
    x16[1] = np.float16(0.25)
    np.save(tmp_path / "f16.npy", x16)
    np.save(tmp_path / "f32.npy", x16.astype(np.float32))
    assert vectui.search(ip_case.index_path, tmp_path / "f16.npy", 5) == vectui.search(ip_case.index_path, tmp_path / "f32.npy", 5)


def test_one_dimensional_npy_is_one_query(vectui, tmp_path, case):
    xq = case.xb[10] + np.float32(0.001)
    np.save(tmp_path / "one.npy", xq)
    np.save(tmp_path / "two.npy", xq[None, :])
    r = vectui.search(case.index_path, tmp_path / "one.npy", 3)
    assert r == vectui.search(case.index_path, tmp_path / "two.npy", 3)
    assert len(r["ids"]) == 1 and r["ids"][0][0] == case.ids[10]


@pytest.mark.parametrize("version", [(1, 0), (2, 0), (3, 0), "reordered-keys"])
def test_npy_header_variants(vectui, tmp_path, case, version):
    """.npy format versions 1-3 and a header dict with its keys in another order (np.load
    accepts all of them) read the same as np.save's default."""
    xq = np.random.default_rng(11).standard_normal((5, case.d)).astype(np.float32)
    np.save(tmp_path / "ref.npy", xq)
    path = tmp_path / "variant.npy"
    if version == "reordered-keys":
        text = "{'shape': (%d, %d), 'fortran_order': False, 'descr': '<f4'}" % xq.shape
        text += " " * (127 - 10 - len(text)) + "\n"
        path.write_bytes(b"\x93NUMPY\x01\x00" + len(text).to_bytes(2, "little") + text.encode() + xq.tobytes())
    else:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, xq, version=version)
    np.testing.assert_array_equal(np.load(path), xq)
    assert vectui.search(case.index_path, path, 4) == vectui.search(case.index_path, tmp_path / "ref.npy", 4)


@pytest.mark.parametrize("fmt", ["f16.npy", "f64.npy", "f32.fvecs"])
@pytest.mark.parametrize("kind", ["flat", "idmap2"])
def test_build_from_other_vector_formats(vectui, tmp_path, fmt, kind):
    """`build` from float16/float64 .npy or .fvecs writes exactly what faiss writes for the
    same vectors converted to float32."""
    import faiss
    from interop_util import new_faiss_index
    d, n = 19, 300
    x = np.random.default_rng(2).standard_normal((n, d))
    x32 = (x.astype(np.float16) if fmt.startswith("f16") else x).astype(np.float32)
    vec = tmp_path / fmt
    if fmt == "f16.npy":
        np.save(vec, x.astype(np.float16))
    elif fmt == "f64.npy":
        np.save(vec, x)
    else:
        write_fvecs(vec, x32)
    index = new_faiss_index(kind, "l2", d)
    args = ["build", "--vectors", vec, "--metric", "l2", "--out", tmp_path / "v.index"]
    if kind == "flat":
        index.add(x32)
    else:
        ids = np.arange(n, dtype=np.int64)[::-1] * 3
        index.add_with_ids(x32, ids)
        np.save(tmp_path / "ids.npy", ids)
        args += ["--ids", tmp_path / "ids.npy", "--idmap2"]
    faiss.write_index(index, str(tmp_path / "f.index"))
    proc = vectui.run(*args)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "v.index").read_bytes() == (tmp_path / "f.index").read_bytes()
