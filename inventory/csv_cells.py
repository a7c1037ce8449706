"""How values are written into CSV cells, and read back, so that a file is safe in a spreadsheet and
an export → import round trip changes nothing.

Spreadsheet safety (OWASP, "CSV Injection"): a cell beginning with `=`, `+`, `-`, `@`, a tab or a
carriage return is a formula to Excel and LibreOffice. Such a cell is written with a leading
apostrophe (`'=1+2`), which spreadsheets show as text. A cell that already begins with an apostrophe
followed by one of those characters (or by another apostrophe) gets one more, so reading strips
exactly one apostrophe and gives the original back; any other leading apostrophe is left alone.

Lists inside one cell (tags joined with `;`, ports as `label:in:out` joined with `;`): a `;`, `:` or
backslash inside a tag name or port label is written with a backslash before it (`a\\;b`, `p\\:1`).
"""

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
APOSTROPHE = "'"
ESCAPE = "\\"
LIST_SEPARATOR = ";"
PORT_SEPARATOR = ":"

_ITEM_SPECIALS = re.compile(r"([\\;:])")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def _needs_apostrophe(text: str) -> bool:
    if text.startswith(FORMULA_STARTS):
        return True
    return text.startswith(APOSTROPHE) and text[1:2] != "" and text[1] in (*FORMULA_STARTS, APOSTROPHE)


def cell_escape(text: str) -> str:
    """The cell as written: prefixed with an apostrophe when a spreadsheet would run it."""
    return APOSTROPHE + text if _needs_apostrophe(text) else text


def cell_unescape(text: str) -> str:
    """The value a written cell stands for (the inverse of `cell_escape`)."""
    return text[1:] if text.startswith(APOSTROPHE) and _needs_apostrophe(text[1:]) else text


def item_escape(text: str) -> str:
    """A tag name or port label inside a list cell: `;`, `:` and backslash escaped."""
    return _ITEM_SPECIALS.sub(r"\\\1", text)


def item_unescape(text: str) -> str:
    return _ESCAPED.sub(r"\1", text)


def split_unescaped(text: str, separator: str) -> list[str]:
    """Split on `separator` where it is not escaped; the parts keep their escapes."""
    parts, current, i = [], [], 0
    while i < len(text):
        char = text[i]
        if char == ESCAPE and i + 1 < len(text):
            current.append(text[i : i + 2])
            i += 2
            continue
        if char == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts
