"""The outbox rows the scheduler's signals produce: destination, wording, mentions and escaping."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from core.choices import NotificationStatus
from core.discord import MAX_CONTENT
from core.models import Notification
from core.tests.factories import UserFactory
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory
from scheduler import signals
from scheduler.models import Booking, BookingGroup, MaintenanceWindow
from scheduler.tests.factories import BookingFactory, BookingGroupFactory, MaintenanceWindowFactory

ADA_ID = "111111111111111111"
BOB_ID = "222222222222222222"
# 1 July 2026, 08:00 UTC = 09:00 in Dublin (IST).
T0 = datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _webhooks(settings):
    settings.DISCORD_BOOKING_WEBHOOK_URL = "http://127.0.0.1:9/booking"
    settings.DISCORD_ADMIN_WEBHOOK_URL = "http://127.0.0.1:9/admin"
    settings.TIME_ZONE = "Europe/Dublin"


@pytest.fixture
def world(db):
    ada = UserFactory(username="ada", discord_id=ADA_ID)
    bob = UserFactory(username="bob", discord_id=BOB_ID)
    cy = UserFactory(username="cy")
    roadm = DeviceTypeFactory(name="ROADM")
    group = BookingGroupFactory(owner=ada, message="Testing the C-band")
    group.collaborators.set([bob, cy])
    r1 = DeviceFactory(name="roadm-1", device_type=roadm)
    r2 = DeviceFactory(name="roadm-2", device_type=roadm)
    # Submitted out of time order on purpose.
    late = BookingFactory(group=group, device=r2, start=T0 + timedelta(days=2), end=T0 + timedelta(days=2, hours=5))
    early = BookingFactory(group=group, device=r1, start=T0, end=T0 + timedelta(hours=4), status="conflicting")
    return {"ada": ada, "bob": bob, "cy": cy, "group": group, "bookings": [late, early], "r1": r1, "r2": r2}


def only_row(event=None) -> Notification:
    rows = list(Notification.objects.all())
    assert len(rows) == 1, rows
    if event:
        assert rows[0].event == event
    return rows[0]


def assert_no_raw_mentions(content: str) -> None:
    for line in content.splitlines():
        assert "@everyone" not in line and "@here" not in line
        # Every unescaped "<@" is one of ours: a user mention of digits only.
        for match in re.finditer(r"(?<!\\)<([@#&!:]*)([^>]*)>?", line):
            assert match.group(1) == "@" and match.group(2).isdigit(), line


def test_request_posts_to_the_booking_channel_in_the_labs_wording(world):
    """A new session: who, devices, first/last slot in time order and Dublin time, collaborators, message."""
    signals.booking_requested.send(sender=BookingGroup, group=world["group"], bookings=world["bookings"], actor=world["ada"])
    row = only_row("booking_requested")
    assert row.destination == "booking" and row.status == NotificationStatus.PENDING
    assert row.payload["content"].splitlines() == [
        ":bell: **New Booking Created**",
        "> User: **ada**",
        "> Action Required: **🔴 Yes**",
        "> Number of devices requested: **2**",
        "> Devices: **ROADM \\- roadm\\-1, ROADM \\- roadm\\-2**",
        "> First slot: **01/07/2026 09:00**",
        "> Last slot: **03/07/2026 14:00**",
        "> Collaborators: **bob, cy**",
        "> Message: Testing the C\\-band",
    ]
    assert row.payload["allowed_mentions"] == {"parse": [], "users": []}


def test_request_without_conflict_collaborators_or_message(db):
    """No conflict → "🟢 No"; no collaborators or message → None."""
    booking = BookingFactory(start=T0, end=T0 + timedelta(hours=1))
    signals.booking_requested.send(sender=BookingGroup, group=booking.group, bookings=[booking], actor=booking.group.owner)
    content = only_row().payload["content"]
    assert "> Action Required: **🟢 No**" in content
    assert "> Collaborators: **None**" in content and content.endswith("> Message: None")


def test_decision_is_one_message_per_session_mentioning_owner_and_collaborators(world, manager):
    """Deciding two bookings at once posts once, pinging exactly the owner and the collaborators with a Discord id."""
    signals.booking_decided.send(
        sender=Booking, group=world["group"], bookings=world["bookings"], decision="confirmed", actor=manager, note="Enjoy <@&42>"
    )
    row = only_row("booking_decided")
    assert row.destination == "admin"
    lines = row.payload["content"].splitlines()
    assert lines[0] == f":white_check_mark: <@{ADA_ID}>, <@{BOB_ID}>, **cy**, your booking has been **CONFIRMED** by admin."
    assert "> Time Period: 01/07/2026 09:00 ~ 03/07/2026 14:00" in lines
    assert "> Bookings decided: **2**" in lines and "> Decided by: **manager**" in lines
    assert "> Note: Enjoy \\<@\u200b&42\\>" in lines
    assert row.payload["allowed_mentions"] == {"parse": [], "users": [ADA_ID, BOB_ID]}


def test_rejection_without_discord_ids_names_people_instead_of_none(db, manager):
    """The old `<@None>` is gone: people without a Discord id are named and nobody is pinged."""
    booking = BookingFactory(start=T0, end=T0 + timedelta(hours=1), group__owner=UserFactory(username="dan"))
    signals.booking_decided.send(sender=Booking, group=booking.group, bookings=[booking], decision="rejected", actor=manager, note="")
    row = only_row()
    assert row.payload["content"].startswith(":x: **dan**, your booking has been **REJECTED** by admin.")
    assert "None" not in row.payload["content"]
    assert row.payload["allowed_mentions"]["users"] == []


def test_cancellation_mentions_the_others_concerned_not_the_actor(world):
    """The owner who cancels is named; collaborators with a Discord id are mentioned."""
    signals.booking_cancelled.send(sender=Booking, group=world["group"], bookings=world["bookings"], actor=world["ada"])
    row = only_row("booking_cancelled")
    assert row.destination == "admin"
    assert f"> Session of: **ada**, <@{BOB_ID}>, **cy**" in row.payload["content"]
    assert "> Cancelled by: **ada**" in row.payload["content"]
    assert row.payload["allowed_mentions"]["users"] == [BOB_ID]


def test_rebook_and_extension_go_to_the_booking_channel(world):
    """Rebooked sessions and extensions are new requests for the managers' channel."""
    signals.booking_rebooked.send(
        sender=BookingGroup, group=world["group"], source=world["group"], bookings=world["bookings"], actor=world["ada"]
    )
    signals.booking_extended.send(sender=BookingGroup, group=world["group"], bookings=world["bookings"][:1], actor=world["bob"])
    rebooked, extended = Notification.objects.order_by("id")
    assert rebooked.destination == extended.destination == "booking"
    assert "> New window: **01/07/2026 09:00 → 03/07/2026 14:00**" in rebooked.payload["content"]
    assert rebooked.payload["content"].startswith(":repeat: **Booking Group Re-created**")
    assert "> Extended by: **bob**" in extended.payload["content"]
    assert "> New end: **03/07/2026 14:00**" in extended.payload["content"]
    assert "> Awaiting a decision: **1** booking" in extended.payload["content"]


def test_maintenance_that_hits_bookings_mentions_everyone_affected(world, manager):
    """Users whose bookings a maintenance window rejected or cancelled are mentioned."""
    window = MaintenanceWindowFactory(device=world["r1"], start=T0, end=T0 + timedelta(hours=6), reason="Fibre *swap*")
    other = BookingFactory(device=world["r1"], start=T0, end=T0 + timedelta(hours=1), group__owner=UserFactory(username="eve"))
    signals.maintenance_scheduled.send(
        sender=MaintenanceWindow, window=window, rejected=[world["bookings"][1]], cancelled=[other], actor=manager
    )
    row = only_row("maintenance_scheduled")
    content = row.payload["content"]
    assert "> Device: **ROADM \\- roadm\\-1**" in content and "> Reason: Fibre \\*swap\\*" in content
    assert "> Requests rejected: **1**" in content and "> Confirmed bookings cancelled: **1**" in content
    assert f"> Affected: <@{ADA_ID}>, <@{BOB_ID}>, **cy**, **eve**" in content
    assert row.payload["allowed_mentions"]["users"] == [ADA_ID, BOB_ID]


def test_maintenance_that_hits_nothing_is_not_announced(world, manager):
    window = MaintenanceWindowFactory(device=world["r1"], start=T0, end=T0 + timedelta(hours=6))
    signals.maintenance_scheduled.send(sender=MaintenanceWindow, window=window, rejected=[], cancelled=[], actor=manager)
    assert not Notification.objects.exists()


def test_expiry_and_reminders_post_one_message_per_session(world):
    """Expired requests and reminders spanning sessions produce one message per session."""
    stranger = BookingFactory(start=T0, end=T0 + timedelta(hours=1), group__owner=UserFactory(username="fay"))
    signals.booking_expired.send(sender=Booking, bookings=[*world["bookings"], stranger])
    signals.booking_reminder.send(sender=Booking, bookings=world["bookings"], kind="start")
    signals.booking_reminder.send(sender=Booking, bookings=[world["bookings"][0]], kind="end")
    rows = list(Notification.objects.order_by("id"))
    assert [r.event for r in rows] == [
        "booking_expired", "booking_expired", "booking_reminder_start", "booking_reminder_end"
    ]
    assert all(r.destination == "admin" for r in rows)
    assert rows[0].payload["content"].startswith(f":hourglass_flowing_sand: <@{ADA_ID}>, <@{BOB_ID}>, **cy**, your booking request has **EXPIRED**")
    assert rows[1].payload["content"].startswith(":hourglass_flowing_sand: **fay**,")
    assert rows[2].payload["content"].startswith(f":alarm_clock: <@{ADA_ID}>, <@{BOB_ID}>, **cy**, your booking starts at **01/07/2026 09:00**.")
    assert rows[3].payload["content"].startswith(f":hourglass: <@{ADA_ID}>, <@{BOB_ID}>, **cy**, your booking ends at **03/07/2026 14:00**.")
    assert rows[3].payload["allowed_mentions"] == {"parse": [], "users": [ADA_ID, BOB_ID]}


def test_hostile_text_cannot_mention_or_inject_markdown(db, manager):
    """Usernames, messages, notes and device names typed by users are inert in every message."""
    evil = UserFactory(username="@everyone")
    group = BookingGroupFactory(owner=evil, message="@here <@&123456789012345678> **urgent** [click](http://x) <#1>\n# big")
    group.collaborators.set([UserFactory(username="@here")])
    device = DeviceFactory(name="<@123456789012345678>`x`", device_type=DeviceTypeFactory(name="@everyone||"))
    booking = BookingFactory(group=group, device=device, start=T0, end=T0 + timedelta(hours=1))
    signals.booking_requested.send(sender=BookingGroup, group=group, bookings=[booking], actor=evil)
    signals.booking_decided.send(sender=Booking, group=group, bookings=[booking], decision="rejected", actor=manager, note="@everyone **no**")
    signals.booking_cancelled.send(sender=Booking, group=group, bookings=[booking], actor=manager)
    for row in Notification.objects.all():
        content = row.payload["content"]
        assert_no_raw_mentions(content)
        assert "**urgent**" not in content and "](" not in content and "\n#" not in content
        assert row.payload["allowed_mentions"] == {"parse": [], "users": []}


def test_long_sessions_fit_in_one_discord_message(db, manager):
    """150 devices and a long message stay under 2,000 characters, the list ending "…and N more"."""
    owner = UserFactory(username="x" * 150)
    group = BookingGroupFactory(owner=owner, message="m" * 2000)
    group.collaborators.set([UserFactory(username=f"collaborator-{i}-{'y' * 100}") for i in range(30)])
    kind = DeviceTypeFactory(name="Transponder")
    bookings = [
        BookingFactory(group=group, device=DeviceFactory(name=f"teraflex-{i:03d}-{'z' * 80}", device_type=kind), start=T0, end=T0 + timedelta(hours=1))
        for i in range(150)
    ]
    signals.booking_requested.send(sender=BookingGroup, group=group, bookings=bookings, actor=owner)
    signals.booking_decided.send(sender=Booking, group=group, bookings=bookings, decision="confirmed", actor=manager, note="n" * 1000)
    signals.booking_cancelled.send(sender=Booking, group=group, bookings=bookings, actor=manager)
    signals.booking_expired.send(sender=Booking, bookings=bookings)
    for row in Notification.objects.all():
        content = row.payload["content"]
        assert len(content) <= MAX_CONTENT, (row.event, len(content))
        assert re.search(r"…and \d+ more", content), row.event


def test_nothing_is_recorded_when_the_change_rolls_back(world):
    """Rows are written in the sender's transaction: a rolled-back change leaves no notification."""
    with pytest.raises(RuntimeError), transaction.atomic():
        signals.booking_requested.send(sender=BookingGroup, group=world["group"], bookings=world["bookings"], actor=world["ada"])
        assert Notification.objects.count() == 1
        raise RuntimeError("the booking service failed after sending the signal")
    assert not Notification.objects.exists()


def test_empty_webhook_url_records_but_disables(world, settings):
    """Without a webhook URL the event is kept (status disabled) and never queued for delivery."""
    settings.DISCORD_BOOKING_WEBHOOK_URL = ""
    signals.booking_requested.send(sender=BookingGroup, group=world["group"], bookings=world["bookings"], actor=world["ada"])
    row = only_row()
    assert row.status == NotificationStatus.DISABLED and row.payload["content"]


def test_recording_does_no_network_io(world, monkeypatch):
    """The request path never talks to Discord: receivers only write rows."""
    import socket

    import requests

    def refuse(*args, **kwargs):
        raise AssertionError("network I/O on the request path")

    monkeypatch.setattr(requests.Session, "request", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    signals.booking_requested.send(sender=BookingGroup, group=world["group"], bookings=world["bookings"], actor=world["ada"])
    signals.booking_cancelled.send(sender=Booking, group=world["group"], bookings=world["bookings"], actor=world["ada"])
    assert Notification.objects.count() == 2


def test_a_broken_message_never_breaks_the_change(world, monkeypatch):
    """If building a message fails, the error is logged and the sender's transaction goes on."""
    from scheduler.notifications import messages as booking_messages

    def broken(**kwargs):
        raise ValueError("bug in a message builder")

    monkeypatch.setattr(booking_messages, "requested", broken)
    with transaction.atomic():
        signals.booking_requested.send(sender=BookingGroup, group=world["group"], bookings=world["bookings"], actor=world["ada"])
        BookingFactory(group=world["group"], device=world["r1"], start=T0 + timedelta(days=9), end=T0 + timedelta(days=9, hours=1))
    assert not Notification.objects.exists()
    assert Booking.objects.filter(group=world["group"]).count() == 3


def test_a_decision_nobody_made_does_not_claim_an_admin(db):
    """An automatic confirmation (actor None, e.g. re-evaluation on a type without approval) says so."""
    booking = BookingFactory(start=T0, end=T0 + timedelta(hours=1), group__owner=UserFactory(username="dan"))
    signals.booking_decided.send(sender=Booking, group=booking.group, bookings=[booking], decision="confirmed",
                                 actor=None, note="Confirmed automatically.")
    content = only_row().payload["content"]
    assert content.startswith(":white_check_mark: **dan**, your booking has been **CONFIRMED** automatically.")
    assert "Decided by" not in content and "> Note: Confirmed automatically." in content
