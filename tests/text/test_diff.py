"""Side-by-side diffs: line pairing, word marks, escaping and counts."""
from __future__ import annotations

from app.text.diff import DiffRow, diff_stats, side_by_side


def test_identical_texts_are_all_equal_rows() -> None:
    rows = side_by_side("one\ntwo\n", "one\ntwo\n")
    assert rows == [
        DiffRow(1, "one", 1, "one", "equal"),
        DiffRow(2, "two", 2, "two", "equal"),
    ]
    assert diff_stats("one\ntwo\n", "one\ntwo\n") == (0, 0)


def test_empty_texts() -> None:
    assert side_by_side("", "") == []
    assert diff_stats("", "") == (0, 0)


def test_everything_added() -> None:
    rows = side_by_side("", "a\nb")
    assert rows == [
        DiffRow(None, "", 1, "<ins>a</ins>", "insert"),
        DiffRow(None, "", 2, "<ins>b</ins>", "insert"),
    ]
    assert diff_stats("", "a\nb") == (2, 0)


def test_everything_removed() -> None:
    rows = side_by_side("a\nb", "")
    assert [row.kind for row in rows] == ["delete", "delete"]
    assert rows[0] == DiffRow(1, "<del>a</del>", None, "", "delete")
    assert diff_stats("a\nb", "") == (0, 2)


def test_inserted_line_in_the_middle_keeps_numbers_in_step() -> None:
    rows = side_by_side("a\nc", "a\nb\nc")
    assert rows == [
        DiffRow(1, "a", 1, "a", "equal"),
        DiffRow(None, "", 2, "<ins>b</ins>", "insert"),
        DiffRow(2, "c", 3, "c", "equal"),
    ]


def test_deleted_line_in_the_middle() -> None:
    rows = side_by_side("a\nb\nc", "a\nc")
    assert rows[1] == DiffRow(2, "<del>b</del>", None, "", "delete")
    assert rows[2] == DiffRow(3, "c", 2, "c", "equal")


def test_replaced_line_marks_only_changed_words() -> None:
    (row,) = side_by_side("The quick brown fox", "The slow brown fox")
    assert row.kind == "replace"
    assert (row.left_no, row.right_no) == (1, 1)
    assert row.left_html == "The <del>quick</del> brown fox"
    assert row.right_html == "The <ins>slow</ins> brown fox"


def test_word_marks_for_pure_addition_within_a_line() -> None:
    (row,) = side_by_side("Meet at noon.", "Meet at the park at noon.")
    assert row.left_html == "Meet at noon."
    # Either alignment of the repeated "at" is a correct diff; only the marks' content matters.
    assert row.right_html.replace("<ins>", "").replace("</ins>", "") == "Meet at the park at noon."
    assert row.right_html.count("<ins>") == 1
    assert "the park" in row.right_html.split("<ins>")[1].split("</ins>")[0]


def test_uneven_replacement_spills_into_insert_rows() -> None:
    rows = side_by_side("x\nold line\ny", "x\nnew line\nextra\ny")
    assert [row.kind for row in rows] == ["equal", "replace", "insert", "equal"]
    assert rows[1].left_no == 2 and rows[1].right_no == 2
    assert rows[2] == DiffRow(None, "", 3, "<ins>extra</ins>", "insert")
    assert rows[3] == DiffRow(3, "y", 4, "y", "equal")
    assert diff_stats("x\nold line\ny", "x\nnew line\nextra\ny") == (2, 1)


def test_uneven_replacement_spills_into_delete_rows() -> None:
    rows = side_by_side("a one\na two\na three", "b one")
    assert [row.kind for row in rows] == ["replace", "delete", "delete"]
    assert rows[2] == DiffRow(3, "<del>a three</del>", None, "", "delete")


def test_html_in_text_is_escaped_everywhere() -> None:
    old = "<script>alert(1)</script>\nsame <b>\nkept"
    new = '<img src=x onerror="alert(1)">\nsame <i>\nkept & more'
    for row in side_by_side(old, new):
        for html in (row.left_html, row.right_html):
            stripped = html.replace("<del>", "").replace("</del>", "")
            stripped = stripped.replace("<ins>", "").replace("</ins>", "")
            assert "<" not in stripped and ">" not in stripped, html
            assert '"' not in stripped
    rows = side_by_side("a & b", "a & c")
    assert rows[0].left_html == "a &amp; <del>b</del>"


def test_line_endings_are_normalised() -> None:
    assert side_by_side("a\r\nb\r\n", "a\nb") == side_by_side("a\nb", "a\nb")
    assert diff_stats("a\r\nb", "a\rb") == (0, 0)


def test_blank_lines_are_rows_without_empty_marks() -> None:
    rows = side_by_side("a", "a\n\nb")
    assert rows[1] == DiffRow(None, "", 2, "", "insert")
    assert rows[2] == DiffRow(None, "", 3, "<ins>b</ins>", "insert")


def test_every_change_is_marked_with_ins_or_del_not_only_by_kind() -> None:
    rows = side_by_side("keep\nold words here\ngone", "keep\nnew words here\nadded")
    for row in rows:
        if row.kind in ("replace", "delete") and row.left_html:
            assert "<del>" in row.left_html
        if row.kind in ("replace", "insert") and row.right_html:
            assert "<ins>" in row.right_html


def test_diff_stats_counts_a_changed_line_on_both_sides() -> None:
    assert diff_stats("a\nb\nc", "a\nB\nc\nd") == (2, 1)
