"""The renderer fetches nothing but our own static and media files: tested with a real
listener on loopback that must receive zero requests."""

import http.server
import threading

import pytest
from django.utils import timezone

from arcp import pdf, services
from portfolio.models import Reflection
from tests.factories import arcp_reflection


@pytest.fixture
def listener():
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.hits = hits
    server.base = f"http://127.0.0.1:{server.server_address[1]}"
    yield server
    server.shutdown()
    server.server_close()


def hostile_html(base: str) -> str:
    return (
        f'<p>Look <img src="{base}/x.png" alt="x"></p>'
        f'<p style="background: url({base}/bg.png)">styled</p>'
        f"<div style=\"background-image: url('{base}/div.png')\">div</div>"
        f'<link rel="stylesheet" href="{base}/evil.css">'
        f'<style>@import url("{base}/import.css"); body {{ background: url({base}/body.png) }}</style>'
        f'<p><a href="{base}/link">a link</a></p>'
        f'<object data="{base}/obj.svg"></object><iframe src="{base}/frame"></iframe>'
        f'<svg><image href="{base}/svgimg.png" width="10" height="10"/></svg>'
    )


def test_injected_urls_in_a_reflection_cause_no_request(world, listener):
    reflection = arcp_reflection(world.learner_a, timezone.localdate(), title="Hostile body")
    # bypass the write-time sanitiser: the renderer must be safe on its own
    Reflection.objects.filter(pk=reflection.pk).update(body_html=hostile_html(listener.base))
    export = services.build_pack(world.learner_a, reflection.occurred_on, reflection.occurred_on, world.admin)
    assert export.size > 0
    assert listener.hits == []


def test_raw_html_rendered_directly_causes_no_request(listener):
    """Even without the render-time sanitiser, the fetcher refuses every outside URL."""
    fetcher = pdf.make_fetcher()
    data = pdf.html_to_pdf(f"<html><body>{hostile_html(listener.base)}</body></html>", fetcher=fetcher)
    assert data.startswith(b"%PDF")
    assert listener.hits == []
    assert any(url.startswith(listener.base) for url in fetcher.refused)


def test_static_files_are_served_and_nothing_else(settings, tmp_path):
    fetcher = pdf.make_fetcher()
    response = fetcher.fetch(pdf.static_url("reflect/css/site.css"))
    assert response.read().startswith(b"/*") or len(response.read()) >= 0
    assert response.content_type == "text/css"
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "ok.txt").write_text("hello")
    assert fetcher.fetch(pdf.BASE_URL + "media/ok.txt").read() == b"hello"
    refused = [
        pdf.BASE_URL + "static/../config/settings/base.py",
        pdf.BASE_URL + "static/%2e%2e/%2e%2e/manage.py",
        pdf.BASE_URL + "media/../secret.txt",
        pdf.BASE_URL + "media/%2e%2e/secret.txt",
        pdf.BASE_URL + "etc/passwd",
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.org/static/reflect/css/site.css",
        "data:image/png;base64,iVBORw0KGgo=",
        "ftp://127.0.0.1/x",
    ]
    (tmp_path.parent / "secret.txt").write_text("secret")
    for url in refused:
        with pytest.raises(pdf.RefusedURL):
            fetcher.fetch(url)
