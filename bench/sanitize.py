"""Sanitiser benchmark (issue #13, item 0; a plain script, not a test).

    .venv/bin/python bench/sanitize.py [--sizes 10,100,1000] [--budget 30] [--only NAME,...]

Times `reflect.sanitize.sanitize_html` and `to_plain_text` on adversarial inputs (unclosed
openers of every element dropped with its content, deep nesting, entity floods, long
attribute values, unclosed comments and tags) and on a harmless body, at 10 KB, 100 KB and
1 MB. For each input and function it prints the time, the time per KB at each size, and the
ratio (time per KB at the largest size) / (time per KB at the smallest): about 1 when time
grows linearly with the input, about 100 when it grows with the square (1 MB / 10 KB).

`--budget S`: a size whose predicted time is over S seconds is not run and prints as "skipped"
(a quadratic sanitiser would need hours at 1 MB). The prediction extrapolates the growth seen
between the two sizes before (linear growth after the first size).
Times are CPU time of this process (`time.process_time`), best of a few runs (5 at the smallest
size, 3, then 2; one when a run takes over 2 s), with the garbage collector off while timing
(as `timeit` does): on the shared 2-CPU machine, wall-clock time of a long run mostly measures
how often other processes took the CPU away.
No Django, no database: the sanitiser is plain Python.
"""

from __future__ import annotations

import argparse
import gc
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reflect.sanitize import sanitize_html, to_plain_text  # noqa: E402

# Every element the sanitiser drops together with its content.
DROPPED = (
    "script style template noscript iframe object embed svg math xmp noembed noframes title textarea select"
).split()
HARMLESS = (
    "<h2>What happened</h2><p>I visited a <strong>food bank</strong> with <em>the practice nurse</em>; "
    'we talked about <a href="https://www.citizensadvice.org.uk/">benefits advice</a> &amp; housing.</p>'
    "<ul><li>Parcels for three families</li><li>A referral to the GP</li></ul>"
    "<blockquote>Nobody asked me how I was.</blockquote>\n"
)


def repeat(unit: str, size: int) -> str:
    """`unit` repeated to `size` characters (at least one copy)."""
    return (unit * (size // len(unit) + 1))[:size]


def padded(head: str, filler: str, tail: str, size: int) -> str:
    return head + repeat(filler, max(size - len(head) - len(tail), 1)) + tail


INPUTS: dict[str, callable] = {}
for _tag in DROPPED:
    INPUTS[f"<{_tag}> x N (unclosed)"] = lambda n, t=_tag: repeat(f"<{t}>", n)
INPUTS.update(
    {
        "<script>..</script> pairs": lambda n: repeat("<script>alert(1)</script>x", n),
        "<b> x N (nested)": lambda n: repeat("<b>", n),
        "<ul> x N (nested)": lambda n: repeat("<ul>", n),
        "<blockquote> x N": lambda n: repeat("<blockquote>", n),
        "<i><b> x N": lambda n: repeat("<i><b>", n),
        "<li> x N": lambda n: repeat("<li>", n),
        "<ul><li> x N": lambda n: repeat("<ul><li>", n),
        "<a href> x N": lambda n: repeat('<a href="https://e.org/">x', n),
        "<div> x N": lambda n: repeat("<div>", n),
        "</b> x N": lambda n: repeat("</b>", n),
        "&amp; x N": lambda n: repeat("&amp;", n),
        "&lt;b&gt; x N": lambda n: repeat("&lt;b&gt;", n),
        "& x N (bare)": lambda n: repeat("& ", n),
        "&#111...1; one entity": lambda n: padded("&#", "1", ";", n),
        "&#x111...; one entity": lambda n: padded("&#x", "1", ";", n),
        "href='xxx...' long value": lambda n: padded('<a href="https://e.org/', "x", '">link</a>', n),
        "title='&amp;...' long value": lambda n: padded('<a title="', "&amp;", '">link</a>', n),
        "unclosed attribute value": lambda n: padded('<a href="', "x", "", n),
        "<!-- x N (unclosed)": lambda n: repeat("<!--", n),
        "< x N": lambda n: repeat("< ", n),
        "<a x N (no >)": lambda n: repeat("<a ", n),
        "harmless body": lambda n: repeat(HARMLESS, n),
    }
)


def timed(func, text: str) -> float:
    gc.collect()
    gc.disable()
    try:
        start = time.process_time()
        func(text)
        return time.process_time() - start
    finally:
        gc.enable()


def best(func, text: str, runs: int) -> float | str:
    """Best of up to `runs` timings (one if a run takes over 2 s), or the name of the
    exception the function raised."""
    try:
        times = [timed(func, text)]
        while len(times) < runs and times[0] < 2.0:
            times.append(timed(func, text))
        return min(times)
    except Exception as exc:  # noqa: BLE001 - a crash is a result here (it was a 500)
        return type(exc).__name__


def predicted(seen: list[tuple[int, float]], size: int) -> float:
    """Seconds `size` would take, extrapolating the growth between the last two sizes seen."""
    (s2, t2) = seen[-1]
    exponent = 1.0
    if len(seen) > 1:
        (s1, t1) = seen[-2]
        exponent = max(1.0, math.log(max(t2, 1e-6) / max(t1, 1e-6)) / math.log(s2 / s1))
    return t2 * (size / s2) ** exponent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="sizes in KB, smallest first")
    parser.add_argument("--budget", type=float, default=30.0, help="skip a size predicted to take longer (s)")
    parser.add_argument("--only", default="", help="comma-separated substrings of input names")
    args = parser.parse_args()
    sizes = [int(s) * 1000 for s in args.sizes.split(",")]
    wanted = [w for w in args.only.split(",") if w]
    header = "  ".join(f"{s // 1000:>6} KB ms  µs/KB" for s in sizes)
    print(f"{'input':30} {'function':14} {header}  ratio {sizes[-1] // 1000}KB/{sizes[0] // 1000}KB per KB")
    worst = {}
    for name, make in INPUTS.items():
        if wanted and not any(w in name for w in wanted):
            continue
        for fname, func in (("sanitize_html", sanitize_html), ("to_plain_text", to_plain_text)):
            cells, per_kb, skipped, seen = [], [], False, []
            for size in sizes:
                if seen and not skipped:
                    skipped = predicted(seen, size) > args.budget
                if skipped:
                    cells.append(f"{'skipped':>20}")
                    continue
                text = make(size)
                seconds = best(func, text, 5 if size <= 10_000 else 3 if size <= 100_000 else 2)
                if isinstance(seconds, str):
                    cells.append(f"{'raised ' + seconds:>20}")
                    skipped = True
                    continue
                per_kb.append(seconds * 1e6 / (size / 1000))
                cells.append(f"{seconds * 1000:>11.1f} {per_kb[-1]:>8.1f}")
                seen.append((size, seconds))
            ratio = per_kb[-1] / per_kb[0] if len(per_kb) == len(sizes) else None
            shown = f"{ratio:6.2f}" if ratio is not None else "  n/a (too slow to run)"
            print(f"{name[:30]:30} {fname:14} {'  '.join(cells)}  {shown}", flush=True)
            if ratio is not None and name != "harmless body":
                worst[(name, fname)] = ratio
    if worst:
        (name, fname), ratio = max(worst.items(), key=lambda kv: kv[1])
        print(f"\nworst adversarial ratio: {ratio:.2f} ({name}, {fname}); 1.0 is linear, 100 is quadratic")


if __name__ == "__main__":
    main()
