"""The booking cart: what a member has picked but not yet requested, kept in the session.

Also the lab's daily slots (07–12, 12–18, 18–07 next day) and the presets the cart offers.
Items are stored as [start, end) windows per device, as instants in UTC (compared and merged as
such; only the slots are read on the lab's wall clock); touching or overlapping windows of the same
device are merged so that a week of picked cells becomes one booking, not twenty-one.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from scheduler import booking_rules as rules
from scheduler.services.booking import lab_zone


@dataclass(frozen=True)
class Slot:
    key: str
    label: str
    start: time
    end: time  # on the next day when end <= start

    def window(self, day: date, tz=None) -> tuple[datetime, datetime]:
        """The slot on `day` as [start, end) instants (UTC), read on the lab's wall clock.

        A time the spring clock change skips raises ValueError naming it (see rules.wall_clock).
        """
        tz = tz or lab_zone()
        end_day = day + timedelta(days=1) if self.end <= self.start else day
        return rules.wall_clock(day, self.start, tz), rules.wall_clock(end_day, self.end, tz)


SLOTS = (
    Slot("morning", "07–12", time(7), time(12)),
    Slot("afternoon", "12–18", time(12), time(18)),
    Slot("overnight", "18–07", time(18), time(7)),
)
SLOTS_BY_KEY = {slot.key: slot for slot in SLOTS}
# Presets of the "devices × dates" form: the three slots, the whole lab day (07–07), or custom hours.
PRESET_CHOICES = [
    ("morning", "Morning 07–12"),
    ("afternoon", "Afternoon 12–18"),
    ("overnight", "Overnight 18–07 next day"),
    ("all_day", "All day 07–07 next day"),
    ("custom", "Custom hours"),
]


def date_range(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def preset_windows(*, first: date, last: date, preset: str, start_time: time | None = None,
                   end_time: time | None = None) -> list[tuple[datetime, datetime]]:
    """The windows of `preset` on every day from `first` to `last` (inclusive), in the lab's zone.

    "all_day" is one window from 07:00 on the first day to 07:00 after the last day; custom hours
    that end at or before they start end on the next day. The windows are instants (UTC); a time
    the spring change skips raises ValueError naming it.
    """
    tz = lab_zone()
    if preset == "all_day":
        return [(rules.wall_clock(first, time(7), tz), rules.wall_clock(last + timedelta(days=1), time(7), tz))]
    slot = Slot("custom", "custom", start_time, end_time) if preset == "custom" else SLOTS_BY_KEY[preset]
    return [slot.window(day, tz) for day in date_range(first, last)]


def _merge(items: list[dict]) -> list[dict]:
    """Sort by device and start; merge windows of one device that touch or overlap."""
    merged: list[dict] = []
    for item in sorted(items, key=lambda i: (i["device"], i["start"])):
        last = merged[-1] if merged else None
        if last and last["device"] == item["device"] and item["start"] <= last["end"]:
            last["end"] = max(last["end"], item["end"])
        else:
            merged.append(dict(item))
    return merged


class Cart:
    """A session-backed list of {device, start, end} items plus the request's details."""

    SESSION_KEY = "booking_cart"

    def __init__(self, session):
        self.session = session
        self.data = session.get(self.SESSION_KEY) or {}

    def __len__(self) -> int:
        return len(self.data.get("items", []))

    # Stored as ISO strings so the session stays JSON.
    @property
    def items(self) -> list[dict]:
        return [
            {"device": i["device"], "start": datetime.fromisoformat(i["start"]).astimezone(UTC),
             "end": datetime.fromisoformat(i["end"]).astimezone(UTC)}
            for i in self.data.get("items", [])
        ]

    @property
    def failures(self) -> dict[int, str]:
        return {int(k): v for k, v in self.data.get("failures", {}).items()}

    @property
    def patches(self) -> list[list[str]]:
        return self.data.get("patches", [])

    @property
    def collaborators(self) -> str:
        return self.data.get("collaborators", "")

    @property
    def message(self) -> str:
        return self.data.get("message", "")

    def add(self, windows: list[tuple[int, datetime, datetime]]) -> int:
        """Add (device_id, start, end) windows; return how many items the cart holds now."""
        items = self.items + [{"device": d, "start": s, "end": e} for d, s, e in windows]
        self._store(_merge(items))
        return len(self)

    def remove(self, index: int) -> None:
        items = self.items
        if 0 <= index < len(items):
            del items[index]
        self._store(items)

    def replace_device(self, index: int, device_id: int) -> bool:
        """Swap the device of item `index` (same window); False when there is no such item."""
        items = self.items
        if not 0 <= index < len(items):
            return False
        items[index]["device"] = device_id
        self._store(_merge(items))
        return True

    def set_details(self, *, collaborators: str, message: str) -> None:
        self.data["collaborators"] = collaborators
        self.data["message"] = message
        self._save()

    def set_patches(self, patches: list[list[str]]) -> None:
        self.data["patches"] = patches
        self._save()

    def set_failures(self, failures: dict[int, str]) -> None:
        self.data["failures"] = {str(k): v for k, v in failures.items()}
        self._save()

    def clear(self) -> None:
        self.data = {}
        self.session.pop(self.SESSION_KEY, None)
        self.session.modified = True

    def _store(self, items: list[dict]) -> None:
        self.data["items"] = [
            {"device": i["device"], "start": i["start"].astimezone(UTC).isoformat(),
             "end": i["end"].astimezone(UTC).isoformat()} for i in items
        ]
        # Indices moved; failures found earlier no longer point at the right items.
        self.data.pop("failures", None)
        self._save()

    def _save(self) -> None:
        self.session[self.SESSION_KEY] = self.data
        self.session.modified = True
