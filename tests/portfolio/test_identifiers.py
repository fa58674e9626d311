"""Patient-identifier check: NHS numbers (Modulus 11) block; other identifiers warn."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portfolio.identifiers import find_identifiers, is_valid_nhs_number, nhs_check_digit


def reference_is_valid(number: str) -> bool:
    """A second implementation, written differently: weights as a list, explicit cases."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 10:
        return False
    weights = [10, 9, 8, 7, 6, 5, 4, 3, 2]
    remainder = sum(d * w for d, w in zip(digits[:9], weights, strict=True)) % 11
    if remainder == 0:
        expected = 0
    elif remainder == 1:
        return False  # 11 - 1 = 10: no valid check digit
    else:
        expected = 11 - remainder
    return digits[9] == expected


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)
formats = st.sampled_from(["{a}{b}{c}", "{a} {b} {c}", "{a}-{b}-{c}", "{a} {b}{c}", "{a}{b}-{c}"])


def fmt(number: str, pattern: str) -> str:
    return pattern.format(a=number[:3], b=number[3:6], c=number[6:])


@given(
    nine_digits.filter(lambda n: nhs_check_digit(n) is not None),
    formats,
    st.sampled_from(["", "NHS ", "no. "]),
)
def test_valid_numbers_are_found_and_block_in_any_format(first_nine, pattern, prefix):
    number = first_nine + str(nhs_check_digit(first_nine))
    text = f"Seen today. {prefix}{fmt(number, pattern)} was on the notes."
    findings = find_identifiers(text)
    blocking = [f for f in findings if f.blocking]
    assert len(blocking) == 1 and blocking[0].kind == "nhs_number"
    assert fmt(number, pattern) in blocking[0].excerpt


@given(nine_digits, st.integers(min_value=0, max_value=9), formats)
def test_wrong_check_digit_never_blocks(first_nine, digit, pattern):
    if nhs_check_digit(first_nine) == digit:
        digit = (digit + 1) % 10
    number = first_nine + str(digit)
    assert not is_valid_nhs_number(number)
    assert not any(f.blocking for f in find_identifiers(f"ref {fmt(number, pattern)} today"))


@given(st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_agrees_with_reference_implementation(number):
    assert is_valid_nhs_number(number) == reference_is_valid(number)
    blocks = any(f.blocking for f in find_identifiers(f"x {number} y"))
    assert blocks == reference_is_valid(number)


def test_known_examples():
    assert is_valid_nhs_number("943 476 5919")
    assert is_valid_nhs_number("401-023-2137")
    assert not is_valid_nhs_number("943 476 5918")
    assert not is_valid_nhs_number("94347659190")  # eleven digits
    assert not any(f.blocking for f in find_identifiers("94347659190"))  # not a 10-digit run


@pytest.mark.parametrize(
    "text,kind",
    [
        ("Mr T, DOB 12/03/1950, lives alone", "date_of_birth"),
        ("She was born on 3 March 1950 in Cardiff", "date_of_birth"),
        ("date of birth: 1950-03-12", "date_of_birth"),
        ("his daughter's mobile is 07700 900123", "phone_number"),
        ("ring +44 20 7946 0000 for the ward", "phone_number"),
        ("his e-mail is j.bloggs@example.com", "email"),
        ("lives at CF10 3AT near the park", "postcode"),
        ("MRN 1234567 on the wristband", "hospital_number"),
        ("hospital no. A123456 on the letter", "hospital_number"),
    ],
)
def test_warnings(text, kind):
    findings = find_identifiers(text)
    assert [f.kind for f in findings] == [kind]
    finding = findings[0]
    assert not finding.blocking
    assert finding.match in finding.excerpt
    assert "identify" in finding.message  # says why it matters


def test_message_says_what_where_and_why():
    (finding,) = find_identifiers("Her NHS number is 943 476 5919 as I recall", where="Description")
    assert finding.kind == "nhs_number" and finding.where == "Description"
    assert "943 476 5919" in finding.excerpt
    assert "NHS number" in finding.message and "identify" in finding.message


@pytest.mark.parametrize(
    "text",
    [
        "On 12/03/2024 I joined the food bank team for four hours.",
        "We saw 25 families in 3 hours; 1 in 4 had no heating.",
        "Year 4 students met the refugee charity at 10:30.",
        "The attachment ran from 2025 to 2026 in a district hospital.",
    ],
)
def test_ordinary_reflection_text_is_clean(text):
    assert find_identifiers(text) == []
