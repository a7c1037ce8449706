"""The OpenAPI schema generates cleanly and the docs page is served without any CDN."""

import re
from io import StringIO
from urllib.parse import urlparse

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings_or_errors(tmp_path):
    """Every endpoint is typed: `spectacular --validate --fail-on-warn` passes for the whole API."""
    GENERATOR_STATS.reset()  # count only this run's warnings, not those of earlier tests
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stdout=StringIO(), stderr=StringIO())
    schema = yaml.safe_load(out.read_text())
    paths = schema["paths"]
    for path in ["/api/auth/register/", "/api/auth/token/", "/api/auth/tokens/", "/api/auth/tokens/{id}/revoke/", "/api/me/"]:
        assert path in paths, path
    # The sign-in endpoints need no credentials, and say so.
    for path in ["/api/auth/register/", "/api/auth/token/"]:
        assert paths[path]["post"].get("security", [{}]) == [{}], path
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    created = schema["components"]["schemas"]["TokenCreated"]
    assert "token" in created["properties"]
    assert "password" not in schema["components"]["schemas"]["User"]["properties"]


def test_schema_endpoint_answers(anon_client):
    """/api/schema/ serves the OpenAPI document."""
    response = anon_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert "/api/me/" in response.content.decode()


def test_docs_page_is_self_hosted(anon_client):
    """/api/docs/ loads Swagger UI from our static files (drf-spectacular-sidecar), nothing from a CDN."""
    response = anon_client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""<(?:script|link|img)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", html, flags=re.I)
    assert any("swagger-ui" in a for a in assets), html
    for asset in assets:
        parsed = urlparse(asset)
        assert not parsed.scheme and not parsed.netloc, f"{asset} is loaded from another host"
    # Whatever the page references must exist among our static files.
    for asset in assets:
        path = urlparse(asset).path
        if path.startswith("/static/"):
            assert finders.find(path.removeprefix("/static/")), f"{path} is not a static file"
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost|testserver)[\w.-]+/[^\s\"']*\.(?:js|css)", html)
