"""Natural order for names people give devices: "EDFA 2" before "EDFA 10"."""

import re

_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple:
    """A sort key comparing runs of digits as numbers and the rest case-insensitively.

    The key alternates text and number parts, always starting with text (possibly empty), so keys
    of any two strings compare position by position without mixing types.
    """
    parts = _DIGITS.split((text or "").casefold())
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))
