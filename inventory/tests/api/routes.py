"""Paths of the inventory API, for tests."""

API = "/api/inventory"


def url(*parts) -> str:
    """`url("devices", 3, "history")` -> /api/inventory/devices/3/history/"""
    return "/".join([API, *(str(p) for p in parts)]) + "/"
