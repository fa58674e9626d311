def only_public_api(endpoints):
    """Keep the OpenAPI schema to our contract (`/api/v1/`), not Wagtail's admin API."""
    return [e for e in endpoints if e[0].startswith("/api/v1/")]


# The error answers every endpoint can give (api-contract.md, "General"), added to each
# operation of the schema unless its view documents that status itself. Views then only
# document what is particular to them (a 409 on a stale version, a 410 on a spent link).
ERROR_COMPONENT = "ApiError"
VALIDATION_ERROR_COMPONENT = "ApiValidationError"
ERROR_SCHEMAS = {
    ERROR_COMPONENT: {
        "type": "object",
        "description": 'Every non-field error: `{"detail": "..."}`.',
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    VALIDATION_ERROR_COMPONENT: {
        "type": "object",
        "description": 'Bad input: `{"detail": "..."}` or field errors `{"field": ["message"], ...}`.',
        "additionalProperties": True,
    },
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "integer", "minimum": 0},
    }
}


def _json(component: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}}


def _is_vague(response: dict) -> bool:
    """No body documented, or only "some object": the client cannot know what comes."""
    content = response.get("content")
    if not content:
        return True
    for media in content.values():
        schema = media.get("schema") or {}
        if "$ref" in schema or schema.get("properties") or "anyOf" in schema or "oneOf" in schema:
            return False
        if schema.get("type") not in (None, "object"):
            return False
    return True


def _ref(component: str) -> dict:
    return {"$ref": f"#/components/schemas/{component}"}


def document_error_bodies(operation: dict, takes_input: bool) -> None:
    """Every error answer of `operation` gets its JSON body: the shared `ApiError`
    (`{"detail"}`) or, for a 400, `ApiValidationError` (field errors). A 400 documented with a
    body of its own (e.g. submit's findings) may also be plain field errors (a `confirm`
    that is not a boolean), so it becomes "either"."""
    for code, response in operation.get("responses", {}).items():
        if not code.isdigit() or int(code) < 400:
            continue
        component = VALIDATION_ERROR_COMPONENT if code == "400" else ERROR_COMPONENT
        if _is_vague(response):
            response["content"] = _json(component)
            continue
        if code != "400" or not takes_input:
            continue
        schema = response["content"].get("application/json", {}).get("schema", {})
        if "$ref" in schema and schema["$ref"] != _ref(VALIDATION_ERROR_COMPONENT)["$ref"]:
            response["content"]["application/json"]["schema"] = {
                "anyOf": [schema, _ref(VALIDATION_ERROR_COMPONENT)]
            }


def _requires_credentials(operation: dict, default_security: list) -> bool:
    security = operation.get("security", default_security)
    return bool(security) and {} not in security


def standard_error_responses(result, generator, request, public):
    """Postprocessing hook: document 400/401/403/404/429 on every operation that can give them.

    - 400 where the operation takes query parameters or a body (bad filters, bad fields,
      JSON nested too deeply);
    - 413 where it takes a body (over `DATA_UPLOAD_MAX_MEMORY_SIZE`, or an upload over its
      limit: `reflect.api.parsers`, `reflect.uploads`);
    - 401 and 403 where credentials are required (none sent; a role that may never do this);
    - 404 everywhere (out of scope is 404; a page past the end of a list is 404);
    - 415 where a body is taken (a body that is not JSON; multipart where a file is sent);
    - 429 with `Retry-After` everywhere (per-user and per-scope throttles);
    and a JSON body for every error answer, documented here or by the view
    (`document_error_bodies`).
    """
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in ERROR_SCHEMAS.items():
        schemas.setdefault(name, schema)
    default_security = result.get("security", [])
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = operation.setdefault("responses", {})
            takes_input = bool(operation.get("requestBody")) or any(
                p.get("in") == "query" for p in operation.get("parameters", [])
            )
            wanted = {"404": ("Not found, or outside your scope.", ERROR_COMPONENT)}
            if takes_input:
                wanted["400"] = ("Bad input.", VALIDATION_ERROR_COMPONENT)
            if operation.get("requestBody"):
                kinds = " or ".join(operation["requestBody"].get("content", {})) or "JSON"
                wanted["415"] = (f"The body is not {kinds}.", ERROR_COMPONENT)
                wanted["413"] = (
                    "The request body, or the file in it, is over its size limit.",
                    ERROR_COMPONENT,
                )
            if _requires_credentials(operation, default_security):
                wanted["401"] = ("No credentials, or invalid ones.", ERROR_COMPONENT)
                wanted["403"] = ("Your role may not do this.", ERROR_COMPONENT)
            wanted["429"] = ("Too many requests: wait `Retry-After` seconds.", ERROR_COMPONENT)
            for code, (description, component) in wanted.items():
                if code in responses:
                    continue
                responses[code] = {"description": description, "content": _json(component)}
                if code == "429":
                    responses[code]["headers"] = RETRY_AFTER
            document_error_bodies(operation, takes_input)
    return result
