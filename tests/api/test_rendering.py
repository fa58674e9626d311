"""`column_renderers` must give exactly what each serializer field gives."""

from __future__ import annotations

import datetime
import decimal
import zoneinfo

import pytest
from django.utils import timezone
from rest_framework import serializers

from reflect.api.rendering import column_renderers

FIELDS = {
    "at": serializers.DateTimeField(),
    "on": serializers.DateField(),
    "text": serializers.CharField(),
    "points": serializers.DecimalField(max_digits=6, decimal_places=2),
    "custom": serializers.DateTimeField(format="%d/%m/%Y %H:%M"),
    "score": serializers.DecimalField(max_digits=4, decimal_places=2, coerce_to_string=False),
    "rounded": serializers.DecimalField(max_digits=10, decimal_places=1),
    "count": serializers.IntegerField(),
    "choice": serializers.ChoiceField(choices=[("a", "A"), ("1", "One")]),
}
DECIMALS = [
    decimal.Decimal("3.50"),
    decimal.Decimal("7"),
    decimal.Decimal("-0.25"),
    decimal.Decimal("12.34"),
    decimal.Decimal("1.005"),
    decimal.Decimal("0.00"),
    decimal.Decimal("-0.00"),
    2.5,
    "4.10",
]
UTC = datetime.UTC
VALUES = {
    "at": [
        datetime.datetime(2026, 1, 15, 9, 30, tzinfo=UTC),  # winter: London is UTC
        datetime.datetime(2026, 7, 15, 9, 30, 5, 123456, tzinfo=UTC),  # summer: +01:00
        datetime.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # the hour before the change
        datetime.datetime(2026, 3, 29, 1, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")),
        datetime.datetime(2026, 7, 15, 9, 30),  # naive
    ],
    "on": [datetime.date(2026, 2, 1)],
    "text": ["plain", "", 12, decimal.Decimal("1.50")],
    "points": DECIMALS,
    "score": [d for d in DECIMALS if d != decimal.Decimal("1.005")],
    "rounded": DECIMALS,
    "custom": [datetime.datetime(2026, 7, 15, 9, 30, tzinfo=UTC)],
    "count": [0, 7, -3, True, decimal.Decimal("4"), 2**63],
    "choice": ["a", "1", 1, "other"],
}


@pytest.mark.parametrize("zone", [None, "America/New_York", "UTC"])
def test_same_output_as_the_fields(zone):
    with timezone.override(zone) if zone else timezone.override(timezone.get_default_timezone()):
        render = column_renderers(FIELDS, FIELDS)
        for name, values in VALUES.items():
            for value in values:
                got, want = render[name](value), FIELDS[name].to_representation(value)
                assert (got, type(got), str(got)) == (want, type(want), str(want)), (name, value)


def test_datetimes_and_decimals_take_the_quick_path():
    render = column_renderers(FIELDS, ["at", "custom", "points", "text", "count", "choice"])
    assert render["at"] != FIELDS["at"].to_representation
    assert render["points"] != FIELDS["points"].to_representation
    assert render["custom"] == FIELDS["custom"].to_representation
    assert render["text"] is str and render["count"] is int
    assert render["choice"] == FIELDS["choice"].to_representation


def test_subclasses_keep_their_own_method():
    class Upper(serializers.CharField):
        def to_representation(self, value):
            return str(value).upper()

    field = Upper()
    assert column_renderers({"x": field}, ["x"])["x"]("a") == "A"


def test_a_decimal_too_long_for_the_field_still_fails_as_in_drf():
    render = column_renderers(FIELDS, ["score"])
    for call in (render["score"], FIELDS["score"].to_representation):
        with pytest.raises(decimal.InvalidOperation):
            call(decimal.Decimal("123.45"))
