"""End-to-end tests of the mouse in the explorer: the real vectui binary in a tmux pane, mouse
reports written to it as raw bytes (`tmux send-keys -M` only replays a real client's event),
in both encodings ncurses reads — SGR 1006 (`\\e[<0;COL;ROWM`, TERM=xterm-256color, whose
kmous is `\\E[<`) and X10 (`\\e[M` + three bytes, TERM=tmux-256color in ncurses 6.4, whose kmous
is `\\E[M`) — and tmux's own view of the pane's mouse modes (`#{mouse_any_flag}`).

Run:  VECTUI_BIN=.build/release/vectui python3 -m pytest -q tests/e2e/test_explorer_mouse_tmux.py
"""

from __future__ import annotations

import re
import unicodedata

import pytest

# The shared tmux pane and fixtures (importing them registers the fixtures here too).
from test_explorer_tmux import (PRODUCTS, Pane, assert_exited_cleanly, demo, env, neighbour_ids, panes,  # noqa: F401
                                vectui_bin, wait_neighbours, work)

BORDERS = "[│┃]"


def press_release(encoding: str, column: int, row: int, button: int = 0) -> list[bytes]:
    """The reports of one click (or one wheel step, which has no release) at 0-based `column`, `row`."""
    if encoding == "sgr":
        press = f"\x1b[<{button};{column + 1};{row + 1}M".encode()
        return [press] if button >= 64 else [press, f"\x1b[<{button};{column + 1};{row + 1}m".encode()]
    assert column + 33 <= 255 and row + 33 <= 255, "X10 reports stop at column and row 223"
    press = bytes([0x1B, ord("["), ord("M"), 32 + button, 33 + column, 33 + row])
    return [press] if button >= 64 else [press, bytes([0x1B, ord("["), ord("M"), 32 + 3, 33 + column, 33 + row])]


def send(pane: Pane, reports: list[bytes]) -> None:
    pane.tmux("send-keys", "-t", pane.name, "-H", *[f"{byte:02x}" for report in reports for byte in report])


def click(pane: Pane, encoding: str, column: int, row: int) -> None:
    send(pane, press_release(encoding, column, row))


def double_click(pane: Pane, encoding: str, column: int, row: int) -> None:
    send(pane, press_release(encoding, column, row) * 2)


def wheel_down(pane: Pane, encoding: str, column: int, row: int) -> None:
    send(pane, press_release(encoding, column, row, button=65))


def flag(pane: Pane, name: str) -> str:
    return pane.tmux("display", "-p", "-t", pane.name, f"#{{{name}}}").strip()


def products_rows(screen: str) -> list[tuple[int, str]]:
    """(screen row, title) of each product row drawn in the Products pane, top first."""
    lines = screen.splitlines()
    header = next(y for y, line in enumerate(lines) if re.match(rf"^{BORDERS}TITLE\s", line))
    rows = []
    for y in range(header + 1, len(lines)):
        parts = re.split(BORDERS, lines[y])
        if len(parts) < 3 or not parts[1].strip():
            break
        rows.append((y, parts[1].strip()))
    return rows


def column_of(line: str, index: int) -> int:
    """The screen column of `line[index]` (wide CJK glyphs take two columns)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line[:index])


def similar_row(screen: str, rank: int) -> tuple[int, int, str]:
    """(screen row, column of its last character, title) of the neighbour at `rank` in the Similar pane."""
    for y, line in enumerate(screen.splitlines()):
        parts = re.split(BORDERS, line)
        if len(parts) < 4:
            continue
        match = re.match(r"^\s*(\d+)\s+-?\d+\.\d{3}\s+(.*?)\s+(\d{10,})(\s|$)", parts[-2])
        if match and int(match.group(1)) == rank:
            last = len(line.rstrip()) - 2  # the last character before the right-hand border
            while line[last] == " ":
                last -= 1
            return y, column_of(line, last), match.group(2).rstrip("…")
    raise AssertionError(f"no neighbour ranked {rank}:\n{screen}")


def focused(screen: str, pane_name: str) -> bool:
    return re.search(rf"┏ \d {pane_name} ", screen) is not None


@pytest.mark.parametrize("term,encoding,width", [("xterm-256color", "sgr", 240), ("tmux-256color", "x10", 120)],
                         ids=["sgr-240-columns", "x10-tmux"])
def test_click_double_click_and_wheel(vectui_bin, env, demo, panes, term, encoding, width):
    """Double-clicking a product shows its neighbours; a click in Similar focuses it and selects
    a neighbour (past column 223 in the SGR run), whose double click makes it the query; the
    wheel scrolls Products three rows; quitting turns the terminal's mouse modes off."""
    pane = panes([vectui_bin, "open", str(demo / "products.index"), "--meta", str(demo / "products.jsonl")],
                 {**env, "TERM": term}, width=width, height=40)
    screen = pane.wait_for(f"{PRODUCTS:,} of {PRODUCTS:,}")
    assert flag(pane, "mouse_any_flag") == "1"
    assert flag(pane, "mouse_sgr_flag") == ("1" if encoding == "sgr" else "0")

    # Double-click the fifth product: its neighbours.
    y, title = products_rows(screen)[4]  # clicked at column 4: no wide glyph before it
    double_click(pane, encoding, 4, y)
    screen = pane.wait_for(f"like {title[:20]}")
    screen, first = wait_neighbours(pane, 10)
    assert focused(screen, "Products")

    # Click the third neighbour (at the right-hand end of its row): focus and selection.
    y, column, neighbour = similar_row(screen, 3)
    if encoding == "sgr":
        assert column > 223, f"the row ends at column {column}: widen the pane to test SGR's wide columns"
    click(pane, encoding, column, y)
    screen = pane.wait_for("┏ 4 Similar", regex=False)
    assert focused(screen, "Similar") and not focused(screen, "Products")
    # Enter acts on the clicked row, as a double click does.
    pane.keys("Enter")
    pane.wait_for(f"like {neighbour[:20]}")
    _, second = wait_neighbours(pane, 10)
    assert second != first
    y, column, again = similar_row(pane.screen(), 2)
    double_click(pane, encoding, column, y)
    pane.wait_for(f"like {again[:20]}")

    # The wheel over Products scrolls it three rows and leaves the focus in Similar.
    before = products_rows(pane.screen())
    wheel_down(pane, encoding, 10, before[0][0])
    screen = pane.wait_for(f"{BORDERS}{re.escape(before[3][1])}", regex=True)
    assert products_rows(screen)[0][1] == before[3][1], screen
    assert focused(screen, "Similar")

    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())
    assert flag(pane, "mouse_any_flag") == "0", "mouse reporting left on"


def test_no_mouse_leaves_the_mouse_to_the_terminal(vectui_bin, env, demo, panes):
    """With --no-mouse the explorer never asks for mouse reports, so the terminal (tmux here)
    keeps its own selection and sends none; the keys still work."""
    pane = panes([vectui_bin, "open", str(demo / "products.index"), "--meta", str(demo / "products.jsonl"), "--no-mouse"],
                 {**env, "TERM": "xterm-256color"})
    pane.wait_for(f"{PRODUCTS:,} of {PRODUCTS:,}")
    assert flag(pane, "mouse_any_flag") == "0"
    assert flag(pane, "mouse_sgr_flag") == "0"
    pane.keys("Enter")
    wait_neighbours(pane, 10)
    pane.keys("q")
    assert_exited_cleanly(pane.wait_exit())
