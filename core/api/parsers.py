"""The API's JSON parser: also refuses what the database or Python cannot take.

- Nesting deeper than MAX_DEPTH (50,000 nested lists overflowed Python's recursion: a 500).
- NUL characters in any string or key: PostgreSQL text cannot hold them (a DataError, 500), and no
  field of labsite means to carry one.
"""

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def check_json_value(data, *, max_depth: int = MAX_DEPTH) -> None:
    """Raise ValueError when `data` nests deeper than `max_depth` or holds a NUL character."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("Text may not contain NUL (\\u0000) characters.")
        elif isinstance(value, dict | list):
            if depth > max_depth:
                raise ValueError(f"JSON nested deeper than {max_depth} levels.")
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if isinstance(key, str) and "\x00" in key:
                    raise ValueError("Text may not contain NUL (\\u0000) characters.")
                stack.append((item, depth + 1))


def loads_checked(text: str | bytes, *, max_depth: int = MAX_DEPTH):
    """json.loads that turns a too-deep document into ValueError, then applies check_json_value."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise ValueError(f"JSON nested deeper than {max_depth} levels.") from None
    check_json_value(data, max_depth=max_depth)
    return data


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.") from None
        try:
            check_json_value(data)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        return data
