"""ARCP business rules: building and verifying packs, recording panel outcomes, the learner's
acknowledgement, response and review or appeal request.

Every door (site, API, admin, task, command) calls these functions, so they all ask the same
policies (`arcp.policies`) and write the same audit records. Cohort exports: `arcp.cohort`.

- `packs`: the period's rules, building (or reusing) and storing a pack, reading, verifying;
- `reviews`: the code rules by programme type, checking and recording outcomes and
  corrections, acknowledgement and response;
- `appeals`: the review or appeal window in working days, and the request;
- `supervision`: the educational supervisor's report (draft → shared → signed).
"""

from .appeals import (
    APPEAL_KINDS,
    AppealWindow,
    appeal_closes_on,
    appeal_window,
    bank_holidays,
    request_appeal,
)
from .packs import (
    VERIFY_MAX_BYTES,
    build_pack,
    check_period,
    export_for,
    pack_filename,
    read_pack,
    verify,
    visible_learner,
)
from .reviews import (
    ESR_SOURCE,
    NEEDS_SIGNED_ESR,
    OUTCOME_CODES,
    REASON_CODES,
    acknowledge_review,
    check_review,
    programme_type_of,
    record_review,
    respond_to_review,
)
from .supervision import (
    PeriodTaken,
    comment_on_report,
    covering_reports,
    create_report,
    share_report,
    sign_report,
    update_report,
)

__all__ = [
    "APPEAL_KINDS",
    "ESR_SOURCE",
    "NEEDS_SIGNED_ESR",
    "OUTCOME_CODES",
    "REASON_CODES",
    "VERIFY_MAX_BYTES",
    "AppealWindow",
    "PeriodTaken",
    "acknowledge_review",
    "appeal_closes_on",
    "appeal_window",
    "bank_holidays",
    "build_pack",
    "comment_on_report",
    "covering_reports",
    "create_report",
    "check_period",
    "check_review",
    "export_for",
    "pack_filename",
    "programme_type_of",
    "read_pack",
    "record_review",
    "request_appeal",
    "respond_to_review",
    "share_report",
    "sign_report",
    "update_report",
    "verify",
    "visible_learner",
]
