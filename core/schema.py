"""OpenAPI description of labsite's own authentication class."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class AutoSchema(SpectacularAutoSchema):
    """Filter parameters are documented where they apply: on lists (see core/api/filtering.py)."""

    def get_filter_backends(self):
        if self.method != "GET" or getattr(self.view, "action", "list") not in ("list", None):
            return []
        return super().get_filter_backends()


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "core.authentication.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An API token, sent as `Token <key>`. Create one with POST /api/auth/token/.",
        }


# Every API error answers JSON through core.api.exception_handler; these are the ones any operation
# can give, so that clients (and schema fuzzers) find every status code they will see documented.
_ERROR_DESCRIPTIONS = {
    "400": "Invalid input: `{field: [messages]}` for field errors, `{detail}` otherwise.",
    "401": "No valid credentials: sign in or send `Authorization: Token <key>`.",
    "403": "Signed in but not allowed to do this.",
    "404": "No such object, or not visible to you.",
    "406": "The Accept header asks for a format the API does not produce.",
    "409": "Other objects still refer to this one; remove or reassign them first.",
    "415": "The body's Content-Type is not JSON (or multipart, where files are sent).",
}


# Request bodies whose serializers refuse any field they do not name (a 400 naming it).
CLOSED_BODIES = ("PatchedProfileUpdateInputRequest",)


def error_responses_postprocess(result, generator, request, public):
    """drf-spectacular hook: document the error answers every operation can give, with their shape.

    400 may carry field errors (`{field: [messages]}`) as well as `{detail}`, so its schema allows both
    whatever a view declared; the other codes keep a view's own description and schema when it has one.
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    }
    schemas["InvalidInput"] = {
        "type": "object",
        "description": "`{detail}` and/or `{field: [messages]}`; `non_field_errors` for the whole input.",
        "properties": {"detail": {"type": "string"}},
        "additionalProperties": True,
    }
    for name in CLOSED_BODIES:
        if name in schemas:
            schemas[name]["additionalProperties"] = False
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            codes = ["400", "401", "403", "406"]
            if "{" in path:
                codes.append("404")
            if "requestBody" in operation:
                codes.append("415")
            if method == "delete":
                codes.append("409")
            for code in codes:
                response = responses.setdefault(code, {"description": _ERROR_DESCRIPTIONS[code]})
                shape = "InvalidInput" if code == "400" else "Error"
                if code == "400" or not response.get("content"):
                    response["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{shape}"}}}
    return result
