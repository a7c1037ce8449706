"""One key per username, the same on every database.

SQLite's lower() only folds ASCII, so "Äpfel"/"äpfel" or "straße"/"STRASSE" compared in the database
would be two names there and one on PostgreSQL. The key is computed in Python instead: NFKC (so that
compatibility forms such as "ﬁ" or full-width letters are one name) and Unicode case folding ("ß" →
"ss"), then NFKC again because folding can leave a string unnormalised.
"""

import unicodedata


def username_key(username: str | None) -> str:
    """The comparison key of a username: NFKC + casefold, surrounding spaces removed."""
    text = unicodedata.normalize("NFKC", (username or "").strip())
    return unicodedata.normalize("NFKC", text.casefold())
