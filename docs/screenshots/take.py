#!/usr/bin/env python
"""Take the README's screenshots from the demo site, as people see it.

    .venv/bin/python docs/screenshots/take.py

Makes a throwaway SQLite database with `seed_demo`, serves it with `runserver` on a free
port, signs in as each demo person through the sign-in form and follows the site's own
links (Debian's Chromium through Playwright), then writes the PNGs beside this script.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
PASSWORD = "shots-Demo-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="reflect-shots-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp}/db.sqlite3",
        "MEDIA_ROOT": str(tmp / "media"),
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
    }
    py = sys.executable
    run = {"cwd": ROOT, "env": env, "check": True, "stdout": subprocess.DEVNULL}
    subprocess.run([py, "manage.py", "migrate", "--no-input"], **run)
    subprocess.run([py, "manage.py", "seed_demo", "--password", PASSWORD], **run)
    port = free_port()
    server = subprocess.Popen(
        [py, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        shoot(base)
    finally:
        server.terminate()
        server.wait(10)


def shoot(base: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )

        def page_for(username: str, width: int = 1280, height: int = 860):
            context = browser.new_context(base_url=base, viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto("/accounts/login/")
            page.get_by_label("Username").fill(username)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            return page

        def nav(page, label: str):
            menu = page.get_by_role("navigation", name="Your work")
            links = menu.get_by_role("link", name=label, exact=True)
            if not links.count():  # a count in the name ("To mark 2")
                links = menu.get_by_role("link", name=label)
            links.first.click()
            page.wait_for_load_state()

        def save(page, name: str, full: bool = False):
            page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
            print("wrote", name)

        learner = page_for("learner1_1")
        save(learner, "learner-dashboard")
        nav(learner, "New reflection")
        learner.get_by_role("button", name="Start writing").click()
        learner.wait_for_load_state()
        learner.wait_for_timeout(1500)  # the editors start
        learner.get_by_label("Title").fill("Home visit with the community matron")
        editor = learner.locator(".ProseMirror").first
        editor.click()
        editor.type("We visited a man who lives alone above a shop; his patient number is 943 476 5919.")
        learner.wait_for_timeout(4000)  # autosave, with the identifier check
        save(learner, "learner-editor")

        tutor = page_for("tutor1_1")
        nav(tutor, "Learners")
        tutor.get_by_role("link", name="Theme coverage by cohort").click()
        tutor.wait_for_load_state()
        save(tutor, "tutor-coverage", full=True)
        nav(tutor, "To mark")
        save(tutor, "tutor-to-mark")

        examiner = page_for("examiner1")
        nav(examiner, "ARCP panels")
        examiner.locator("main table a, main .cards a").first.click()
        examiner.wait_for_load_state()
        save(examiner, "examiner-panel-learner", full=True)

        phone = page_for("learner1_1", 390, 844)
        nav(phone, "My ARCP")
        save(phone, "learner-arcp-phone", full=True)

        admin = page_for("admin")
        admin.goto("/admin/")
        admin.wait_for_load_state()
        save(admin, "admin-home")
        browser.close()


if __name__ == "__main__":
    main()
