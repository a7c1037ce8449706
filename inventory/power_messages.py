"""Discord messages about power control, for the admin channel (built with core.discord, user text escaped)."""

from core.discord import escape, user_label, webhook_payload


def pdu_failing(*, pdu, error: str, failures: int) -> dict:
    return webhook_payload([
        f"⚠️ PDU **{escape(pdu, max_length=80)}** is not answering ({failures} failed call{'s' if failures != 1 else ''}): "
        f"{escape(error, max_length=300)}",
        "The worker keeps retrying with growing pauses; this is reported once until it answers again.",
    ])


def pdu_recovered(*, pdu) -> dict:
    return webhook_payload([f"✅ PDU **{escape(pdu, max_length=80)}** answers again."])


def outlet_switched(*, outlet, device, actor, action: str, result: str, state: str, forced_over=(), error: str = "") -> dict:
    """A forced switch or a failed one."""
    who = user_label(actor, mention=False) if actor is not None else "**the schedule**"
    target = f"**{escape(outlet, max_length=100)}**" + (f" ({escape(device, max_length=80)})" if device else "")
    if result == "ok":
        holders = ", ".join(f"**{escape(name, max_length=60)}**" for name in forced_over)
        lines = [f"⚡ {who} forced **{escape(action)}** on {target}, held now by {holders}. Outlet reads {escape(state)}."]
    else:
        lines = [f"❌ {who} could not switch **{escape(action)}** {target}: {escape(error, max_length=300)}"]
    return webhook_payload(lines)
