"""Demand: per device type, the share of bookable device-hours that was booked, by weekday × slot.

Cells are the lab's slots (07–12, 12–18, 18–07 next day) on each lab day of the last N weeks, in
the lab's wall clock (so a DST change gives a 4- or 6-hour cell, counted as it really was). A
weekday × slot figure sums its N cells: booked hours (active bookings, confirmed and undecided,
each shared booking counting its own hours) ÷ bookable hours (device-hours × capacity, holes
excluded; see utilization.py).
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from core import clock
from scheduler.cart import SLOTS
from scheduler.selectors.insight.calendar import bookable_calendar
from scheduler.selectors.insight.sql import booked_seconds
from scheduler.services.booking import lab_zone

DEFAULT_WEEKS = 12
MAX_WEEKS = 104
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class HeatCell:
    weekday: int  # 0 = Monday
    slot: str
    booked_hours: float = 0.0
    bookable_hours: float = 0.0

    @property
    def share(self) -> float | None:
        return min(1.0, self.booked_hours / self.bookable_hours) if self.bookable_hours else None


@dataclass
class TypeHeatmap:
    device_type_id: int
    device_type: str
    devices: int
    cells: list[HeatCell] = field(default_factory=list)

    def cell(self, weekday: int, slot: str) -> HeatCell:
        return self.cells[weekday * len(SLOTS) + [s.key for s in SLOTS].index(slot)]

    @property
    def quietest(self) -> HeatCell | None:
        known = [c for c in self.cells if c.share is not None]
        return min(known, key=lambda c: (c.share, c.weekday)) if known else None

    @property
    def busiest(self) -> HeatCell | None:
        known = [c for c in self.cells if c.share is not None]
        return max(known, key=lambda c: (c.share, -c.weekday)) if known else None


@dataclass
class Heatmap:
    weeks: int
    first_day: date
    last_day: date
    start: datetime
    end: datetime
    types: list[TypeHeatmap]


def heatmap_cells(*, first_day: date, days: int) -> list[tuple[int, str, datetime, datetime]]:
    """(weekday, slot key, start, end) of every slot on `days` lab days from `first_day`."""
    tz = lab_zone()
    cells = []
    for n in range(days):
        day = first_day + timedelta(days=n)
        for slot in SLOTS:
            start, end = slot.window(day, tz)
            # In UTC: subtracting two times of one zone would give wall-clock, not elapsed, hours.
            cells.append((day.weekday(), slot.key, start.astimezone(UTC), end.astimezone(UTC)))
    return cells


def demand_heatmap(*, weeks: int = DEFAULT_WEEKS, device_type=None, today: date | None = None) -> Heatmap:
    """The heatmap of the `weeks` full weeks of lab days before today. Four queries."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValueError(f"weeks must be between 1 and {MAX_WEEKS}")
    today = today or clock.now().astimezone(lab_zone()).date()
    first_day = today - timedelta(days=7 * weeks)
    cells = heatmap_cells(first_day=first_day, days=7 * weeks)
    start, end = cells[0][2], cells[-1][3]
    calendar = bookable_calendar(start=start, end=end, device_type=device_type)
    spans = [(s, e) for _, _, s, e in cells]
    booked = booked_seconds(cells=spans, holes=calendar.hole_rows(), key="type", cells_per_day=len(SLOTS),
                            device_ids=[d.id for d in calendar.devices] if device_type is not None else None)
    slot_index = {slot.key: i for i, slot in enumerate(SLOTS)}
    maps: dict[int, TypeHeatmap] = {}
    capacity_free: dict[int, int] = {}  # capacity summed over the type's devices without holes
    for device in calendar.devices:
        heat = maps.get(device.type_id)
        if heat is None:
            heat = maps[device.type_id] = TypeHeatmap(device.type_id, device.type_name, 0, [
                HeatCell(weekday, slot.key) for weekday in range(7) for slot in SLOTS])
            capacity_free[device.type_id] = 0
        heat.devices += 1
        if device.id not in calendar.holes:
            capacity_free[device.type_id] += device.capacity
            continue
        for weekday, slot, s, e in cells:
            target = heat.cells[weekday * len(SLOTS) + slot_index[slot]]
            target.bookable_hours += calendar.bookable_seconds(device.id, (s, e)) * device.capacity / 3600
    for type_id, heat in maps.items():
        for idx, (weekday, slot, s, e) in enumerate(cells):
            target = heat.cells[weekday * len(SLOTS) + slot_index[slot]]
            target.bookable_hours += capacity_free[type_id] * (e - s).total_seconds() / 3600
            target.booked_hours += sum(booked.get((type_id, bucket, idx), 0.0) for bucket in ("confirmed", "pending")) / 3600
    for heat in maps.values():
        for cell in heat.cells:
            cell.booked_hours = round(cell.booked_hours, 4)
            cell.bookable_hours = round(cell.bookable_hours, 4)
    return Heatmap(weeks=weeks, first_day=first_day, last_day=today - timedelta(days=1), start=start, end=end,
                   types=sorted(maps.values(), key=lambda h: h.device_type.casefold()))
