"""Validators shared by the scheduler's page forms and API inputs."""

from datetime import date, datetime

from django.core.exceptions import ValidationError

from core.form_fields import MAX_ID  # noqa: F401  (re-exported for the scheduler's serializers)

# The calendar the scheduler accepts: far beyond any real booking, and far enough inside Python's
# date range that moving by weeks cannot overflow and the lab's zone has whole-minute UTC offsets
# (year 1 reads Dublin as -00:25:21, which no ISO 8601 client parses).
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2099, 12, 31)
OUT_OF_RANGE_MESSAGE = f"Pick a date between {EARLIEST_DAY:%Y-%m-%d} and {LATEST_DAY:%Y-%m-%d}."
# The same range in the OpenAPI schema (a pattern on the ISO 8601 text: the years 2000-2099).
LAB_YEARS_PATTERN = r"^20[0-9]{2}-"


def validate_lab_date(value: date | datetime) -> None:
    """Refuse a day or moment outside the scheduler's calendar."""
    day = value.date() if isinstance(value, datetime) else value
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValidationError(OUT_OF_RANGE_MESSAGE, code="out_of_range")
