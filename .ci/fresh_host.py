"""The apps as a plugin, tried as a new user would (`.ci/fresh_host.sh` runs this).

Builds the wheel from this checkout, installs it into a new virtualenv in a temporary folder,
makes a new site with `wagtail start`, follows the README's "Add it to an existing Wagtail 7.4
site" literally (its code blocks are read from README.md and applied as written: `pip
install` of the wheel it names, the settings and URL conf edits, then each `python manage.py`
command), and then runs `.ci/fresh_host_probe.py` inside that site: every demo role signs in
and gets its dashboard, the admin's screens, the public feedback page, an API list, an ARCP
pack (a PDF), sign-out, password reset, and the lockout after AXES_FAILURE_LIMIT failures.

Standard library only; any failure stops the run with a message and a non-zero exit. The
temporary folder is removed on success and kept (its path printed) on failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ["reflect", "rubrics", "portfolio", "assessments", "feedback", "arcp"]
SITE = "mysite"
SECTION = "## Add it to an existing Wagtail 7.4 site"
PYTHON = os.environ.get("FRESH_HOST_PYTHON", "python3.11")

timings: list[tuple[str, float]] = []


class Failed(Exception):
    pass


def step(name: str):
    print(f"-- {name}", flush=True)
    started = time.monotonic()

    class _Timer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            timings.append((name, time.monotonic() - started))
            return False

    return _Timer()


def run(cmd: list[str], cwd: Path, env: dict[str, str], capture: bool = False) -> str:
    shown = " ".join(cmd)
    result = subprocess.run(cmd, cwd=cwd, env=env, text=True, capture_output=True)
    if result.returncode != 0:
        raise Failed(
            f"`{shown}` (in {cwd}) exited {result.returncode}\n--- stdout\n{result.stdout[-6000:]}"
            f"\n--- stderr\n{result.stderr[-6000:]}"
        )
    if not capture and result.stdout.strip():
        print("   " + "\n   ".join(result.stdout.strip().splitlines()[-15:]))
    return result.stdout


def readme_blocks() -> list[tuple[str, list[str]]]:
    """The fenced code blocks of the README's install section: (language, lines)."""
    text = (REPO / "README.md").read_text()
    if SECTION not in text:
        raise Failed(f"README.md has no section {SECTION!r}")
    section = text.split(SECTION, 1)[1].split("\n## ", 1)[0]
    blocks = []
    for lang, body in re.findall(r"^[ \t]*```(\w*)\n(.*?)^[ \t]*```", section, flags=re.M | re.S):
        lines = body.split("\n")
        indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
        blocks.append((lang, [line[indent:] for line in lines]))
    if not blocks:
        raise Failed("the README's install section has no code blocks")
    return blocks


def apply_python_block(lines: list[str], site: Path) -> str:
    """A block headed `# <path>, at the end` or `# <path>, first in urlpatterns`."""
    header = re.fullmatch(r"# (\S+), (at the end|first in urlpatterns)", lines[0].strip())
    if not header:
        raise Failed(f"README python block without a known '# <file>, <where>' header: {lines[0]!r}")
    target, where = site / header[1], header[2]
    if not target.exists():
        raise Failed(f"the README edits {header[1]}, which `wagtail start {SITE}` did not make")
    body = "\n".join(lines[1:]).strip("\n") + "\n"
    source = target.read_text()
    if where == "at the end":
        source = source.rstrip("\n") + "\n\n" + body
    else:
        opening = "urlpatterns = [\n"
        if opening not in source:
            raise Failed(f"{header[1]} has no `urlpatterns = [` line")
        indented = "".join(f"    {line}\n" if line.strip() else "\n" for line in body.splitlines())
        source = source.replace(opening, opening + indented, 1)
    target.write_text(source)
    return f"{header[1]}: {where}"


def scratch_dir() -> str | None:
    """A memory file system when there is one with room (~0.5 GB is used): the virtualenv's
    26,000 files are written and removed there in a second, against a minute or more on a
    busy disk. FRESH_HOST_TMP overrides; otherwise the usual temporary folder."""
    chosen = os.environ.get("FRESH_HOST_TMP")
    if chosen:
        return chosen
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 2 * 1024**3:
        return str(shm)
    return None


def main() -> int:
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="reflect-fresh-host-", dir=scratch_dir()))
    ok = False
    try:
        fresh_host(work)
        ok = True
    except Failed as exc:
        print(f"\nFRESH HOST FAILED: {exc}", file=sys.stderr)
    if ok:
        with step("remove the temporary folder"):
            shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"(kept for a look: {work})", file=sys.stderr)
    print("\nfresh host timings:")
    for name, seconds in timings:
        print(f"  {seconds:6.1f} s  {name}")
    print(f"  {time.monotonic() - started:6.1f} s  total")
    print("fresh host: passed" if ok else "fresh host: FAILED")
    return 0 if ok else 1


def fresh_host(work: Path) -> None:
    venv = work / "venv"
    site = work / SITE
    dist = work / "dist"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV", "DATABASE_URL", "PYTHONHOME"}
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"

    with step("fresh virtualenv"):
        run([PYTHON, "-m", "venv", str(venv)], work, env)

    with step("build the wheel (from a copy of the packaged files only)"):
        src = work / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(REPO / name, src / name)
        for package in PACKAGES:
            shutil.copytree(
                REPO / package, src / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        run([str(venv / "bin" / "pip"), "wheel", "--no-deps", "-q", "-w", str(dist), str(src)], work, env)
        wheels = sorted(dist.glob("*.whl"))
        if len(wheels) != 1:
            raise Failed(f"expected one wheel, got {wheels}")
        wheel = wheels[0]
        # Every file of the apps that git tracks (templates, static files, migrations,
        # commands, data) is in the wheel; only their Markdown notes are left out.
        listed = set(zipfile.ZipFile(wheel).namelist())
        tracked = subprocess.run(
            ["git", "ls-files", "-z", "--", *PACKAGES], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.split("\0")
        shipped = [f for f in tracked if f and (REPO / f).is_file() and not f.endswith(".md")]
        missing = [f for f in shipped if f not in listed]
        if missing or not tracked:
            raise Failed(f"the wheel lacks {len(missing)} of the apps' files: {missing[:20]}")
        for needed in ("reflect/templates/account/login.html", "portfolio/migrations/0001_initial.py"):
            if needed not in listed:
                raise Failed(f"the wheel lacks {needed}")
        print(f"   {wheel.name}: {len(listed)} files, every tracked file of the apps but *.md")

    blocks = readme_blocks()
    shell = [line.strip() for lang, lines in blocks if lang == "sh" for line in lines]
    commands = [line for line in shell if line and not line.startswith("#")]
    installs = [c for c in commands if c.startswith("pip install ")]
    if len(installs) != 1 or installs[0].split()[2:] != [wheel.name]:
        raise Failed(f"the README's install step {installs} does not install the built wheel {wheel.name}")

    with step(f"README: {installs[0]}"):
        run(installs[0].split(), dist, env)
        where = run(
            [
                "python",
                "-c",
                "import reflect, wagtail, django;"
                "print(reflect.__file__, wagtail.__version__, django.__version__)",
            ],
            work,
            env,
            capture=True,
        ).split()
        if not where[0].startswith(str(venv)):
            raise Failed(f"reflect imported from {where[0]}, not from the fresh virtualenv")
        print(f"   reflect from the wheel ({where[0]}); Wagtail {where[1]}, Django {where[2]}")

    with step(f"wagtail start {SITE}"):
        run(["wagtail", "start", SITE], work, env)

    with step("README: settings and URL conf edits"):
        for lang, lines in blocks:
            if lang == "python":
                print(f"   {apply_python_block(lines, site)}")

    seed_output = ""
    for command in commands:
        if command in installs:
            continue
        if not command.startswith("python manage.py "):
            raise Failed(f"the README's install section has a command this script cannot follow: {command!r}")
        with step(f"README: {command}"):
            out = run(command.split(), site, env, capture=True)
            print("   " + "\n   ".join(out.strip().splitlines()[-6:]))
            if " seed_demo" in command:
                seed_output = out
    links = re.findall(r"https?://\S+/feedback/\S+/", seed_output)
    if not links:
        raise Failed("seed_demo printed no open feedback links")

    with step("seed_demo --json (a second run: changes nothing, lists the demo people)"):
        demo = json.loads(run(["python", "manage.py", "seed_demo", "--json"], site, env, capture=True))
        if not demo.get("users"):
            raise Failed("seed_demo --json listed no users")
        (site / "demo.json").write_text(json.dumps({**demo, "printed_links": links}))

    with step("the lockout check: the same site without django-axes' middleware does not start"):
        (site / SITE / "settings" / "without_axes.py").write_text(
            "from .dev import *  # noqa: F403\n\n"
            'MIDDLEWARE = [m for m in MIDDLEWARE if m != "axes.middleware.AxesMiddleware"]  # noqa: F405\n'
        )
        cmd = ["python", "manage.py", "check", f"--settings={SITE}.settings.without_axes"]
        refused = subprocess.run(cmd, cwd=site, env=env, text=True, capture_output=True)
        if refused.returncode == 0 or "reflect.E003" not in refused.stderr:
            raise Failed(f"`check` without axes' middleware passed:\n{refused.stdout}\n{refused.stderr}")
        print("   " + next(line for line in refused.stderr.splitlines() if "reflect.E003" in line).strip())
        (site / SITE / "settings" / "without_axes.py").unlink()

    with step("in the site: sign in as every role, dashboards, admin, feedback page, API, ARCP PDF, lockout"):
        shutil.copy2(REPO / ".ci" / "fresh_host_probe.py", site / "fresh_host_probe.py")
        probe_env = {**env, "DJANGO_SETTINGS_MODULE": f"{SITE}.settings.dev"}
        out = run(["python", "fresh_host_probe.py", "demo.json"], site, probe_env, capture=True)
        print("   " + "\n   ".join(out.strip().splitlines()))


if __name__ == "__main__":
    sys.exit(main())
