"""Discord webhooks: safe message text and one HTTP delivery.

Everything that reaches Discord goes through `webhook_payload()`, which sets `allowed_mentions`
explicitly (only the listed user ids may be pinged; never @everyone, @here or roles) and keeps the
content within Discord's 2,000-character limit. Text typed by users (usernames, messages, notes,
device names) goes through `escape()` first, so it cannot mention anyone or inject markdown.
"""

import math
import re
import threading
from dataclasses import dataclass

import requests

MAX_CONTENT = 2000
SUPPRESS_EMBEDS = 1 << 2  # message flag: no link previews for URLs typed by users

_DISCORD_ID = re.compile(r"^[0-9]{17,20}$")
# Markdown and the characters that start mentions, channels, emoji and timestamps (`<`), headings (#),
# lists (-, +), quotes (>), masked links ([ ] ( )), spoilers (|), code (`), bold/italic (* _) and strike (~).
_MARKDOWN = re.compile(r"([\\*_~`|<>#\[\]()\-+:])")
_ZWSP = "\u200b"


def escape(text, *, max_length: int | None = None) -> str:
    """Make user text inert: no mentions, no markdown, one line.

    `max_length` cuts the raw text first (ending it with "…"), so escaping never splits in half.
    """
    text = " ".join(str(text if text is not None else "").split())
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    text = _MARKDOWN.sub(r"\\\1", text)
    # A zero-width space after every @ breaks @everyone, @here and @username for good measure.
    return text.replace("@", "@" + _ZWSP)


def is_discord_id(value) -> bool:
    return bool(value) and bool(_DISCORD_ID.match(str(value)))


def user_label(user, *, mention: bool = True) -> str:
    """`<@id>` for a user with a valid Discord id (when `mention`), else their escaped username in bold."""
    if user is None:
        return "**someone**"
    discord_id = getattr(user, "discord_id", None)
    if mention and is_discord_id(discord_id):
        return f"<@{discord_id}>"
    return f"**{escape(user.get_username(), max_length=60)}**"


def join_limited(items: list[str], *, budget: int, separator: str = ", ") -> str:
    """Join already-escaped items into at most `budget` characters, ending with "…and N more" when cut."""
    out: list[str] = []
    used = 0
    for index, item in enumerate(items):
        rest = len(items) - index - 1
        tail = len(f"{separator}…and {rest} more") if rest else 0
        cost = len(item) + (len(separator) if out else 0)
        if used + cost + tail > budget:
            return separator.join(out) + (separator if out else "") + f"…and {len(items) - index} more"
        out.append(item)
        used += cost
    return separator.join(out)


def webhook_payload(lines: list[str], *, mention_ids=()) -> dict:
    """The webhook JSON for `lines`, allowed to ping exactly `mention_ids` (ids without a valid form are dropped)."""
    users = list(dict.fromkeys(str(i) for i in mention_ids if is_discord_id(i)))[:100]
    content = "\n".join(lines)
    if len(content) > MAX_CONTENT:
        # Builders keep within budget; this is the backstop. Cut at a line end when one is near.
        cut = content.rfind("\n", 0, MAX_CONTENT - 2)
        cut = cut if cut > MAX_CONTENT - 400 else MAX_CONTENT - 2
        content = content[:cut].rstrip("\\") + "\n…"
    return {
        "content": content,
        "allowed_mentions": {"parse": [], "users": users},
        "flags": SUPPRESS_EMBEDS,
    }


@dataclass(frozen=True)
class Delivery:
    """How one POST went. outcome: "sent" | "retry" | "failed"; `retry_after` in seconds when Discord said."""

    outcome: str
    error: str = ""
    retry_after: float | None = None
    rate_limited: bool = False


def _seconds(value) -> float | None:
    """A finite, non-negative number of seconds, or None (NaN, infinity and text are ignored)."""
    try:
        seconds = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


def _retry_after(response) -> float | None:
    """Discord's `retry_after` (JSON) or the Retry-After header, in seconds. The caller caps it."""
    try:
        body = response.json()
        seconds = _seconds(body.get("retry_after")) if isinstance(body, dict) else None
        if seconds is not None:
            return seconds
    except ValueError:
        pass
    return _seconds(response.headers.get("Retry-After"))


MAX_BODY = 64 * 1024  # of an answer we read (errors are quoted in the outbox, cut to 300 characters)


def _post(poster, url: str, payload: dict, timeout: float, box: dict) -> None:
    try:
        response = poster.post(url, json=payload, timeout=timeout, stream=True)
        box["response"] = response
        box["body"] = response.raw.read(MAX_BODY, decode_content=True) or b""
        response.close()
    except BaseException as exc:  # noqa: BLE001 (handed to the caller's thread)
        box["error"] = exc


def webhook_post(url: str, payload: dict, *, timeout: float, client: requests.Session | None = None) -> Delivery:
    """POST `payload` to a Discord webhook once and classify the answer. Never raises for HTTP or network trouble.

    `timeout` is a total deadline for the whole call (connect, send, headers and body): requests'
    own timeout only bounds each read, so a server dripping a byte at a time could hold the worker
    for ever. The call runs in a helper thread; past the deadline it is abandoned (its socket is
    closed when the answer has started) and the delivery is a retry.
    """
    poster = client or requests
    box: dict = {}
    thread = threading.Thread(target=_post, args=(poster, url, payload, timeout, box), daemon=True,
                              name="discord-webhook")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        if box.get("response") is not None:
            box["response"].close()
        return Delivery("retry", f"timeout after {timeout:g}s: no complete answer within the deadline")
    error = box.get("error")
    if isinstance(error, requests.Timeout):
        return Delivery("retry", f"timeout after {timeout:g}s: {error.__class__.__name__}")
    if isinstance(error, requests.RequestException):
        return Delivery("retry", f"connection error: {error.__class__.__name__}: {error}"[:500])
    if error is not None:
        return Delivery("retry", f"error: {error.__class__.__name__}: {error}"[:500])
    response = box["response"]
    response._content = box["body"]  # so that .text and .json() read what was received
    status = response.status_code
    if 200 <= status < 300:
        return Delivery("sent")
    body = response.text[:300]
    if status == 429:
        return Delivery("retry", f"HTTP 429 rate limited: {body}", retry_after=_retry_after(response), rate_limited=True)
    if status >= 500 or status == 408:
        return Delivery("retry", f"HTTP {status}: {body}")
    return Delivery("failed", f"HTTP {status}: {body}")
