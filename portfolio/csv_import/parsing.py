"""Reading a CSV import without writing anything: the report, the file (size, encoding), the
header and rows (line numbers as an editor shows them), dates, and the user look-ups both
kinds of import share."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from reflect.uploads import in_words

MAX_BYTES = 2 * 1024 * 1024  # default of the CSV_IMPORT_MAX_BYTES setting
MAX_ROWS = 5000


@dataclass(frozen=True)
class RowError:
    """A problem with one line of the file (line 1 is the header)."""

    line: int
    message: str


@dataclass(frozen=True)
class RowResult:
    """What a clean row does (or did): action is "create", "update", "move" or "unchanged"."""

    line: int
    action: str
    description: str


@dataclass
class ImportReport:
    """The outcome of an import: planned or applied row results, and every error found."""

    kind: str
    dry_run: bool
    rows: list[RowResult] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        totals: dict[str, int] = {}
        for row in self.rows:
            totals[row.action] = totals.get(row.action, 0) + 1
        return totals

    def error(self, line: int, message: str) -> None:
        self.errors.append(RowError(line, message))


# --- Reading the file ---------------------------------------------------------------------
def max_bytes() -> int:
    """The largest file accepted (setting `CSV_IMPORT_MAX_BYTES`; the admin's upload is capped
    at the same size before it is read, by `reflect.uploads`)."""
    return int(getattr(settings, "CSV_IMPORT_MAX_BYTES", MAX_BYTES))


def read_text(file: IO[bytes] | IO[str] | bytes | str, report: ImportReport) -> str | None:
    """Return the file's text, or None after recording why it cannot be read."""
    limit = max_bytes()
    data = file.read(limit + 1) if hasattr(file, "read") else file  # never more than the limit
    if isinstance(data, str):
        text = data
    else:
        if len(data) > limit:
            report.error(0, f"The file is larger than {in_words(limit)}; split it into several files.")
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            report.error(line, "The file is not UTF-8 text. Save it as 'CSV UTF-8' and try again.")
            return None
    if not text.strip():
        report.error(1, "The file is empty.")
        return None
    return text


def data_rows(text: str, columns: tuple[str, ...], required: set[str], report: ImportReport):
    """Yield (line, {column: stripped value}) for each data row; record header and shape errors.

    Line numbers count physical lines, header = 1, so they match what a text editor shows.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except csv.Error as exc:
        report.error(1, f"The header cannot be read: {exc}.")
        return
    names = [name.strip().lower() for name in header]
    missing = [c for c in columns if c not in names]
    unknown = [n for n in names if n not in columns]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    problems = []
    if missing:
        problems.append("missing column(s): " + ", ".join(missing))
    if unknown:
        problems.append("unknown column(s): " + ", ".join(n or "(blank)" for n in unknown))
    if duplicated:
        problems.append("repeated column(s): " + ", ".join(duplicated))
    if problems:
        report.error(1, f"Wrong header ({'; '.join(problems)}). Expected: {','.join(columns)}.")
        return
    count = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            report.error(reader.line_num, f"This line cannot be read as CSV: {exc}.")
            return
        line = reader.line_num
        if not any(v.strip() for v in values):
            continue  # blank lines are harmless
        count += 1
        if count > MAX_ROWS:
            report.error(line, f"Too many rows: import at most {MAX_ROWS} rows per file.")
            return
        if len(values) != len(names):
            report.error(line, f"Expected {len(names)} values, found {len(values)}.")
            continue
        row = {name: value.strip() for name, value in zip(names, values, strict=True)}
        empty = [c for c in columns if c in required and not row[c]]
        if empty:
            report.error(line, "Missing value for " + ", ".join(empty) + ".")
            continue
        yield line, row


def parse_date(value: str, column: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{column}: '{value}' is not a date; use YYYY-MM-DD, e.g. 2026-09-01.")


def users_by_username(usernames: set[str]) -> dict:
    User = get_user_model()
    users = User.objects.filter(username__in=usernames).prefetch_related("groups")
    return {u.username: u for u in users}


def sentence(reasons: list[str]) -> str:
    text = "; ".join(reasons)
    return text[:1].upper() + text[1:] + "."


def roles_of(user) -> set[str]:
    return {g.name for g in user.groups.all()}
