"""Safe message text and the classification of one webhook POST."""

import json
import re

from werkzeug import Response

from core.discord import MAX_CONTENT, escape, join_limited, user_label, webhook_payload, webhook_post
from core.tests.factories import UserFactory


def test_escape_breaks_every_kind_of_mention():
    """User text can never ping @everyone, @here, a user, a role or link a channel."""
    text = escape("hi @everyone and @here <@123456789012345678> <@&987654321098765432> <#111111111111111111>")
    assert "@everyone" not in text and "@here" not in text
    assert re.search(r"(?<!\\)<", text) is None  # every "<" is escaped
    assert re.search(r"@(?!\u200b)", text) is None  # every "@" is followed by a zero-width space
    assert "\\<@\u200b&987654321098765432\\>" in text


def test_escape_neutralises_markdown_and_newlines():
    """Bold, italics, code, spoilers, links, headings and quotes are shown literally."""
    text = escape("**bold** _it_ `code` ||spoil|| [x](http://evil) \n# head\n> quote ~~s~~ \\")
    for raw in ("**", "`code`", "||", "](", "\n"):
        assert raw not in text
    assert text.startswith("\\*\\*bold\\*\\*")
    assert "\\# head" in text and "\\> quote" in text and text.endswith("\\\\")


def test_escape_cuts_long_text_before_escaping():
    """A cut never leaves half an escape sequence."""
    text = escape("*" * 50, max_length=10)
    assert text == "\\*" * 9 + "…"


def test_join_limited_ends_with_and_n_more():
    """Long lists stay within their budget and say how many were left out."""
    items = [f"device-{i:03d}" for i in range(200)]
    joined = join_limited(items, budget=100)
    assert len(joined) <= 100
    assert joined.startswith("device-000, device-001")
    shown = joined.count("device-")
    assert joined.endswith(f"…and {200 - shown} more")
    assert join_limited(["a", "b"], budget=100) == "a, b"


def test_webhook_payload_is_capped_and_mentions_are_explicit():
    """Content never exceeds 2,000 characters; only valid user ids may be mentioned."""
    payload = webhook_payload(["x" * 1500, "y" * 1500], mention_ids=["123456789012345678", "None", None, "123456789012345678"])
    assert len(payload["content"]) <= MAX_CONTENT
    assert payload["allowed_mentions"] == {"parse": [], "users": ["123456789012345678"]}


def test_user_label_mentions_only_a_valid_discord_id(db):
    """A user without a Discord id is named, never mentioned as <@None>."""
    with_id = UserFactory(username="ada", discord_id="123456789012345678")
    without = UserFactory(username="@everyone")
    assert user_label(with_id) == "<@123456789012345678>"
    assert user_label(with_id, mention=False) == "**ada**"
    assert user_label(without) == "**@\u200beveryone**"


def test_webhook_post_classifies_answers(httpserver):
    """2xx sent; 5xx and 408 retried; 429 retried after Discord's retry_after; other 4xx failed."""
    cases = [
        (Response(status=204), "sent", None),
        (Response("boom", status=502), "retry", None),
        (Response(json.dumps({"retry_after": 1.5, "global": False}), status=429, content_type="application/json"), "retry", 1.5),
        (Response("slow down", status=429, headers={"Retry-After": "7"}), "retry", 7.0),
        (Response('{"message": "Unknown Webhook"}', status=404), "failed", None),
        (Response("bad", status=400), "failed", None),
    ]
    for index, (response, outcome, retry_after) in enumerate(cases):
        httpserver.expect_oneshot_request(f"/hook{index}", method="POST").respond_with_response(response)
        result = webhook_post(httpserver.url_for(f"/hook{index}"), {"content": "x"}, timeout=2)
        assert (result.outcome, result.retry_after) == (outcome, retry_after), result
    httpserver.check_assertions()


def test_webhook_post_retries_timeouts_and_refused_connections(hanging_url):
    """A hanging or absent Discord is a retry, not an exception."""
    assert webhook_post(hanging_url, {"content": "x"}, timeout=0.2).outcome == "retry"
    assert webhook_post("http://127.0.0.1:9/none", {"content": "x"}, timeout=0.2).outcome == "retry"
