"""Opening a ~1 GiB flat index is constant-time: the vectors are memory-mapped, not read."""

import json
import os

from interop_util import check_error_line, flat_file_bytes


def test_open_1gib_flat_index_without_reading_it(vectui, tmp_path):
    d, n = 256, 1 << 20                   # 1 GiB of float32 data
    path = tmp_path / "big.index"
    header = flat_file_bytes(b"IxF2", d, n, metric=1)
    size = len(header) + n * d * 4
    try:
        with open(path, "wb") as f:
            f.write(header)
            f.truncate(size)              # sparse: nothing of the data is written or cached
        assert path.stat().st_size == size > 1 << 30
        m = vectui.run_measured("info", path, "--json")
        assert m.returncode == 0, m.stderr
        info = json.loads(m.stdout)
        assert info["type"] == "IndexFlatL2" and info["d"] == d and info["ntotal"] == n
        assert info["file_bytes"] == size
        assert m.seconds < 1.0, f"info took {m.seconds:.2f} s"
        resident = info["process_resident"]["file_backed_bytes"]
        assert resident < 100 << 20, f"{resident >> 20} MiB of file pages resident: the data was read"
        assert info["vectors_resident_bytes"] < 100 << 20
        assert m.max_rss_bytes < 100 << 20, f"peak RSS {m.max_rss_bytes >> 20} MiB"
        # One byte short of the full size is refused just as fast.
        os.truncate(path, size - 1)
        m = vectui.run_measured("info", path)
        check_error_line(m, path, kind="format", offset=37)
        assert m.seconds < 1.0
    finally:
        path.unlink(missing_ok=True)
