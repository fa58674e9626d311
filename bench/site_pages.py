"""The site pages of `scale.py`: the screens each role opens, signed in by session.

Each page is opened by one person whose own scope is the same at both sizes (the first
cohort's 50 learners for the tutor and the examiner, the learner's own 20 reflections), so
the page is the same size at 100 and at 2,000 learners; only the tables grow.

The two sizes live in two databases seeded alike (the small one is a twin of the large one
before it grew: same people, same ids), and the requests alternate between them: each
round opens every page once on each (which goes first alternates too), by swapping the
connection behind the "default" alias. On a machine shared with other people's test
suites the load moves a lot from one minute to the next; measured side by side, both sizes
see the same load, so the ratio means something.
"""

from __future__ import annotations

import re
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass

P95_GOAL_MS = 150.0
RATIO_GOAL = 1.5


@dataclass
class Page:
    label: str
    who: str  # "learner" | "tutor" | "examiner"
    name: str  # URL name under the portfolio page
    args: tuple = ()


def pages(learner_id: int) -> list[Page]:
    return [
        Page("learner: dashboard", "learner", "dashboard"),
        Page("tutor: dashboard", "tutor", "dashboard"),
        Page("tutor: review queue", "tutor", "review_queue"),
        Page("tutor: learner timeline", "tutor", "arcp_timeline", (learner_id,)),
        Page("tutor: cohort heatmap", "tutor", "arcp_cohort_coverage"),
        Page("examiner: panel", "examiner", "arcp_panel"),
        Page("examiner: panel learner", "examiner", "arcp_panel_learner", (learner_id,)),
    ]


def people(seeded) -> dict:
    """The learner (first of the examiner's and the tutor's cohort), tutor and examiner."""
    from portfolio.models import Enrolment

    first = Enrolment.objects.filter(cohort=seeded.panel_cohort).select_related("learner")
    learner = first.order_by("learner__username").first().learner
    return {"learner": learner, "tutor": seeded.tutor, "examiner": seeded.examiner}


def clients(who: dict) -> dict:
    from django.test import Client

    out = {}
    for role, user in who.items():
        client = Client()
        client.force_login(user)
        out[role] = client
    return out


def url_of(page: Page) -> str:
    from portfolio.site import portfolio_url

    return portfolio_url(page.name, *page.args)


_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|csrf-token" content=")[^"]+')


def shape(html: bytes) -> dict:
    """What should not change with the tables: bytes (CSRF token blanked), table rows, items."""
    text = _TOKEN.sub(r"\1", html.decode())
    return {"bytes": len(text.encode()), "rows": text.count("<tr"), "items": text.count("<li")}


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response


def twin_connection(name: str):
    """A second connection for the "default" alias, to PostgreSQL database `name`."""
    from django.db import connections

    wrapper = connections.create_connection("default")
    wrapper.settings_dict = {**wrapper.settings_dict, "NAME": name}
    return wrapper


@contextmanager
def using(wrapper):
    """Run the block with `wrapper` behind the "default" alias (and `django.db.connection`)."""
    from django.db import connections

    old = connections["default"]
    connections["default"] = wrapper
    try:
        yield
    finally:
        connections["default"] = old


def measure_pair(sides: dict, page_list: list[Page], requests: int) -> dict[str, dict[str, dict]]:
    """`sides`: {"small": (wrapper, clients), "large": (wrapper, clients)}. Per side and page:
    median and 95th percentile (ms) of `requests` requests, median CPU time of this process
    (ms: Django's side, without PostgreSQL's), after three warm-up rounds; the queries of one
    more request (CaptureQueriesContext) and the page's shape."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    urls = {p.label: url_of(p) for p in page_list}
    wall = {side: {p.label: [] for p in page_list} for side in sides}
    cpu = {side: {p.label: [] for p in page_list} for side in sides}
    order = list(sides)
    for n in range(3 + requests):
        for p in page_list:
            for side in order if n % 2 else order[::-1]:
                wrapper, cls = sides[side]
                with using(wrapper):
                    started, used = time.perf_counter(), time.process_time()
                    _get(cls[p.who], urls[p.label])
                    if n >= 3:
                        wall[side][p.label].append((time.perf_counter() - started) * 1000)
                        cpu[side][p.label].append((time.process_time() - used) * 1000)
    out: dict[str, dict[str, dict]] = {}
    for side, (wrapper, cls) in sides.items():
        out[side] = {}
        with using(wrapper):
            for p in page_list:
                with CaptureQueriesContext(connection) as ctx:
                    response = _get(cls[p.who], urls[p.label])
                ms = sorted(wall[side][p.label])
                out[side][p.label] = {
                    "url": urls[p.label],
                    "median": statistics.median(ms),
                    "p95": statistics.quantiles(ms, n=20, method="inclusive")[18],
                    "cpu": statistics.median(cpu[side][p.label]),
                    "queries": len(ctx.captured_queries),
                    "selects": [q["sql"] for q in ctx.captured_queries if _is_select(q["sql"])],
                    "shape": shape(response.content),
                }
    return out


def report(small: dict, large: dict, n_small: int, n_large: int, requests: int) -> bool:
    """Print the table; True when every goal is met."""
    ok = True
    print(f"\nsite pages, session sign-in, {requests} requests each, the two sizes side by side (ms)")
    print(
        f"  {'page':25} {n_small:>6} learners  {n_large:>6} learners  ratio  p95 at   queries"
        f"     CPU (Django)"
    )
    head = f"{'median':>7} {'p95':>6}"
    print(f"  {'':25} {head}  {head}  <=1.5  <=150 ms  {n_small}/{n_large}")
    for label, s in small.items():
        g = large[label]
        ratio = g["median"] / s["median"]
        fast = g["p95"] <= P95_GOAL_MS
        same = s["queries"] == g["queries"]
        ok = ok and ratio <= RATIO_GOAL and fast and same
        print(
            f"  {label:25} {s['median']:7.1f} {s['p95']:6.1f}  {g['median']:7.1f} {g['p95']:6.1f}  "
            f"{ratio:5.2f}{' ' if ratio <= RATIO_GOAL else '!'} {'OK' if fast else 'MISSED':>7}  "
            f"{s['queries']:>3}/{g['queries']:<3}{'' if same else ' GREW'}  {s['cpu']:5.1f}/{g['cpu']:5.1f}"
        )
    for label, s in small.items():
        if s["shape"] != large[label]["shape"]:
            print(f"  note: {label} differs in shape: {s['shape']} vs {large[label]['shape']}")
    return ok


def _is_select(sql: str) -> bool:
    return sql.lstrip().upper().startswith("SELECT")
