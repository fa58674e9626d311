"""ARCP outcomes and reason codes as data, with their sources, and the one rule that checks them.

The tables are the ones deaneries return to the GMC each year (progression reporting). Read
from (stored copies found with the `search` tool, December 2026):

- Outcomes, their classification and whether they apply in foundation:
  https://www.gmc-uk.org/Help/progression-report/ARCP-outcomes
- U codes, reasons for unsatisfactory outcomes (U1–U10):
  https://www.gmc-uk.org/Help/progression-report/U-codes
- U codes in foundation ("used to supplement ARCP outcome codes 3, 4 or 5, where sign off is
  not recommended"; the foundation list shows U1–U4 and U7, not the exam codes U5/U6):
  https://foundationprogramme.nhs.uk/curriculum/annual-review-of-competence-progression-arcp/arcp-outcomes/u-codes
- Specialty outcome form: "Unsatisfactory progress. If you recommend one of these outcomes, you
  must provide reasons ("U" codes)" for 2, 3 and 4; "Insufficient evidence (No U code
  required)" for 5; "N. Trainee did not have an ARCP/review … you must provide reasons ("N"
  codes)":
  https://paperzz.com/doc/7007679/specialty-training-arcp-outcome-codes (a copy of a deanery's
  form) and https://docest.com/doc/585705/achieving-progress-and-competences-at-the-expected-rate
- C codes, how COVID-19 disruption affected progression, and which of 10.1/10.2 each goes with
  (C1 and C2 with 10.1 only; C3–C6 with both):
  https://www.gmc-uk.org/help/progression-report/c-codes
- N codes, reasons why a doctor was not assigned a satisfactory or unsatisfactory outcome:
  https://foundationprogramme.nhs.uk/curriculum/annual-review-of-competence-progression-arcp/arcp-outcomes/n-codes-reasons-for-doctors-not-assigned-a-satisfactory-unsatisfactory-outcome

Labels are short paraphrases of the tables' own words. What the stored copies did not show,
and so is not claimed here: the U10 label (cut off in our copy), and the N codes other than
N1–N9, N13 and N17–N20 (the foundation page lists two less-than-full-time codes used in
foundation only, whose numbers our copy does not show); those codes are refused as unknown
until someone checks them against the GMC's table and adds them below.

The rules (`check`), per programme type (undergraduate programmes follow specialty):

- U codes are required with 3, 4 and 5 in foundation, and with 2, 3, 4, 7.2 and 7.3 (the
  fixed-term unsatisfactory outcomes) in specialty; every other outcome refuses them
  (5 and 7.4 in specialty: "no U code required" for insufficient evidence).
- 10.1 and 10.2 require at least one C code and take no other family; C1 and C2 go with 10.1
  only.
- "none" (no outcome awarded) requires at least one N code; N codes go with no other outcome.
- Foundation awards only the outcomes the GMC's table marks as applying to foundation
  (1, 3, 4, 5, 6, 8 and the COVID-19 outcomes 10.1 and 10.2); 2, 7.1–7.4 and 9 are refused.
- A code may be limited to a programme: U5 and U6 (college exams) are specialty's, U9
  (attendance) is foundation's.
"""

from __future__ import annotations

from dataclasses import dataclass

FOUNDATION, SPECIALTY, UNDERGRADUATE = "foundation", "specialty", "undergraduate"
PROGRAMME_TYPES = (UNDERGRADUATE, FOUNDATION, SPECIALTY)
BOTH = frozenset({FOUNDATION, SPECIALTY})

SOURCES = {
    "outcomes": "https://www.gmc-uk.org/Help/progression-report/ARCP-outcomes",
    "U": "https://www.gmc-uk.org/Help/progression-report/U-codes",
    "U-foundation": "https://foundationprogramme.nhs.uk/curriculum/annual-review-of-competence-progression-arcp/arcp-outcomes/u-codes",
    "C": "https://www.gmc-uk.org/help/progression-report/c-codes",
    "N": "https://foundationprogramme.nhs.uk/curriculum/annual-review-of-competence-progression-arcp/arcp-outcomes/n-codes-reasons-for-doctors-not-assigned-a-satisfactory-unsatisfactory-outcome",
}

NO_OUTCOME = "none"


@dataclass(frozen=True)
class Outcome:
    code: str
    label: str
    classification: str  # the GMC's reporting classification
    in_foundation: bool  # the GMC table's "Applicable to foundation?"


# https://www.gmc-uk.org/Help/progression-report/ARCP-outcomes ("F1 only"/"F2 only" count as yes;
# 9 is not in that table, it is specialty's top-up training; the COVID outcomes' cell is empty,
# and foundation schools awarded them, so they apply to both).
OUTCOMES: tuple[Outcome, ...] = (
    Outcome("1", "1 – Satisfactory progress", "satisfactory", True),
    Outcome("2", "2 – Development of specific competences required, no extra time", "unsatisfactory", False),
    Outcome("3", "3 – Inadequate progress, additional training time required", "unsatisfactory", True),
    Outcome("4", "4 – Released from training programme", "unsatisfactory", True),
    Outcome(
        "5",
        "5 – Incomplete evidence presented, additional training time may be required",
        "satisfactory",
        True,
    ),
    Outcome("6", "6 – Gained all required competences", "satisfactory", True),
    Outcome("7.1", "7.1 – Satisfactory progress (fixed-term post)", "satisfactory", False),
    Outcome(
        "7.2", "7.2 – Development of specific competences required (fixed-term post)", "unsatisfactory", False
    ),
    Outcome("7.3", "7.3 – Inadequate progress (fixed-term post)", "unsatisfactory", False),
    Outcome("7.4", "7.4 – Incomplete evidence presented (fixed-term post)", "satisfactory", False),
    Outcome("8", "8 – Time out of programme", "satisfactory", True),
    Outcome("9", "9 – Top-up training", "satisfactory", False),
    Outcome("10.1", "10.1 – Progress delayed by COVID-19, can progress (no-fault)", "covid", True),
    Outcome(
        "10.2", "10.2 – Progress delayed by COVID-19, additional time required (no-fault)", "covid", True
    ),
    Outcome(NO_OUTCOME, "No outcome awarded (N codes say why)", "none", True),
)
OUTCOME_CODES = tuple(o.code for o in OUTCOMES)
OUTCOME_LABELS = {o.code: o.label for o in OUTCOMES}
_OUTCOME = {o.code: o for o in OUTCOMES}


@dataclass(frozen=True)
class ReasonCode:
    code: str
    family: str  # "U", "C" or "N"
    label: str
    programmes: frozenset = BOTH
    outcomes: frozenset | None = None  # C codes: the outcomes it goes with

    @property
    def source(self) -> str:
        return SOURCES[self.family]


_U = [
    # https://www.gmc-uk.org/Help/progression-report/U-codes
    ReasonCode("U1", "U", "Record keeping and evidence"),
    ReasonCode("U2", "U", "Inadequate experience"),
    ReasonCode("U3", "U", "No engagement with supervisor"),
    ReasonCode("U4", "U", "Trainer absence"),
    ReasonCode("U5", "U", "Single exam failure", frozenset({SPECIALTY})),
    ReasonCode("U6", "U", "Continual exam failure", frozenset({SPECIALTY})),
    ReasonCode("U7", "U", "Trainee requires deanery support"),
    ReasonCode("U8", "U", "Other reason (not covered in the Gold Guide; explain in the comments)"),
    ReasonCode("U9", "U", "Inadequate attendance (foundation)", frozenset({FOUNDATION})),
    ReasonCode("U10", "U", "Other reason in the GMC's table (U10; explain in the comments)"),
]
_C = [
    # https://www.gmc-uk.org/help/progression-report/c-codes
    ReasonCode(
        "C1",
        "C",
        "At a critical progression point, derogation given for a required exam",
        outcomes=frozenset({"10.1"}),
    ),
    ReasonCode(
        "C2",
        "C",
        "At a critical progression point, derogation given for mandatory training",
        outcomes=frozenset({"10.1"}),
    ),
    ReasonCode(
        "C3",
        "C",
        "Redeployed: could not acquire the required experience",
        outcomes=frozenset({"10.1", "10.2"}),
    ),
    ReasonCode(
        "C4", "C", "Prolonged self-isolation needed during COVID-19", outcomes=frozenset({"10.1", "10.2"})
    ),
    ReasonCode(
        "C5",
        "C",
        "Inadequate progress in this training year before COVID-19",
        outcomes=frozenset({"10.1", "10.2"}),
    ),
    ReasonCode("C6", "C", "Incomplete evidence because of COVID-19", outcomes=frozenset({"10.1", "10.2"})),
]
_N = [
    # The UKFPO's N-code page (SOURCES["N"]), in its order; all "used in specialty training: yes".
    ReasonCode("N1", "N", "Long-term sickness or other health issues"),
    ReasonCode("N2", "N", "Maternity or parental leave"),
    ReasonCode("N3", "N", "Too soon for a meaningful review (not in post long enough)"),
    ReasonCode("N4", "N", "Did not attend the review"),
    ReasonCode("N5", "N", "Suspended from training: gross misconduct"),
    ReasonCode("N6", "N", "Suspended from training: other reasons"),
    ReasonCode("N7", "N", "Resigned: no remedial training undertaken or offered"),
    ReasonCode("N8", "N", "Resigned: remedial training offered or undertaken"),
    ReasonCode("N9", "N", "Dismissed before completing the programme"),
    ReasonCode("N13", "N", "Other reason (explain in the comments)"),
    ReasonCode("N17", "N", "Dismissed: no remedial training undertaken"),
    ReasonCode("N18", "N", "Dismissed: received remedial training"),
    ReasonCode("N19", "N", "Dismissed: no GMC referral"),
    ReasonCode("N20", "N", "Dismissed: GMC referral"),
]
REASON_CODES: dict[str, ReasonCode] = {c.code: c for c in (*_U, *_C, *_N)}
FAMILY_NAMES = {
    "U": "U codes (why the outcome is unsatisfactory)",
    "C": "C codes (how COVID-19 disruption affected progression)",
    "N": "N codes (why no outcome was awarded)",
}

# Outcomes that require U codes, per programme (see the module docstring for the sources).
U_REQUIRED = {
    FOUNDATION: frozenset({"3", "4", "5"}),
    SPECIALTY: frozenset({"2", "3", "4", "7.2", "7.3"}),
}
C_REQUIRED = frozenset({"10.1", "10.2"})
# Outcomes after which a next review date is required (contract v1.1: outcomes 2–5).
NEXT_REVIEW_REQUIRED = frozenset({"2", "3", "4", "5"})


def rules_of(programme_type: str | None) -> str:
    """The table a programme follows: foundation's own, or specialty's (undergraduate too)."""
    return FOUNDATION if programme_type == FOUNDATION else SPECIALTY


def outcomes_for(programme_type: str | None) -> tuple[Outcome, ...]:
    table = rules_of(programme_type)
    return tuple(o for o in OUTCOMES if table == SPECIALTY or o.in_foundation)


def family_for(programme_type: str | None, outcome: str) -> str | None:
    """The code family an outcome requires in this programme ("U", "C", "N"), or None."""
    if outcome == NO_OUTCOME:
        return "N"
    if outcome in C_REQUIRED:
        return "C"
    if outcome in U_REQUIRED[rules_of(programme_type)]:
        return "U"
    return None


def codes_for(programme_type: str | None, outcome: str) -> list[ReasonCode]:
    """The codes an outcome takes in this programme, in the tables' order ([] for none)."""
    family = family_for(programme_type, outcome)
    table = rules_of(programme_type)
    return [
        c
        for c in REASON_CODES.values()
        if c.family == family and table in c.programmes and (c.outcomes is None or outcome in c.outcomes)
    ]


def normalise(codes) -> list[str]:
    """Codes as sent → upper-case, stripped, de-duplicated, in the order sent."""
    cleaned = [str(c).strip().upper() for c in (codes or []) if str(c).strip()]
    return list(dict.fromkeys(cleaned))


def check(programme_type: str | None, outcome: str, codes: list[str]) -> dict[str, str]:
    """Field errors for an outcome and its (normalised) reason codes in a programme; {} if fine.

    The messages name the offending outcome or codes. Keys: "outcome", "reason_codes".
    """
    table = rules_of(programme_type)
    kind = "foundation" if table == FOUNDATION else "specialty and undergraduate"
    if outcome not in _OUTCOME:
        return {"outcome": f"“{outcome}” is not an ARCP outcome. Choose one of: {', '.join(OUTCOME_CODES)}."}
    if table == FOUNDATION and not _OUTCOME[outcome].in_foundation:
        return {
            "outcome": f"Outcome {outcome} is not awarded in foundation training (the GMC's table of "
            "outcomes); foundation awards 1, 3, 4, 5, 6, 8, 10.1, 10.2 or no outcome."
        }
    unknown = [c for c in codes if c not in REASON_CODES]
    if unknown:
        return {
            "reason_codes": f"Unknown reason code{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}."
        }
    family = family_for(programme_type, outcome)
    label = "no outcome" if outcome == NO_OUTCOME else f"outcome {outcome}"
    if family is None:
        if codes:
            return {"reason_codes": f"In {kind} training {label} takes no reason codes: {', '.join(codes)}."}
        return {}
    wrong_family = [c for c in codes if REASON_CODES[c].family != family]
    if wrong_family:
        return {
            "reason_codes": f"{', '.join(wrong_family)} cannot go with {label}: it takes "
            f"{FAMILY_NAMES[family]} only."
        }
    allowed = {c.code for c in codes_for(programme_type, outcome)}
    misfit = [c for c in codes if c not in allowed]
    if misfit:
        return {
            "reason_codes": f"{', '.join(misfit)} cannot go with {label} in {kind} training "
            f"(the GMC's table). Choose from: {', '.join(sorted(allowed, key=_order))}."
        }
    if not codes:
        return {
            "reason_codes": f"In {kind} training {label} needs at least one of the {FAMILY_NAMES[family]}."
        }
    return {}


def _order(code: str) -> int:
    return list(REASON_CODES).index(code)


def label_of(code: str) -> str:
    c = REASON_CODES.get(code)
    return f"{code}: {c.label}" if c else code
