"""The booking cart page: presets, per-item preview, submit, refusals keep the cart, suggestions."""

from datetime import UTC, datetime

import pytest
from django.test import Client
from django.urls import reverse

from core.tests.factories import UserFactory
from inventory.tests.factories import DeviceFactory, DeviceTypeFactory
from scheduler.cart import Cart, preset_windows
from scheduler.models import BookingGroup
from scheduler.tests.factories import BookingFactory, BookingGroupFactory

pytestmark = pytest.mark.django_db


def utc(day, hour):
    return datetime(2026, 12, day, hour, tzinfo=UTC)


def body(response) -> str:
    return response.content.decode()


def add_range(web, devices, first, last, preset, **extra):
    return web.post(reverse("cart-add-range"), {
        "devices": [d.pk for d in devices], "first_day": first, "last_day": last, "preset": preset, **extra,
    })


def test_presets_cover_the_lab_slots():
    """Morning/afternoon/overnight are the lab's slots per day; all day is one 07–07 window."""
    from datetime import date, time

    overnight = preset_windows(first=date(2026, 12, 2), last=date(2026, 12, 3), preset="overnight")
    assert overnight == [(utc(2, 18), utc(3, 7)), (utc(3, 18), utc(4, 7))]
    assert preset_windows(first=date(2026, 12, 2), last=date(2026, 12, 4), preset="all_day") == [(utc(2, 7), utc(5, 7))]
    custom = preset_windows(first=date(2026, 12, 2), last=date(2026, 12, 2), preset="custom",
                            start_time=time(22), end_time=time(2))
    assert custom == [(utc(2, 22), utc(3, 2))]


def test_devices_by_date_range_into_cart(web, roadm, teraflex, now):
    """Devices × a date range × a preset become one item per device and window."""
    response = add_range(web, [roadm, teraflex], "2026-12-02", "2026-12-03", "morning")
    assert response.status_code == 302
    assert len(Cart(web.session)) == 4


def test_custom_hours_required_for_custom_preset(web, roadm, now):
    """The custom preset without hours is refused with a message; the cart is unchanged."""
    add_range(web, [roadm], "2026-12-02", "2026-12-02", "custom")
    assert len(Cart(web.session)) == 0
    assert "Give the start hour" in body(web.get(reverse("cart")))


def test_preview_shows_free_conflicting_and_refused(web, other_member, roadm, teraflex, now):
    """Before submitting, each item says free, shared (conflicting) or cannot be booked, and why."""
    BookingFactory(group=BookingGroupFactory(owner=other_member), device=roadm, start=utc(2, 7), end=utc(2, 12), status="pending")
    BookingFactory(group=BookingGroupFactory(owner=other_member), device=teraflex, start=utc(2, 7), end=utc(2, 12), status="confirmed")
    add_range(web, [roadm, teraflex], "2026-12-02", "2026-12-02", "morning")
    add_range(web, [roadm], "2026-12-04", "2026-12-04", "afternoon")
    html = body(web.get(reverse("cart")))
    assert html.count('class="outcome-free"') == 1
    assert html.count('class="outcome-conflicting"') == 1 and "Shares ROADM 10 with other" in html
    assert html.count('class="outcome-refused"') == 1
    assert "Some items cannot be booked" in html


def test_submit_creates_one_session(web, member, roadm, teraflex, now):
    """Submitting the cart makes one session with all items, the collaborators and the message."""
    UserFactory(username="bo")
    add_range(web, [roadm, teraflex], "2026-12-02", "2026-12-03", "all_day")
    response = web.post(reverse("cart-submit"), {"collaborators": "bo", "message": "OSNR sweep"})
    assert response.status_code == 302 and response["Location"] == reverse("my-bookings")
    group = BookingGroup.objects.get()
    assert group.owner == member and group.message == "OSNR sweep"
    assert [u.username for u in group.collaborators.all()] == ["bo"]
    assert sorted((b.device.name, b.start, b.end) for b in group.bookings.all()) == [
        ("ROADM 10", utc(2, 7), utc(4, 7)), ("TeraFlex 1", utc(2, 7), utc(4, 7)),
    ]
    assert len(Cart(web.session)) == 0


def test_refusal_keeps_the_cart_and_marks_the_item(web, other_member, roadm, teraflex, now):
    """A full device refuses the whole request: nothing is booked, the cart stays, the item shows why."""
    BookingFactory(group=BookingGroupFactory(owner=other_member), device=teraflex, start=utc(2, 7), end=utc(2, 12), status="confirmed")
    add_range(web, [roadm, teraflex], "2026-12-02", "2026-12-02", "morning")
    response = web.post(reverse("cart-submit"), {"collaborators": "", "message": "keep me"}, follow=True)
    html = body(response)
    assert not BookingGroup.objects.filter(owner__username="member").exists()
    assert len(Cart(web.session)) == 2
    assert "Nothing was booked: 1 of 2 items cannot be booked" in html
    assert "keep me" in html  # the message typed is kept too
    # The item is marked, and its reason appears once (the fresh check says what the submit said).
    assert html.count("data-failed") == 1
    assert "Some items cannot be booked" not in html  # the message above already says so
    reason = "TeraFlex 1 is fully booked"
    assert html.count(reason) == 1, html


def test_refusal_reason_differing_from_the_check_is_shown(web, roadm, now):
    """If the submit refused an item for a reason the fresh check no longer gives, both are shown."""
    add_range(web, [roadm], "2026-12-02", "2026-12-02", "morning")
    cart = Cart(web.session)
    cart.set_failures({0: "ROADM 10 was taken a moment ago."})
    session = web.session
    session[Cart.SESSION_KEY] = cart.data
    session.save()
    html = body(web.get(reverse("cart")))
    assert "Refused when you submitted: ROADM 10 was taken a moment ago." in html
    assert 'class="outcome-free"' in html


def test_unknown_collaborator_is_reported(web, roadm, now):
    add_range(web, [roadm], "2026-12-02", "2026-12-02", "morning")
    html = body(web.post(reverse("cart-submit"), {"collaborators": "nobody"}, follow=True))
    assert "Unknown username: nobody" in html
    assert len(Cart(web.session)) == 1


def test_remove_item_and_clear(web, roadm, teraflex, now):
    add_range(web, [roadm, teraflex], "2026-12-02", "2026-12-02", "morning")
    web.post(reverse("cart-remove", args=[0]))
    assert [i["device"] for i in Cart(web.session).items] == [teraflex.pk]
    web.post(reverse("cart-clear"))
    assert len(Cart(web.session)) == 0


def test_collaborator_suggestions(web, member):
    """The collaborators box suggests active usernames containing the last name typed, not yourself."""
    UserFactory(username="bob")
    UserFactory(username="bobby", is_active=False)
    UserFactory(username="alice")
    html = body(web.get(reverse("user-suggestions"), {"collaborators": "alice, bo"}))
    assert '<option value="alice, bob">bob</option>' in html
    assert "bobby" not in html and "member" not in html


def test_cart_page_query_count(web, roadm, teraflex, now, django_assert_max_num_queries):
    """The cart page's queries don't grow with its items."""
    add_range(web, [roadm, teraflex], "2026-12-02", "2026-12-08", "morning")
    with django_assert_max_num_queries(25):
        assert web.get(reverse("cart")).status_code == 200


def test_cart_is_per_session(roadm, member, now):
    """Another browser session of someone else starts with an empty cart."""
    client = Client()
    client.force_login(UserFactory(username="zed"))
    assert len(Cart(client.session)) == 0


def _conflicting_cart(web, n):
    kind = DeviceTypeFactory(name="R")
    devices = [DeviceFactory(device_type=kind) for _ in range(n)]
    for i, device in enumerate(devices):
        BookingFactory(group=BookingGroupFactory(owner=UserFactory(username=f"u{i}")), device=device,
                       start=utc(2, 7), end=utc(2, 12))
    add_range(web, devices, "2026-12-02", "2026-12-02", "morning")


def test_cart_preview_queries_do_not_grow_with_conflicts(web, now, django_assert_max_num_queries):
    """Twelve items that would be shared cost no more queries than two."""
    _conflicting_cart(web, 12)
    with django_assert_max_num_queries(14):
        assert web.get(reverse("cart")).status_code == 200


def test_devices_list_in_natural_order(web):
    """The "devices for dates" list puts EDFA 2 before EDFA 10, like the grid."""
    kind = DeviceTypeFactory(name="EDFA")
    for name in ["EDFA 10", "EDFA 2", "EDFA 1"]:
        DeviceFactory(name=name, device_type=kind)
    html = body(web.get(reverse("cart")))
    assert html.index(">EDFA 1<") < html.index(">EDFA 2<") < html.index(">EDFA 10<")


def test_device_picker_options_carry_name_type_and_port_labels(web, roadm):
    """Each option of the picker says what the search matches; without script it is a plain multi-select."""
    html = body(web.get(reverse("cart")))
    assert "data-device-picker" in html and 'name="devices"' in html and "multiple" in html
    assert f'<option value="{roadm.pk}" data-search="ROADM 10 ROADM roadm_10_line roadm_10_p2">ROADM 10</option>' in html
    assert "scheduler/device_picker.js" in html
