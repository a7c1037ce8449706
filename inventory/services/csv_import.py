"""Import devices from CSV (the format of `inventory.services.csv_export`).

Rules, in the order they are applied:
- The header names the columns; `name` and `device_type` are required, the others optional and in any
  order. A column that is absent leaves that field alone on existing devices (and takes the model's
  default on new ones); a column that is present but empty clears the field. An empty `status`
  means "unchanged" (new devices: available).
- Each row updates the device it matches, else creates one: matched by asset id (`oi_id`), then by
  `serial_number`, then by device type and name. Updates go through `device_update` and new devices
  through `device_create`, so history and audit events are written; a row that changes nothing
  writes nothing (exporting and re-importing a file changes nothing).
- An unknown device type is an error (types carry booking rules; create them in the admin first).
  Unknown manufacturers, sites and tags are created by name (new tags get the default colour).
- With a `ports` column, a device's ports become exactly the listed ones: missing labels are deleted,
  listed ones created or renumbered (descriptions of kept ports stay).
- Every bad row is reported with its line number (the header is line 1) and reason, and nothing is
  imported when any row is bad: the whole import is one transaction. `dry_run` checks and counts
  everything, then rolls back.
"""

import csv
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower

from core.services.audit import audit_log
from inventory.choices import DeviceStatus
from inventory.csv_cells import LIST_SEPARATOR, PORT_SEPARATOR, cell_unescape, item_unescape, split_unescaped
from inventory.models import Device, DeviceType, Manufacturer, Port, Site, Tag
from inventory.services.csv_export import CSV_COLUMNS
from inventory.services.devices import TRACKED_FIELDS, device_create, device_update

REQUIRED_COLUMNS = ("name", "device_type")
NAMED_FKS = {"manufacturer": Manufacturer, "site": Site}
NULLABLE_FIELDS = ("u_position", "mgmt_ip", "capacity")


@dataclass(frozen=True)
class RowError:
    line: int  # 0: the file as a whole
    message: str

    def __str__(self):
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary(self) -> str:
        if self.errors:
            return f"Nothing imported: {len(self.errors)} error(s) in the file."
        verb = "Would import" if self.dry_run else "Imported"
        return f"{verb} {self.rows} device(s): {self.created} created, {self.updated} updated, {self.unchanged} unchanged."


@dataclass
class _Row:
    line: int
    values: dict[str, Any]  # model fields present in the file (FKs still as names)
    tags: list[str] | None
    ports: list[tuple[str, int | None, int | None]] | None
    target: Device | None = None


class _ImportFailed(Exception):
    pass


def _read_text(file, text: str | None) -> str:
    if text is not None:
        return text
    data = file.read()
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError("The file is not UTF-8 text; save it as \"CSV UTF-8\" and try again.") from exc
    return data.removeprefix("\ufeff")


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{name}: {msg}" if name != "__all__" else msg
                for name, msgs in exc.message_dict.items() for msg in msgs]
    return list(exc.messages)


def _parse_ports(raw: str) -> tuple[list[tuple[str, int | None, int | None]], list[str]]:
    ports, problems = [], []
    seen: set[str] = set()
    for entry in (e.strip() for e in split_unescaped(raw, LIST_SEPARATOR)):
        if not entry:
            continue
        parts = [p.strip() for p in split_unescaped(entry, PORT_SEPARATOR)]
        if len(parts) == 1:
            parts += ["", ""]
        if len(parts) != 3 or not parts[0]:
            problems.append(f"ports: '{entry}' should look like label:in:out (in and out may be empty)")
            continue
        label, numbers = item_unescape(parts[0]), []
        for side, value in zip(("in", "out"), parts[1:], strict=True):
            if value == "":
                numbers.append(None)
            elif value.isdigit() and 0 < int(value) < 2**31:
                numbers.append(int(value))
            else:
                problems.append(f"ports: {side} port of '{label}' must be a whole number from 1 up, not '{value}'")
                numbers.append(None)
        if len(label) > Port._meta.get_field("name").max_length:
            problems.append(f"ports: label '{label[:20]}...' is too long")
        if label.lower() in seen:
            problems.append(f"ports: label '{label}' is listed twice")
        seen.add(label.lower())
        ports.append((label, numbers[0], numbers[1]))
    return ports, problems


def _parse_row(line: int, cells: dict[str, str], types: dict[str, DeviceType]) -> tuple[_Row, list[str]]:
    problems: list[str] = []
    values: dict[str, Any] = {}
    for name, raw in cells.items():
        if name in ("tags", "ports"):
            continue
        # A cell written with the spreadsheet apostrophe is taken literally; others are trimmed.
        literal = cell_unescape(raw)
        raw = literal if literal != raw else raw.strip()
        if name == "device_type":
            if not raw:
                problems.append("device_type is missing")
            elif raw.lower() not in types:
                problems.append(f"unknown device type '{raw}'; create it in the admin first")
            else:
                values[name] = types[raw.lower()]
            continue
        if name in NAMED_FKS:
            limit = NAMED_FKS[name]._meta.get_field("name").max_length
            if len(raw) > limit:
                problems.append(f"{name}: at most {limit} characters")
            values[name] = raw or None
            continue
        if name == "status":
            if raw:
                wanted = {c.value: c.value for c in DeviceStatus} | {c.label.lower(): c.value for c in DeviceStatus}
                if raw.lower() in wanted:
                    values[name] = wanted[raw.lower()]
                else:
                    problems.append(f"status '{raw}' is not one of {', '.join(DeviceStatus.values)}")
            continue
        if name == "name" and not raw:
            problems.append("name is missing")
            continue
        model_field = Device._meta.get_field(name)
        value = None if (raw == "" and name in NULLABLE_FIELDS) else raw
        try:
            values[name] = model_field.clean(value, None)
        except ValidationError as exc:
            problems += [f"{name}: {m}" for m in exc.messages]
            continue
        if name == "capacity" and values[name] == 0:
            problems.append("capacity: must be at least 1 (leave it empty to use the type's default)")
    tags = None
    if "tags" in cells:
        tags, seen = [], set()
        for tag in (item_unescape(t.strip()) for t in split_unescaped(cell_unescape(cells["tags"]), LIST_SEPARATOR)):
            if tag and tag.lower() not in seen:
                seen.add(tag.lower())
                tags.append(tag)
                if len(tag) > Tag._meta.get_field("name").max_length:
                    problems.append(f"tags: '{tag[:20]}...' is too long")
    ports = None
    if "ports" in cells:
        ports, port_problems = _parse_ports(cell_unescape(cells["ports"]))
        problems += port_problems
    return _Row(line=line, values=values, tags=tags, ports=ports), problems


def _read_rows(text: str, errors: list[RowError]) -> tuple[list[str], list[_Row]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    types = {t.name.lower(): t for t in DeviceType.objects.all()}
    try:
        header = next(reader)
    except StopIteration:
        errors.append(RowError(0, "The file is empty; it needs a header row and one row per device."))
        return [], []
    except csv.Error as exc:
        errors.append(RowError(1, f"not valid CSV ({exc})"))
        return [], []
    columns = [h.strip().lower() for h in header]
    unknown = [c for c in columns if c not in CSV_COLUMNS]
    if unknown:
        errors.append(RowError(1, f"unknown column(s) {', '.join(unknown)}; known: {', '.join(CSV_COLUMNS)}"))
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        errors.append(RowError(1, f"column(s) {', '.join(duplicated)} appear more than once"))
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        errors.append(RowError(1, f"required column(s) {', '.join(missing)} missing"))
    if errors:
        return columns, []

    rows: list[_Row] = []
    previous_end = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(previous_end + 1, f"not valid CSV ({exc})"))
            break
        line, previous_end = previous_end + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(columns):
            errors.append(RowError(line, f"has {len(cells)} cells but the header has {len(columns)} columns"))
            continue
        row, problems = _parse_row(line, dict(zip(columns, cells, strict=True)), types)
        errors += [RowError(line, p) for p in problems]
        if not problems:
            rows.append(row)
    return columns, rows


def _check_file_duplicates(rows: list[_Row], errors: list[RowError]) -> None:
    """Values that must be unique may appear only once in the file."""
    seen: dict[tuple, int] = {}

    def claim(key: tuple, row: _Row, what: str):
        if key in seen:
            errors.append(RowError(row.line, f"{what} is also on line {seen[key]}"))
        else:
            seen[key] = row.line

    for row in rows:
        v = row.values
        if v.get("serial_number"):
            claim(("serial", v["serial_number"]), row, f"serial number '{v['serial_number']}'")
        if v.get("oi_id"):
            claim(("oi_id", v["oi_id"]), row, f"asset id '{v['oi_id']}'")
        claim(("name", v["device_type"].pk, v["name"]), row, f"{v['device_type']} '{v['name']}'")
        for label, switch_in, switch_out in row.ports or ():
            claim(("port", label.lower()), row, f"port label '{label}'")
            if switch_in is not None:
                claim(("in", switch_in), row, f"Polatis in port {switch_in}")
            if switch_out is not None:
                claim(("out", switch_out), row, f"Polatis out port {switch_out}")


def _match_devices(rows: list[_Row], errors: list[RowError]) -> None:
    """Find each row's existing device and refuse values that belong to another device."""
    oi_ids = {r.values["oi_id"] for r in rows if r.values.get("oi_id")}
    serials = {r.values["serial_number"] for r in rows if r.values.get("serial_number")}
    names = {r.values["name"] for r in rows}
    existing = list(
        Device.objects.filter(Q(oi_id__in=oi_ids) | Q(serial_number__in=serials) | Q(name__in=names))
        .select_related("device_type", "manufacturer", "site").prefetch_related("tags", "ports")
    )
    by_oi = {d.oi_id: d for d in existing if d.oi_id}
    by_serial = {d.serial_number: d for d in existing if d.serial_number}
    by_name = {(d.device_type_id, d.name): d for d in existing}
    claimed: dict[int, int] = {}
    for row in rows:
        v = row.values
        key_name = (v["device_type"].pk, v["name"])
        candidates = [by_oi.get(v.get("oi_id")) if v.get("oi_id") else None,
                      by_serial.get(v.get("serial_number")) if v.get("serial_number") else None,
                      by_name.get(key_name)]
        row.target = next((d for d in candidates if d is not None), None)
        owners = [("asset id", v.get("oi_id"), candidates[0]), ("serial number", v.get("serial_number"), candidates[1]),
                  (f"{v['device_type']} name", v["name"], candidates[2])]
        for what, value, owner in owners:
            if owner is not None and owner != row.target:
                errors.append(RowError(row.line, f"{what} '{value}' already belongs to device '{owner}' (id {owner.pk}), "
                                                 f"but this row matches '{row.target}' (id {row.target.pk})"))
        if row.target is not None:
            if row.target.pk in claimed:
                errors.append(RowError(row.line, f"matches the same device '{row.target}' as line {claimed[row.target.pk]}"))
            claimed.setdefault(row.target.pk, row.line)


def _check_port_owners(rows: list[_Row], errors: list[RowError]) -> None:
    """A port label or Polatis number may only be taken from a device whose ports the file also replaces."""
    rows = [r for r in rows if r.ports]
    if not rows:
        return
    released = {r.target.pk for r in rows if r.target is not None}
    labels = {label.lower() for r in rows for label, _, _ in r.ports}
    ins = {i for r in rows for _, i, _ in r.ports if i is not None}
    outs = {o for r in rows for _, _, o in r.ports if o is not None}
    # Labels are compared case-insensitively, as the database's unique constraint does.
    taken = list(
        Port.objects.annotate(lower_name=Lower("name"))
        .filter(Q(lower_name__in=labels) | Q(switch_in__in=ins) | Q(switch_out__in=outs))
        .select_related("device")
    )
    by_label = {p.name.lower(): p for p in taken}
    by_in = {p.switch_in: p for p in taken if p.switch_in is not None}
    by_out = {p.switch_out: p for p in taken if p.switch_out is not None}
    for row in rows:
        mine = row.target.pk if row.target is not None else None
        for label, switch_in, switch_out in row.ports:
            for what, owner in ((f"port label '{label}'", by_label.get(label.lower())),
                                (f"Polatis in port {switch_in}", by_in.get(switch_in) if switch_in else None),
                                (f"Polatis out port {switch_out}", by_out.get(switch_out) if switch_out else None)):
                if owner is not None and owner.device_id != mine and owner.device_id not in released:
                    errors.append(RowError(row.line, f"{what} is already used by port '{owner.name}' of device '{owner.device}'"))


class _Lookups:
    """Manufacturers, sites and tags by lower-case name, created on first use."""

    def __init__(self):
        self.objects = {model: {o.name.lower(): o for o in model.objects.all()} for model in (Manufacturer, Site, Tag)}

    def get(self, model, name: str | None):
        if not name:
            return None
        known = self.objects[model]
        if name.lower() not in known:
            obj = model(name=name)
            obj.full_clean()
            obj.save()
            known[name.lower()] = obj
        return known[name.lower()]


def _device_data(row: _Row, lookups: _Lookups) -> dict[str, Any]:
    data = {}
    for name, value in row.values.items():
        if name in NAMED_FKS:
            value = lookups.get(NAMED_FKS[name], value)
        data[name] = value
    if row.tags is not None:
        data["tags"] = [lookups.get(Tag, t) for t in row.tags]
    return data


def _changed(device: Device, data: dict[str, Any]) -> dict[str, Any]:
    changed = {}
    for name, value in data.items():
        if name == "tags":
            if {t.pk for t in value} != {t.pk for t in device.tags.all()}:
                changed[name] = value
        elif name in TRACKED_FIELDS:
            current = getattr(device, name)
            if (current is None) != (value is None) or ("" if current is None else str(current)) != ("" if value is None else str(value)):
                changed[name] = value
    return changed


def _ports_plan(device: Device, wanted: list[tuple[str, int | None, int | None]]):
    """(ports to delete, ports to renumber/rename with their new values, ports to create)."""
    current = {p.name.lower(): p for p in device.ports.all()} if device.pk else {}
    wanted_by_label = {label.lower(): (label, i, o) for label, i, o in wanted}
    delete = [p for key, p in current.items() if key not in wanted_by_label]
    change, create = [], []
    for key, (label, switch_in, switch_out) in wanted_by_label.items():
        port = current.get(key)
        if port is None:
            create.append(Port(device=device, name=label, switch_in=switch_in, switch_out=switch_out))
        elif (port.name, port.switch_in, port.switch_out) != (label, switch_in, switch_out):
            change.append((port, label, switch_in, switch_out))
    return delete, change, create


def _apply(rows: list[_Row], actor, result: ImportResult) -> None:
    lookups = _Lookups()
    plans = []
    for row in rows:
        try:
            with transaction.atomic():
                data = _device_data(row, lookups)
                if row.target is None:
                    device = device_create(actor=actor, data=data)
                    device_changed = True
                    result.created += 1
                else:
                    device = row.target
                    changes = _changed(device, data)
                    if changes:
                        device_update(device=device, actor=actor, data=changes)
                    device_changed = bool(changes)
                if row.ports is not None:
                    plan = _ports_plan(device, row.ports)
                    if any(plan):
                        plans.append((row, plan))
                        device_changed = True
                if row.target is not None:
                    if device_changed:
                        result.updated += 1
                    else:
                        result.unchanged += 1
        except ValidationError as exc:
            result.errors += [RowError(row.line, m) for m in _messages(exc)]
    if result.errors:
        raise _ImportFailed
    # Free labels and numbers first (deletes; renumbered ports lose their numbers), so that ports
    # may swap numbers or move between devices within one file.
    for _row, (delete, change, _create) in plans:
        for port in delete:
            port.delete()
        for port, *_ in change:
            Port.objects.filter(pk=port.pk).update(switch_in=None, switch_out=None, name=f"~import~{port.pk}")
    for row, (_delete, change, create) in plans:
        try:
            with transaction.atomic():
                for port, label, switch_in, switch_out in change:
                    port.name, port.switch_in, port.switch_out = label, switch_in, switch_out
                    port.full_clean()
                    port.save(update_fields=["name", "switch_in", "switch_out"])
                for port in create:
                    port.full_clean()
                    port.save()
        except ValidationError as exc:
            result.errors += [RowError(row.line, m) for m in _messages(exc)]
    if result.errors:
        raise _ImportFailed


def devices_import_csv(*, file=None, text: str | None = None, actor, dry_run: bool = False) -> ImportResult:
    """Create or update devices from CSV `file` (bytes or text) or `text`; all rows or none.

    Returns the counts, or every error with its line number (then nothing was imported).
    """
    result = ImportResult(dry_run=dry_run)
    try:
        content = _read_text(file, text)
    except ValidationError as exc:
        result.errors += [RowError(0, m) for m in exc.messages]
        return result
    _columns, rows = _read_rows(content, result.errors)
    _check_file_duplicates(rows, result.errors)
    # Rows that parsed are checked against the database even when others are bad, so that one
    # upload reports every problem.
    _match_devices(rows, result.errors)
    _check_port_owners(rows, result.errors)
    if result.errors:
        return result
    try:
        with transaction.atomic():
            _apply(rows, actor, result)
            if not dry_run and (result.created or result.updated):
                audit_log(actor=actor, action="inventory.devices.imported",
                          data={"created": result.created, "updated": result.updated, "unchanged": result.unchanged})
            if dry_run:
                transaction.set_rollback(True)
    except _ImportFailed:
        result.created = result.updated = result.unchanged = 0
    return result
