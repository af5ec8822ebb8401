"""Indexes on OpenCL devices (PoCL on the CPU in CI) against faiss-cpu: search results, saves
from device placements read by faiss, the planner (Search-R1's case), inventory and refusals."""

import json
import os
import subprocess

import faiss
import numpy as np
import pytest

from interop_util import assert_same_neighbours

TWO_DEVICES = {**os.environ, "POCL_DEVICES": "pthread pthread"}


def run(vectui, *args, env=None):
    return subprocess.run([vectui.binary, *map(str, args)], capture_output=True, text=True, timeout=300, env=env)


def search_json(vectui, *args, env=None):
    proc = run(vectui, "search", *args, "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    return np.array(out["ids"]), np.array([[np.nan if s is None else s for s in row] for row in out["scores"]])


@pytest.fixture(scope="module")
def data(work_dir):
    rng = np.random.default_rng(11)
    out = {}
    for metric in ("ip", "l2"):
        for d in (37, 128):
            x = rng.standard_normal((6000, d), dtype=np.float32)
            q = rng.standard_normal((12, d), dtype=np.float32)
            ids = rng.choice(10**12, size=6000, replace=False).astype(np.int64)
            inner = faiss.IndexFlatIP(d) if metric == "ip" else faiss.IndexFlatL2(d)
            index = faiss.IndexIDMap2(inner)
            index.add_with_ids(x, ids)
            path = work_dir / f"dev_{metric}_{d}.index"
            faiss.write_index(index, str(path))
            np.save(work_dir / f"dev_q_{metric}_{d}.npy", q)
            out[(metric, d)] = (path, work_dir / f"dev_q_{metric}_{d}.npy", index, q)
    return out


@pytest.mark.parametrize("metric", ["ip", "l2"])
@pytest.mark.parametrize("d", [37, 128])
@pytest.mark.parametrize("placement", [
    ("--device", "cl0"),
    ("--device", "cl0", "--temp-memory", "64KiB"),  # many tiles
    ("--device", "all", "--shard"),
    ("--device", "all", "--replicate"),
])
def test_device_search_matches_faiss(vectui, data, metric, d, placement):
    path, queries, index, q = data[(metric, d)]
    D, I = index.search(q, 10)
    xb = faiss.vector_to_array(faiss.downcast_index(index.index).codes).view(np.float32).reshape(-1, d)
    stored_ids = faiss.vector_to_array(index.id_map)
    for env in (None, TWO_DEVICES):
        ids, scores = search_json(vectui, path, "--queries", queries, "-k", 10, *placement, env=env)
        result = {"ids": ids.tolist(), "scores": scores.tolist()}
        assert_same_neighbours(result, D, I, xq=q, xb=xb, ids=stored_ids, metric=metric, label=" ".join(placement))


@pytest.mark.parametrize("metric", ["ip", "l2"])
def test_fp16_recall(vectui, data, metric):
    path, queries, index, q = data[(metric, 128)]
    D, I = index.search(q, 10)
    ids, _ = search_json(vectui, path, "--queries", queries, "-k", 10, "--device", "all", "--fp16", env=TWO_DEVICES)
    recall = np.mean([len(set(ids[i]) & set(I[i])) / 10 for i in range(len(q))])
    assert recall >= 0.99


@pytest.mark.parametrize("placement", [("--device", "cl0"), ("--device", "all", "--shard"), ("--device", "cl0", "--fp16")])
def test_saved_from_devices_is_read_by_faiss(vectui, data, work_dir, placement):
    path, queries, index, q = data[("l2", 37)]
    out = work_dir / f"saved_{'_'.join(p.strip('-') for p in placement)}.index"
    proc = run(vectui, "save", path, *placement, "--out", out, env=TWO_DEVICES)
    assert proc.returncode == 0, proc.stderr
    back = faiss.read_index(str(out))
    assert isinstance(back, faiss.IndexIDMap2) and back.ntotal == index.ntotal
    D, I = index.search(q, 10)
    D2, I2 = back.search(q, 10)
    if "--fp16" in placement:
        x = faiss.vector_to_array(faiss.downcast_index(index.index).codes).view(np.float32)
        x16 = x.astype(np.float16).astype(np.float32)
        assert np.array_equal(faiss.vector_to_array(faiss.downcast_index(back.index).codes).view(np.float32), x16)
    else:
        assert out.read_bytes() == path.read_bytes(), "fp32 device saves are byte-identical to the original"
        np.testing.assert_array_equal(I2, I)


def test_search_r1_plan_without_reading_vectors(vectui, work_dir):
    """Search-R1's wiki-18 index: 21,015,324 x 768 IndexFlatIP, a 64.6 GB file (sparse here)."""
    n, d = 21_015_324, 768
    path = work_dir / "search_r1.index"
    header = b"IxFI" + np.int32(d).tobytes() + np.int64(n).tobytes() + np.int64(1 << 20).tobytes() * 2 \
        + b"\x01" + np.int32(0).tobytes() + np.uint64(n * d).tobytes()
    with open(path, "wb") as f:
        f.write(header)
        f.truncate(len(header) + n * d * 4)
    try:
        proc = run(vectui, "plan", path, "--assume-gpu", "80GiB", "--json")
        assert proc.returncode == 0, proc.stderr
        plan = json.loads(proc.stdout)
        assert plan["index"]["fp32_bytes"] == 64_559_075_328
        options = {(o["precision"], o["layout"]): o for o in plan["options"]}
        fp16 = options[("fp16", "single")]
        assert fp16["resident_bytes_per_device"] == [32_279_537_664]
        assert fp16["peak_bytes_per_device"] == [32_279_537_664 + (64 << 20) + (1 << 30)]
        assert fp16["fits"]
        assert options[("fp32", "single")]["fits"]  # chunked upload: 60.1 GiB + chunk + scratch < 80 GiB
        assert plan["faiss_fp16_copy_peak_bytes"] == 64_559_075_328 + 32_279_537_664  # FAISS's 96.8 GB

        two = json.loads(run(vectui, "plan", path, "--assume-gpu", "40GiB", "--assume-gpu", "40GiB", "--json").stdout)
        sharded = [o for o in two["options"] if o["precision"] == "fp32" and o["layout"] == "shard"][0]
        assert sharded["fits"] and sharded["rows_per_device"] == [10_507_662, 10_507_662]
        alone = [o for o in two["options"] if o["precision"] == "fp32" and o["layout"] == "single"][0]
        assert not alone["fits"]

        text = run(vectui, "plan", path, "--assume-gpu", "40GiB")
        assert "would need 61.2 GiB at peak" in text.stdout and "fp16 on assumed0" in text.stdout, text.stdout
        assert "SQ8" in text.stdout and "IVF32768,PQ64" in text.stdout
    finally:
        path.unlink()


def test_devices_inventory(vectui):
    one = json.loads(run(vectui, "devices", "--json").stdout)
    names = [dev["name"] for dev in one["devices"]]
    assert names[0] == "cpu" and "cl0" in names
    two = json.loads(run(vectui, "devices", "--json", env=TWO_DEVICES).stdout)
    assert [dev["name"] for dev in two["devices"]][:3] == ["cpu", "cl0", "cl1"]
    for dev in two["devices"]:
        assert dev["memory_bytes"] > 0 and dev["max_allocation_bytes"] > 0
    none = run(vectui, "devices", "--json", env={**os.environ, "OCL_ICD_VENDORS": "/nonexistent-vendors"})
    assert none.returncode == 0
    listed = json.loads(none.stdout)
    assert [dev["name"] for dev in listed["devices"]] == ["cpu"] and "no OpenCL" in listed["note"]


def test_too_big_is_refused_with_numbers_and_options(vectui, data):
    path, queries, _, _ = data[("ip", 128)]
    proc = run(vectui, "search", path, "--queries", queries, "--device", "cl0", "--device-memory", "cl0=4MiB")
    assert proc.returncode == 3  # a device error
    line = proc.stderr.strip()
    assert "cannot place IndexIDMap2 6000 × 128 as fp32 on cl0" in line, line
    assert "may use 4.0 MiB" in line and "fp16 on cl0 (peak" in line, line
    unknown = run(vectui, "search", path, "--queries", queries, "--device", "gpu9")
    assert unknown.returncode == 3 and "no device named 'gpu9'" in unknown.stderr


def _cpu_simd_level():
    """The SIMD level /proc/cpuinfo's flags allow: what vectui must pick by itself."""
    flags = set()
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                break
    if {"avx512f", "avx512bw", "avx512dq", "avx512vl"} <= flags:
        return "avx512"
    return "avx2" if {"avx2", "fma"} <= flags else "portable"


def _own_choice_env(**env):
    """This environment without the variables that steer vectui's choice of kernels, plus `env`."""
    base = {k: v for k, v in os.environ.items() if k not in ("VECTUI_SIMD", "OPENBLAS_CORETYPE")}
    return {**base, **env}


def _cpu_report(vectui, **env):
    proc = run(vectui, "devices", "--json", env=_own_choice_env(**env))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)["cpu"]


def test_devices_names_the_simd_level_and_the_blas_kernels(vectui):
    level = _cpu_simd_level()
    cpu = _cpu_report(vectui)
    assert cpu["simd"] == cpu["simd_supported"] == level
    blas = cpu["blas"]
    assert blas["config"].startswith("OpenBLAS") and blas["core"] not in ("", "unknown")
    # The BLAS runs kernels of the same level: its own choice, or vectui's when it chose worse.
    assert blas["core_simd"] == level and blas["chosen_by"] in ("OpenBLAS", "vectui")
    assert (blas["replaced_core"] is None) == (blas["chosen_by"] == "OpenBLAS")
    text = run(vectui, "devices", env=_own_choice_env()).stdout
    assert f"cpu: SIMD {level}" in text and f"kernels {blas['core']}" in text
    # VECTUI_SIMD lowers the level, and the BLAS follows; it never raises it past the CPU.
    for lower in [name for name in ("avx2", "portable") if name != level and level != "portable"]:
        forced = _cpu_report(vectui, VECTUI_SIMD=lower)
        assert forced["simd"] == lower and forced["simd_supported"] == level
        assert forced["blas"]["core_simd"] == lower and forced["blas"]["chosen_by"] == "vectui"
        assert forced["blas"]["replaced_core"] == blas["core"]
    assert _cpu_report(vectui, VECTUI_SIMD="avx512")["simd"] == level
    # A core the user names is kept as it is.
    if level != "portable":
        user = _cpu_report(vectui, OPENBLAS_CORETYPE="Haswell")["blas"]
        assert user["core"] == "Haswell" and user["chosen_by"] == "OPENBLAS_CORETYPE"
