"""Patient-identifier check, run when a reflection is submitted.

Reflections are about what the learner saw and learnt, not about who the patient was: UK
guidance on reflective practice asks that they hold nothing that could identify a patient or
carer, because a portfolio is read by tutors, panels and sometimes regulators, and kept for
years. This module looks for the identifiers that slip in most often.

- A valid NHS number (ten digits, optionally grouped 3-3-4 with spaces or hyphens, whose
  Modulus 11 check digit is right) always blocks submission: it identifies one person.
- Dates of birth, UK phone numbers, e-mail addresses, UK postcodes and hospital-number-like
  strings warn: they are often identifying, but may be innocent (a charity's phone number, a
  GP practice's postcode), so the learner may confirm and submit.

`find_identifiers(text)` takes plain text (callers convert HTML with `to_plain_text`).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

NHS_NUMBER = "nhs_number"
DATE_OF_BIRTH = "date_of_birth"
PHONE_NUMBER = "phone_number"
EMAIL = "email"
POSTCODE = "postcode"
HOSPITAL_NUMBER = "hospital_number"

KIND_LABELS = {
    NHS_NUMBER: "NHS number",
    DATE_OF_BIRTH: "Date of birth",
    PHONE_NUMBER: "Phone number",
    EMAIL: "E-mail address",
    POSTCODE: "Postcode",
    HOSPITAL_NUMBER: "Hospital or record number",
}

_WHY = (
    "Reflections must not hold anything that could identify a patient or carer: your portfolio "
    "is read by tutors and review panels and kept for years."
)
MESSAGES = {
    NHS_NUMBER: "This looks like a real NHS number (its check digit is valid). An NHS number identifies "
    "one person, so it must be removed before you can submit. " + _WHY,
    DATE_OF_BIRTH: "This looks like someone's date of birth. Together with other details it can identify a "
    "patient; an age range (for example 'in her eighties') is usually enough. " + _WHY,
    PHONE_NUMBER: "This looks like a phone number. If it belongs to a patient or carer, remove it; an "
    "organisation's public number is fine. " + _WHY,
    EMAIL: "This looks like an e-mail address. If it belongs to a patient or carer, remove it. " + _WHY,
    POSTCODE: "This looks like a UK postcode, which can narrow an address down to a few houses. Name the "
    "town or area instead. " + _WHY,
    HOSPITAL_NUMBER: "This looks like a hospital, unit or medical record number, which identifies a patient "
    "in the hospital's systems. " + _WHY,
}

_SEP = r"[ \-\u00a0]?"
_NHS_RE = re.compile(rf"(?<![\d])(\d{{3}}){_SEP}(\d{{3}}){_SEP}(\d{{4}})(?![\d])")

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DATE = (
    rf"(?:\d{{1,2}}[/.\-]\d{{1,2}}[/.\-]\d{{2,4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTHS}\.?,?\s+\d{{4}}"
    rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{4}}-\d{{2}}-\d{{2}})"
)
_DOB_RE = re.compile(
    rf"\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s*date|born(?:\s+on)?)\s*[:\-]?\s*{_DATE}",
    re.IGNORECASE,
)
_PHONE_RE = re.compile(r"(?<![\w+])(?:\+44[\s\-]?(?:\(0\)[\s\-]?)?|\(?0)(?:\d\)?[\s\-]?){8,9}\d(?!\d)")
_EMAIL_RE = re.compile(r"\b[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+\b")
_POSTCODE_RE = re.compile(
    r"\b(?:GIR ?0AA|[A-PR-UWYZ](?:[A-HK-Y]?\d[A-Z\d]?|\d[A-HJKSTUW]) ?\d[ABD-HJLNP-UW-Z]{2})\b"
)
_HOSPITAL_RE = re.compile(
    r"\b(?:MRN|hosp(?:ital)?\.?\s*(?:no|number|num|id)\.?|unit\s*(?:no|number)\.?|"
    r"case\s*(?:no|number)\.?|(?:medical\s+)?record\s*(?:no|number)\.?|patient\s*(?:id|no|number)\.?)"
    r"\s*[:#]?\s*[A-Z]{0,3}\d{5,10}\b"
    r"|\b[A-Z]{1,2}\d{6,8}\b",
    re.IGNORECASE,
)

_EXCERPT_CONTEXT = 25


@dataclass(frozen=True)
class Finding:
    """One likely identifier. `excerpt` shows it in context; `where` names the section."""

    kind: str
    excerpt: str
    blocking: bool
    message: str
    match: str = ""
    where: str = ""

    @property
    def label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def as_dict(self) -> dict:
        return asdict(self)


def nhs_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for the first nine digits of an NHS number, or None when
    no check digit is possible (a remainder giving 10 means the number can never be valid).

    Weights 10 down to 2; check = 11 - (sum mod 11); 11 becomes 0.
    """
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: str) -> bool:
    """True for ten digits (spaces/hyphens ignored) with a correct Modulus 11 check digit."""
    digits = re.sub(r"[ \-\u00a0]", "", value or "")
    if len(digits) != 10 or not digits.isdigit():
        return False
    check = nhs_check_digit(digits[:9])
    return check is not None and check == int(digits[9])


def _excerpt(text: str, start: int, end: int) -> str:
    left = max(0, start - _EXCERPT_CONTEXT)
    right = min(len(text), end + _EXCERPT_CONTEXT)
    snippet = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + snippet + ("…" if right < len(text) else "")


def find_identifiers(text: str | None, where: str = "") -> list[Finding]:
    """Likely patient identifiers in `text` (plain text), in order of appearance.

    Args:
        text: plain text to check (convert HTML with `portfolio.sanitize.to_plain_text`).
        where: a label for the place the text came from (e.g. a section heading), kept on
            each finding so messages can say where it is.

    Returns:
        Findings; valid NHS numbers are `blocking`, everything else is a warning. A warning
        that overlaps a blocking finding is left out (it is the same digits).
    """
    if not text:
        return []
    found: list[tuple[int, int, str]] = []
    for m in _NHS_RE.finditer(text):
        if is_valid_nhs_number(m.group(0)):
            found.append((m.start(), m.end(), NHS_NUMBER))
    for kind, pattern in (
        (DATE_OF_BIRTH, _DOB_RE),
        (EMAIL, _EMAIL_RE),
        (HOSPITAL_NUMBER, _HOSPITAL_RE),
        (PHONE_NUMBER, _PHONE_RE),
        (POSTCODE, _POSTCODE_RE),
    ):
        for m in pattern.finditer(text):
            start, end = m.start(), m.end()
            if any(start < b_end and b_start < end for b_start, b_end, _ in found):
                continue
            found.append((start, end, kind))
    found.sort()
    return [
        Finding(
            kind=kind,
            excerpt=_excerpt(text, start, end),
            blocking=kind == NHS_NUMBER,
            message=MESSAGES[kind],
            match=text[start:end],
            where=where,
        )
        for start, end, kind in found
    ]


def has_blocking(findings: list[Finding]) -> bool:
    return any(f.blocking for f in findings)
