"""Parse the patch lists lab members paste: which Polatis port labels to cross-connect.

Accepted shapes (mixed quoting and whitespace tolerated):
- a Python literal: [('tf_1', 'roadm_10_p2'), ('roadm_10_line', 'reel_3', 'roadm_11_line')]
- JSON: [["tf_1", "roadm_10_p2"]]
- one connection per line: "tf_1 roadm_10_p2", "tf_1,roadm_10_p2", "tf_1 -> roadm_10_p2", "tf_1 <-> x"
A path of three or more labels is split into consecutive pairs. "NULL" entries are dropped, as
the lab's scripts do. Literals are read with ast.literal_eval (no code is ever executed).
"""

import ast
import json
import re
from difflib import get_close_matches

LINE_SEPARATOR = re.compile(r"\s*(?:<->|<-|->|=>|—|–|,|;|\t|\s)\s*")
LABEL = re.compile(r"^[A-Za-z0-9_.:/+-]+$")
IGNORED = {"null", "none", ""}


class PatchListError(ValueError):
    """The text is not a patch list; the message says what was expected."""


def _as_paths(value) -> list[list[str]] | None:
    """A literal/JSON value → list of label paths, or None if it has another shape."""
    if isinstance(value, list | tuple) and value and all(isinstance(v, str) for v in value):
        return [list(value)]  # a single pair/path
    if isinstance(value, list | tuple) and all(
        isinstance(p, list | tuple) and all(isinstance(v, str) for v in p) for p in value
    ):
        return [list(p) for p in value]
    return None


def _structured(text: str) -> list[list[str]] | None:
    stripped = text.strip()
    if not stripped or stripped[0] not in "[(":
        return None
    for loader in (json.loads, ast.literal_eval):
        try:
            value = loader(stripped)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        paths = _as_paths(value)
        if paths is None:
            raise PatchListError("The list must hold pairs of port labels in quotes, e.g. [('tf_1', 'roadm_10_p2')].")
        return paths
    return None


def _lines(text: str) -> list[list[str]]:
    paths = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip().strip("()[]").strip()
        if not line:
            continue
        labels = [part.strip().strip("'\"") for part in LINE_SEPARATOR.split(line)]
        labels = [label for label in labels if label]
        bad = [label for label in labels if not LABEL.match(label)]
        if bad or len(labels) < 2:
            raise PatchListError(
                f"Line {number} (“{raw.strip()[:60]}”) is not a connection; write two port labels like “tf_1 roadm_10_p2”."
            )
        paths.append(labels)
    return paths


def patch_list_parse(text: str) -> list[tuple[str, str]]:
    """The connections in `text`, as (a, b) label pairs in order, without duplicates or NULLs."""
    paths = _structured(text)
    if paths is None:
        paths = _lines(text)
    pairs: list[tuple[str, str]] = []
    for path in paths:
        labels = [label.strip() for label in path if label.strip().lower() not in IGNORED]
        bad = [label for label in labels if not LABEL.match(label)]
        if bad:
            # Quoted labels may hold anything, even NUL (which PostgreSQL cannot compare): refuse them here.
            shown = bad[0].encode("unicode_escape").decode("ascii")[:60]
            raise PatchListError(f"“{shown}” is not a port label; labels are letters, digits and _ . : / + -.")
        for a, b in zip(labels, labels[1:], strict=False):
            if (a, b) not in pairs:
                pairs.append((a, b))
    if not pairs:
        raise PatchListError("No connections found; paste pairs of port labels such as [('tf_1', 'roadm_10_p2')].")
    return pairs


def labels_of(pairs: list[tuple[str, str]]) -> list[str]:
    """Every label once, in the order it first appears."""
    seen: list[str] = []
    for pair in pairs:
        for label in pair:
            if label not in seen:
                seen.append(label)
    return seen


def label_suggestions(label: str, known: list[str], n: int = 3) -> list[str]:
    """Close matches of an unknown label among the known ones (case-insensitive)."""
    by_lower = {k.lower(): k for k in known}
    return [by_lower[m] for m in get_close_matches(label.lower(), list(by_lower), n=n, cutoff=0.6)]
