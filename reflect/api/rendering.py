"""Rendering `.values()` rows exactly as a serializer's fields would, quickly: the row
serializers of the API lists (`portfolio.api.rows.RowSerializer`) use it;
tests/api/test_rendering.py checks it value by value against the fields."""

from __future__ import annotations

import decimal
from collections.abc import Callable

from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings


def _iso_datetime(tz) -> Callable:
    """DRF's `DateTimeField.to_representation` for aware datetimes in ISO 8601, with the
    time zone looked up once per page instead of once per value."""

    def render(value):
        if value.tzinfo is None:  # naive: not from an aware database column; rare
            return serializers.DateTimeField().to_representation(value)
        text = value.astimezone(tz).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return render


def _plain_decimal(field) -> Callable:
    """DRF's `DecimalField.to_representation` for values that already have the field's
    decimal places and fit its digits, as values of a database column of that scale do:
    quantizing them changes nothing. Anything else goes to DRF."""
    places, digits = field.decimal_places, field.max_digits
    as_string = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)

    def render(value):
        if isinstance(value, decimal.Decimal) and value.is_finite():
            sign_digits_exponent = value.as_tuple()
            if sign_digits_exponent.exponent == -places and (
                digits is None or len(sign_digits_exponent.digits) <= digits
            ):
                return f"{value:f}" if as_string else value
        return field.to_representation(value)

    return render


def column_renderers(fields: dict, names) -> dict[str, Callable]:
    """`{name: function}` giving `fields[name].to_representation(value)` for non-null values.

    Call it once per page (it reads the current time zone). Plain `DateTimeField`s in
    ISO 8601 and `DecimalField`s get a quicker equivalent, plain `IntegerField`s and
    `CharField`s the builtin their method calls; every other field keeps its own method.
    """
    out = {}
    for name in names:
        field = fields[name]
        output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
        if type(field) is serializers.DateTimeField and output_format and output_format.lower() == ISO_8601:
            tz = field.timezone if hasattr(field, "timezone") else field.default_timezone()
            if tz is not None:
                out[name] = _iso_datetime(tz)
                continue
        if type(field) is serializers.IntegerField:
            out[name] = int  # IntegerField.to_representation is int(value)
            continue
        if type(field) is serializers.CharField:
            out[name] = str  # CharField.to_representation is str(value)
            continue
        if (
            type(field) is serializers.DecimalField
            and field.decimal_places is not None
            and not field.localize
            and not field.normalize_output
        ):
            out[name] = _plain_decimal(field)
            continue
        out[name] = field.to_representation
    return out
