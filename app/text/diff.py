"""Line diffs of two revisions, side by side or unified, with changed words marked in escaped HTML."""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from html import escape
from typing import Literal

__all__ = ["DiffRow", "UnifiedRow", "RowKind", "side_by_side", "unified", "diff_stats"]

RowKind = Literal["equal", "insert", "delete", "replace"]

# Words, runs of whitespace and single punctuation marks; joined back they give the line.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


@dataclass(frozen=True, slots=True)
class DiffRow:
    """One row of a side-by-side diff; HTML fields are escaped and safe to render."""

    left_no: int | None
    left_html: str
    right_no: int | None
    right_html: str
    kind: RowKind


@dataclass(frozen=True, slots=True)
class UnifiedRow:
    """One line of a unified diff: kept (both numbers), removed (old only) or added (new only)."""

    old_no: int | None
    new_no: int | None
    html: str
    kind: Literal["equal", "insert", "delete"]


def _lines(text: str) -> list[str]:
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not text:
        return []
    # A final newline ends the last line; it does not start a new empty one.
    return text.removesuffix("\n").split("\n")


def _wrap(tag: str, text: str) -> str:
    return f"<{tag}>{escape(text)}</{tag}>" if text else ""


def _word_diff(old: str, new: str) -> tuple[str, str]:
    old_tokens = _TOKEN.findall(old)
    new_tokens = _TOKEN.findall(new)
    left: list[str] = []
    right: list[str] = []
    matcher = difflib.SequenceMatcher(None, old_tokens, new_tokens, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        removed = "".join(old_tokens[i1:i2])
        added = "".join(new_tokens[j1:j2])
        if op == "equal":
            left.append(escape(removed))
            right.append(escape(added))
        else:
            left.append(_wrap("del", removed))
            right.append(_wrap("ins", added))
    return "".join(left), "".join(right)


def side_by_side(old: str, new: str) -> list[DiffRow]:
    """Rows pairing the old text's lines (left) with the new text's (right), numbered from 1."""
    old_lines = _lines(old)
    new_lines = _lines(new)
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                text = escape(old_lines[i])
                rows.append(DiffRow(i + 1, text, j + 1, text, "equal"))
            continue
        # A replaced block pairs lines in order; whatever is left over on one side is a plain insert or delete.
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        for k in range(paired):
            left_html, right_html = _word_diff(old_lines[i1 + k], new_lines[j1 + k])
            rows.append(DiffRow(i1 + k + 1, left_html, j1 + k + 1, right_html, "replace"))
        for i in range(i1 + paired, i2):
            rows.append(DiffRow(i + 1, _wrap("del", old_lines[i]), None, "", "delete"))
        for j in range(j1 + paired, j2):
            rows.append(DiffRow(None, "", j + 1, _wrap("ins", new_lines[j]), "insert"))
    return rows


def unified(old: str, new: str) -> list[UnifiedRow]:
    """One column for narrow screens: each changed block's old lines, then its new lines."""
    old_lines = _lines(old)
    new_lines = _lines(new)
    rows: list[UnifiedRow] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2)):
                rows.append(UnifiedRow(i + 1, j + 1, escape(old_lines[i]), "equal"))
            continue
        paired = min(i2 - i1, j2 - j1) if op == "replace" else 0
        words = [_word_diff(old_lines[i1 + k], new_lines[j1 + k]) for k in range(paired)]
        for k, i in enumerate(range(i1, i2)):
            html = words[k][0] if k < paired else _wrap("del", old_lines[i])
            rows.append(UnifiedRow(i + 1, None, html, "delete"))
        for k, j in enumerate(range(j1, j2)):
            html = words[k][1] if k < paired else _wrap("ins", new_lines[j])
            rows.append(UnifiedRow(None, j + 1, html, "insert"))
    return rows


def diff_stats(old: str, new: str) -> tuple[int, int]:
    """(added_lines, removed_lines) between old and new; a changed line counts once on each side."""
    added = removed = 0
    matcher = difflib.SequenceMatcher(None, _lines(old), _lines(new), autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "equal":
            removed += i2 - i1
            added += j2 - j1
    return added, removed
