"""CSV import of cohort members and tutor allocations (services used by the admin view).

Both imports work in two passes: every row is parsed and checked first, without writing
anything; only when the whole file is clean (and this is not a dry run) are the planned
changes applied, in one transaction. Every bad row is reported with its line number and the
reason, so an admin can fix the whole file at once. Re-importing the same file changes
nothing (rows that are already true are reported as "unchanged").

Call them from anywhere (admin view, `manage.py import_csv`, shell)::

    with open("members.csv", "rb") as f:
        report = import_members(f, dry_run=False, actor=admin_user)
    for error in report.errors:
        print(error.line, error.message)

By concern:

- `parsing`: the report, reading the file (size, encoding), the header and rows, dates,
  and the look-ups both kinds share; nothing here writes;
- `applying`: the two passes: plan every row, then (a clean file, not a dry run) apply the
  planned changes in one transaction and record the import;
- `members`, `allocations`: each kind's columns, row checks and planned changes.
"""

from .allocations import ALLOCATION_COLUMNS, import_allocations
from .members import MEMBER_COLUMNS, import_members
from .parsing import MAX_BYTES, MAX_ROWS, ImportReport, RowError, RowResult, max_bytes

IMPORTERS = {"members": import_members, "allocations": import_allocations}

__all__ = [
    "ALLOCATION_COLUMNS",
    "IMPORTERS",
    "MAX_BYTES",
    "MAX_ROWS",
    "MEMBER_COLUMNS",
    "ImportReport",
    "RowError",
    "RowResult",
    "import_allocations",
    "import_members",
    "max_bytes",
]
