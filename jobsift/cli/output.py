"""Terminal output: stored text printed as text (R37), tables fitted to the terminal, plain when piped.

Every command that shows stored or fetched text goes through here:

- ``printable`` turns a value into inert text: control characters (ESC, CR, the C1 range, which
  also starts escape sequences), Unicode line separators and bidirectional overrides become visible
  escapes (``\\x1b``), so no title can move the cursor, clear the screen, retitle the terminal or
  open an OSC 8 hyperlink.
- ``make_console`` is a Rich console that never reads markup or emoji codes in strings; cells are
  ``Text`` objects besides, so ``[/x]`` or ``[link=...]`` in a title is printed as it is.
- ``fitted_table`` lays a table out for the console's width: the main column gets the room, and
  the columns that do not fit are folded into a line under the main cell instead of being cut to
  one letter. Piped output (not a terminal) has no colours and the width of ``COLUMNS``, else 200.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

PIPED_WIDTH = 200
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_CONTROL_IN_BLOCK = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    code = ord(ch)
    return _NAMED.get(ch) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def printable(value: object) -> str:
    """``value`` as one line of inert text: every control character shown as an escape such as ``\\x1b``."""
    return _CONTROL.sub(_escape, "" if value is None else str(value))


def printable_block(value: object) -> str:
    """Like ``printable`` but keeps line breaks: for text of several lines (a digest preview)."""
    return _CONTROL_IN_BLOCK.sub(_escape, "" if value is None else str(value))


def text(value: object, style: str = "") -> Text:
    """A Rich ``Text`` of ``printable(value)``: never parsed as markup."""
    from rich.text import Text

    return Text(printable(value), style=style)


def make_console(*, stderr: bool = False, width: int | None = None) -> Console:
    """A console that prints strings as they are (no markup, emoji codes or highlighting)."""
    from rich.console import Console

    console = Console(stderr=stderr, markup=False, emoji=False, highlight=False, width=width)
    if width is None and not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = PIPED_WIDTH
    return console


@dataclass(frozen=True)
class Column:
    """One column of a fitted table; ``label`` names the value when it is folded under the main cell."""

    key: str
    header: str
    justify: Literal["left", "right"] = "left"
    label: str = ""


def _cell_width(value: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in value.split("\n")), default=0)


def fitted_table(
    columns: Sequence[Column],
    rows: Sequence[Mapping[str, str | Sequence[str]]],
    *,
    main: str,
    width: int,
    fold_order: Sequence[str],
    notes: Sequence[Sequence[str]] | None = None,
    main_min: int = 24,
    title: str | None = None,
) -> Table:
    """A table of ``rows`` (column key -> text, or a list of texts shown one per line) that fits ``width``.

    Columns named in ``fold_order`` are folded, first to last, until the rest fits with at least
    ``main_min`` cells for the main column; a row's folded values and its ``notes`` are printed on
    lines of their own under its main cell. Headers are never cut. Every control character in a
    value, line breaks included, is shown escaped.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    safe = [
        {k: printable(v) if isinstance(v, str) else "\n".join(printable(part) for part in v) for k, v in r.items()}
        for r in rows
    ]
    natural = {c.key: max([_cell_width(c.header)] + [_cell_width(r.get(c.key, "")) for r in safe]) for c in columns}
    shown = [c for c in columns if c.key != main]
    folded: list[Column] = []

    def cost(cols: Sequence[Column]) -> int:  # cells, one space of padding each side, one between
        return sum(natural[c.key] + 2 for c in cols) + main_min + 2 + len(cols)

    for key in fold_order:
        if cost(shown) <= width:
            break
        column = next((c for c in shown if c.key == key), None)
        if column is not None:
            shown.remove(column)
            folded.append(column)
    fits = cost(shown) <= width
    table = Table(
        title=None if title is None else text(title),
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        expand=False,
        title_justify="left",
    )
    main_column = next(c for c in columns if c.key == main)
    for c in columns:
        if c.key == main:
            table.add_column(main_column.header, overflow="fold", min_width=min(main_min, width))
        elif c in shown and fits:  # its width is known: Rich measures only the main column's cells
            table.add_column(c.header, justify=c.justify, no_wrap=True, width=natural[c.key])
        elif c in shown:  # too narrow even folded: Rich shares the shortfall out
            table.add_column(c.header, justify=c.justify, no_wrap=True, min_width=natural[c.key])
    for i, row in enumerate(safe):
        cell = Text(row.get(main, ""), style="bold")
        under = [f"{c.label} {row[c.key]}".strip() for c in columns if c in folded and row.get(c.key)]
        if under:
            cell.append("\n" + " · ".join(v.replace("\n", ",") for v in under), style="dim")
        for note in notes[i] if notes else ():
            cell.append("\n- " + printable(note), style="")
        table.add_row(
            *(cell if c.key == main else Text(row.get(c.key, "")) for c in columns if c.key == main or c in shown)
        )
    return table
