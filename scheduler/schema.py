"""OpenAPI: constraints the scheduler's inputs enforce that the serializers cannot describe themselves."""

from scheduler.services.booking import MAX_ITEMS

# Request bodies whose `items` list must hold 1..MAX_ITEMS entries (DRF's ListSerializer min/max
# lengths are not emitted by drf-spectacular).
ITEM_LISTS = ("BookingGroupCreateInputRequest", "BookingPreviewInputRequest")
ACCESS_CHECK = "AccessCheckInputRequest"


def scheduler_constraints_postprocess(result, generator, request, public):
    """drf-spectacular hook: non-empty `items`; access-check needs `patches` or `ports`."""
    schemas = result.get("components", {}).get("schemas", {})
    for name in ITEM_LISTS:
        if name in schemas:
            schemas[name]["properties"]["items"].update({"minItems": 1, "maxItems": MAX_ITEMS})
    if ACCESS_CHECK in schemas:
        schemas[ACCESS_CHECK]["anyOf"] = [{"required": ["patches"]}, {"required": ["ports"]}]
        body = result["paths"].get("/api/scheduler/access-check/", {}).get("post", {}).get("requestBody")
        if body is not None:
            body["required"] = True
    return result
