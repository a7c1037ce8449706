"""The inventory API is fully typed in the OpenAPI schema."""

from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema


def test_inventory_schema_generates_without_warnings(db):
    """Every inventory endpoint has request and response types that drf-spectacular can describe."""
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=None, urlconf="labsite.urls")
    with GENERATOR_STATS.silence():
        schema = generator.get_schema(request=None, public=True)
    validate_schema(schema)
    inventory_warnings = [w for w in GENERATOR_STATS._warn_cache if "inventory" in w]
    inventory_errors = [e for e in GENERATOR_STATS._error_cache if "inventory" in e]
    assert inventory_warnings == [] and inventory_errors == []
    paths = [p for p in schema["paths"] if p.startswith("/api/inventory/")]
    for expected in ("devices/", "devices/{id}/history/", "devices/{id}/attachments/", "attachments/{id}/download/",
                     "stats/", "ports/", "device-types/", "manufacturers/", "sites/", "tags/"):
        assert f"/api/inventory/{expected}" in paths
