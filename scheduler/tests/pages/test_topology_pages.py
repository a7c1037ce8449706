"""Topology pages on the server side: who may see them, what the composer is given, no inline code."""

import json
import re

import pytest
from django.urls import reverse

from inventory.tests.factories import DeviceFactory, DeviceTypeFactory

pytestmark = pytest.mark.django_db


def composer_data(response) -> dict:
    match = re.search(r'<script id="composer-data" type="application/json">(.*?)</script>', response.content.decode(), re.S)
    assert match, "the composer's data block is missing"
    return json.loads(match.group(1))


def assert_no_inline_code(html: str) -> None:
    """Only data blocks and external scripts, no style attributes (the Content Security Policy)."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "<style" not in html


def test_composer_needs_sign_in(client):
    response = client.get(reverse("topology-new"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_composer_palette_holds_the_bookable_types_the_lab_has(web):
    roadm = DeviceTypeFactory(name="ROADM")
    DeviceFactory(device_type=roadm)
    DeviceFactory(device_type=roadm, status="retired")
    DeviceFactory(device_type=DeviceTypeFactory(name="PDU", is_schedulable=False))
    DeviceFactory(device_type=DeviceTypeFactory(name="OSA"), status="maintenance")  # none bookable
    DeviceTypeFactory(name="Router")  # no device at all
    response = web.get(reverse("topology-new"))
    assert response.status_code == 200
    data = composer_data(response)
    assert [t["name"] for t in data["device_types"]] == ["ROADM"]
    html = response.content.decode()
    assert 'aria-label="Add a ROADM node"' in html and "Add a PDU node" not in html
    assert data["topology"] is None
    assert data["urls"]["api"] == "/api/scheduler/topologies/"
    assert_no_inline_code(html)


def test_composer_controls_are_labelled(web):
    DeviceFactory(device_type=DeviceTypeFactory(name="ROADM"))
    html = web.get(reverse("topology-new")).content.decode()
    ids = re.findall(r'<(?:input|select|textarea)\b[^>]*\bid="([^"]+)"', html)
    for control_id in ids:
        if control_id.startswith("mode-") or control_id == "id_csrfmiddlewaretoken":
            assert f'for="{control_id}"' in html or control_id == "id_csrfmiddlewaretoken"
            continue
        assert f'for="{control_id}"' in html, f"#{control_id} has no label"
