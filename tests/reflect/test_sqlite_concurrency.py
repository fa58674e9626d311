"""SQLite as a real embedded default (issue 12, item 7): eight parallel PATCHes of one
reflection with the same `version`, sent to `manage.py runserver` (threaded, as `make run`
serves) over a file database, give one 200 and seven 409s, never "database is locked".

The server runs in a second process on its own SQLite file, whatever database the rest of
the suite uses: this is the embedded default people get from `make run`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PARALLEL = 8

SETUP = """
import json
from tests.factories import LearnerFactory, ReflectionFactory
from reflect import tokens
learner = LearnerFactory(username="parallel")
reflection = ReflectionFactory(learner=learner)
_, key = tokens.issue(learner, client="test")
print("SETUP" + json.dumps({"id": reflection.pk, "version": reflection.version, "key": key}))
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env, *args, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        **kwargs,
    )


@pytest.fixture
def server(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PYTHONPATH": str(ROOT),
    }
    manage(env, "migrate", "--no-input", "-v0")
    out = manage(env, "shell", "-c", SETUP).stdout
    data = json.loads(out.split("SETUP", 1)[1])
    port = free_port()
    log = open(tmp_path / "server.log", "w")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/api/v1/", timeout=1)
                break
            except urllib.error.HTTPError:
                break  # it answered
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("runserver did not start: " + (tmp_path / "server.log").read_text())
        yield base, data, tmp_path / "server.log"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def patch(base, data, n, barrier, results):
    body = json.dumps({"version": data["version"], "title": f"Parallel title {n}"}).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/reflections/{data['id']}/",
        data=body,
        method="PATCH",
        headers={"Content-Type": "application/json", "Authorization": f"Token {data['key']}"},
    )
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            results.append((response.status, response.read().decode()))
    except urllib.error.HTTPError as error:
        results.append((error.code, error.read().decode()))


def test_parallel_saves_of_one_version_give_one_200_and_seven_409s(server):
    base, data, log = server
    barrier = threading.Barrier(PARALLEL)
    results: list[tuple[int, str]] = []
    threads = [
        threading.Thread(target=patch, args=(base, data, n, barrier, results)) for n in range(PARALLEL)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(status for status, _ in results)
    assert statuses == [200] + [409] * (PARALLEL - 1), (results, log.read_text()[-3000:])
    assert "database is locked" not in log.read_text()
    # The one that won is what is stored, and its version moved on by exactly one.
    request = urllib.request.Request(
        f"{base}/api/v1/reflections/{data['id']}/", headers={"Authorization": f"Token {data['key']}"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        stored = json.loads(response.read())
    winner = next(json.loads(body) for status, body in results if status == 200)
    assert stored["title"] == winner["title"]
    assert stored["version"] == data["version"] + 1
