def only_public_api(endpoints):
    """Keep the OpenAPI schema to our contract (`/api/v1/`), not Wagtail's admin API."""
    return [e for e in endpoints if e[0].startswith("/api/v1/")]
