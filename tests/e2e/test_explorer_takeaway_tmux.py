"""End-to-end tests of results you can take away and settings that stay: the real vectui binary
in tmux (the helpers and fixtures of test_explorer_tmux.py). `y`/`Y` send OSC 52, which tmux
stores as a paste buffer when `set-clipboard on` (`tmux show-buffer` reads back what was
copied); `:export` files are read with csv/json and their neighbours checked against faiss-cpu;
config.toml keeps k and the theme and lists recent indexes, which `vectui open` offers to pick.

Run:  VECTUI_BIN=.build/release/vectui python3 -m pytest -q tests/e2e/test_explorer_takeaway_tmux.py
"""

from __future__ import annotations

import csv
import json
import os
import pathlib
import subprocess

import faiss
import numpy as np

from test_explorer_tmux import (  # noqa: F401 (fixtures are found by name)
    PRODUCTS, Pane, assert_exited_cleanly, demo, env, first_product_id, panes, vectui_bin, wait_neighbours, work)


def clipboard(pane: Pane) -> str:
    """The newest tmux paste buffer: what the last OSC 52 put on the clipboard."""
    return pane.tmux("show-buffer")


def faiss_neighbours(index_path: pathlib.Path, query_id: int, k: int) -> tuple[list[int], list[float]]:
    """faiss-cpu's k nearest neighbours of the vector with id `query_id`, the query left out."""
    index = faiss.read_index(str(index_path))
    ids = faiss.vector_to_array(index.id_map)
    row = int(np.nonzero(ids == query_id)[0][0])
    vector = faiss.downcast_index(index.index).reconstruct(row).reshape(1, -1)
    scores, found = index.search(vector, k + 1)
    pairs = [(int(i), float(s)) for i, s in zip(found[0], scores[0]) if i != query_id][:k]
    return [i for i, _ in pairs], [s for _, s in pairs]


def test_copy_and_export_the_similar_results(vectui_bin, env, demo, work, panes, tmp_path):
    env = {**env, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    index = demo / "products.index"
    pane = panes([vectui_bin, "open", str(index), "--meta", str(demo / "products.jsonl")], env, width=160, height=45)
    pane.tmux("set", "-g", "set-clipboard", "on")
    screen = pane.wait_for(f"{PRODUCTS:,} of {PRODUCTS:,}")
    query = first_product_id(screen)

    # y: the selected product's id, whole.
    pane.keys("y")
    pane.wait_for(f"Copied id {query}")
    assert clipboard(pane) == str(query)

    # Y: the similar results as TSV, header first, the same ids as on screen and as faiss finds.
    pane.keys("Enter")
    _, shown = wait_neighbours(pane, 10)
    expected_ids, expected_scores = faiss_neighbours(index, query, 10)
    assert shown == expected_ids
    pane.keys("Y")
    pane.wait_for("Copied 10 results as TSV (")
    lines = clipboard(pane).split("\n")
    assert lines[-1] == "" and len(lines) == 12, lines
    header = lines[0].split("\t")
    assert header[:4] == ["rank", "id", "score", "title"] and "price" in header and "brand" in header
    rows = [line.split("\t") for line in lines[1:-1]]
    assert [int(row[1]) for row in rows] == shown
    assert [int(row[0]) for row in rows] == list(range(1, 11))
    assert np.allclose([float(row[2]) for row in rows], expected_scores, rtol=0, atol=1e-5)

    # :export FILE.csv, then again: the file exists and needs :export!.
    out = tmp_path / "similar.csv"
    pane.keys(":")
    pane.type(f"export {out}")
    pane.keys("Enter")
    pane.wait_for("Exported 10 results to")
    with out.open(newline="", encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    assert out.read_bytes().count(b"\r\n") == 11, "RFC 4180 line endings"
    assert [int(r["id"]) for r in records] == shown
    assert {r["query_id"] for r in records} == {str(query)} and {r["query_text"] for r in records} == {""}
    catalog = {(item := json.loads(line))["id"]: item for line in (demo / "products.jsonl").read_text().splitlines() if line}
    for record in records:
        product = catalog[int(record["id"])]
        assert record["title"] == product["title"] and record["brand"] == product["brand"]
        assert float(record["price"]) == product["price"]
    before = out.read_bytes()
    pane.keys(":")
    pane.type(f"export {out}")
    pane.keys("Enter")
    pane.wait_for("similar.csv exists; :export! ")  # the rest of the line names the path again
    assert out.read_bytes() == before

    # JSONL: one object a line, ids as integers, fields as strings.
    jsonl = tmp_path / "similar.jsonl"
    pane.keys(":")
    pane.type(f"export! {jsonl}")
    pane.keys("Enter")
    pane.wait_for("similar.jsonl (")
    objects = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert [o["id"] for o in objects] == shown and all(isinstance(o["id"], int) for o in objects)
    assert all(isinstance(value, str) for o in objects for value in o["fields"].values())
    assert objects[0]["query_id"] == query and objects[0]["query_text"] is None
    assert np.allclose([o["score"] for o in objects], expected_scores, rtol=0, atol=1e-5)

    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())


def test_settings_stay_and_open_without_an_index_picks_a_recent_one(vectui_bin, env, demo, panes, tmp_path):
    env = {**env, "XDG_CONFIG_HOME": str(tmp_path / "config")}
    config = tmp_path / "config" / "vectui" / "config.toml"
    run_env = {**os.environ, **env}

    # Nothing opened yet: `vectui open` says how to open one (usage, 64), before any screen.
    result = subprocess.run([vectui_bin, "open"], capture_output=True, text=True, timeout=60, env=run_env)
    assert result.returncode == 64, result
    assert "no recent indexes" in result.stderr and "vectui open INDEX" in result.stderr, result.stderr

    # Open the demo, change k and the theme: kept in config.toml with the recent index.
    index, catalog = demo / "products.index", demo / "products.jsonl"
    pane = panes([vectui_bin, "open", str(index), "--meta", str(catalog)], env)
    pane.wait_for(f"{PRODUCTS:,} of {PRODUCTS:,}")
    for command in ("k 7", "theme light"):
        pane.keys(":")
        pane.type(command)
        pane.keys("Enter")
    pane.wait_for("Theme: light.")
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())
    text = config.read_text(encoding="utf-8")
    assert 'theme = "light"' in text and "k = 7" in text, text
    listed = subprocess.run([vectui_bin, "open", "--recent", "--json"], capture_output=True, text=True, timeout=60, env=run_env)
    assert listed.returncode == 0, listed.stderr
    recent = json.loads(listed.stdout)
    assert [(r["index"], r["catalog"]) for r in recent] == [(str(index.resolve()), str(catalog.resolve()))]

    # `vectui open`: the picker lists it; Enter opens it with its catalog and the kept k.
    pane = panes([vectui_bin, "open"], env)
    screen = pane.wait_for("Recent indexes")
    assert "products.index" in screen and "products.jsonl" in screen, screen
    pane.keys("Enter")
    pane.wait_for(f"{PRODUCTS:,} of {PRODUCTS:,}")
    pane.keys("Enter")
    _, shown = wait_neighbours(pane, 7)
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())

    # A malformed line is a warning naming the file and line, never fatal; the file is kept as it is.
    config.write_text(text.replace("k = 7", 'k = "seven"'), encoding="utf-8")
    listed = subprocess.run([vectui_bin, "open", "--recent"], capture_output=True, text=True, timeout=60, env=run_env)
    assert listed.returncode == 0
    assert f"{config}:4: k must be an integer; the line is ignored" in listed.stderr, listed.stderr
    assert str(index.resolve()) in listed.stdout
