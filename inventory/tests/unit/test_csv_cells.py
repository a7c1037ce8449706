"""The CSV cell escapes, without a database."""

import pytest

from inventory.csv_cells import cell_escape, cell_unescape, item_escape, item_unescape, split_unescaped

VALUES = ["", "plain", "=1+2", "+3", "-4", "@SUM(A1)", "\tx", "\rx", "'", "'x", "'=x", "''", "''=x", "'''",
          "a'=b", "=", "-", "'\t"]


@pytest.mark.parametrize("value", VALUES)
def test_cell_escape_round_trips(value):
    """Whatever a value holds, reading the written cell gives it back."""
    assert cell_unescape(cell_escape(value)) == value


@pytest.mark.parametrize("value", ["=1+2", "+3", "-4", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_start_with_an_apostrophe(value):
    """OWASP: a cell a spreadsheet would evaluate is written as text."""
    assert cell_escape(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "'x", "a=b", "10.0.0.1", "'"])
def test_other_cells_are_written_as_they_are(value):
    assert cell_escape(value) == value
    assert cell_unescape(value) == value


@pytest.mark.parametrize("value", ["a;b", "p:1", "back\\slash", "\\;", "::;;", "plain"])
def test_list_items_round_trip(value):
    """A tag name or port label survives escaping, joining and splitting."""
    joined = ";".join([item_escape(value), item_escape("next")])
    assert [item_unescape(p) for p in split_unescaped(joined, ";")] == [value, "next"]
    parts = split_unescaped(item_escape(value) + ":1:2", ":")
    assert [item_unescape(parts[0]), *parts[1:]] == [value, "1", "2"]
