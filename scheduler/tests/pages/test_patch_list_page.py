"""The patch-list page: labels matched in any case, unknown ones with suggestions, devices picked."""

import pytest
from django.urls import reverse

from scheduler.cart import Cart

pytestmark = pytest.mark.django_db


def test_paste_matches_labels_and_picks_devices(web, roadm, teraflex):
    response = web.post(reverse("patch-list"), {"text": "[('TF_1', 'roadm_10_p2'), ('roadm_10_line', 'reel_9')]"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<code>tf_1</code>" in html and "<code>roadm_10_p2</code>" in html  # stored spelling shown
    assert "Unknown port labels" in html and "<code>reel_9</code>" in html
    assert web.session["cart_devices"] == [teraflex.pk, roadm.pk]
    assert Cart(web.session).patches == [["TF_1", "roadm_10_p2"], ["roadm_10_line", "reel_9"]]
    # The pairs stay visible on the cart page as the cross-connects to make.
    assert "Cross-connects to make" in web.get(reverse("cart")).content.decode()


def test_unknown_label_suggests_close_matches(web, roadm):
    html = web.post(reverse("patch-list"), {"text": "roadm_10_p3 roadm_10_lin"}).content.decode()
    assert "did you mean <code>roadm_10_p2</code>" in html
    assert "None of these port labels is known" in html


def test_unparseable_text_shows_the_field_error(web):
    html = web.post(reverse("patch-list"), {"text": "hello"}).content.decode()
    assert "is not a connection" in html


def test_picked_devices_into_cart_for_dates(web, roadm, teraflex, now):
    """The result's form puts the devices behind the labels into the cart for the chosen dates."""
    web.post(reverse("patch-list"), {"text": "tf_1 roadm_10_p2"})
    web.post(reverse("cart-add-range"), {"devices": [teraflex.pk, roadm.pk], "first_day": "2026-12-02",
                                         "last_day": "2026-12-02", "preset": "all_day"})
    assert sorted(i["device"] for i in Cart(web.session).items) == sorted([teraflex.pk, roadm.pk])
