"""The lab's wiring as CSV: which switch each port is patched into, and the fixed links.

Ports file: columns `port, switch, switch_in, switch_out` (port label, switch device name, the
switch's in/out port numbers; an empty switch unpatches the port). Importing only changes ports
already in the inventory (devices and their ports come from the devices CSV).
Links file: columns `a, b, length_km, loss_db, notes` (port labels). A row updates the link that
joins the same two ports (either order) or creates one.

Both imports are one transaction: every bad row is reported with its line number and nothing is
changed when any row is bad; `dry_run` checks and counts, then rolls back. Each written row goes
through `full_clean()` (constraints, a port in at most one link) and leaves an audit event.
"""

import csv
import io
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Lower

from core.services.audit import audit_log
from inventory.models import Device, Link, Port
from inventory.services.csv_import import ImportResult, RowError

PORT_COLUMNS = ("port", "switch", "switch_in", "switch_out")
LINK_COLUMNS = ("a", "b", "length_km", "loss_db", "notes")


class _Failed(Exception):
    pass


def _write(columns, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue()


def _cell(value) -> str:
    return "" if value is None else str(value)


def ports_wiring_export_csv() -> str:
    """Every port with its switch and switch numbers, by label."""
    rows = Port.objects.select_related("switch").order_by("name", "id")
    return _write(PORT_COLUMNS, [(p.name, p.switch.name if p.switch else "", _cell(p.switch_in), _cell(p.switch_out))
                                 for p in rows])


def links_export_csv() -> str:
    """Every fixed link by the labels of its ports."""
    rows = Link.objects.select_related("a", "b").order_by("a__name", "id")
    return _write(LINK_COLUMNS, [(link.a.name, link.b.name, _cell(link.length_km), _cell(link.loss_db), link.notes)
                                 for link in rows])


def _rows(text: str, columns: tuple[str, ...], result: ImportResult) -> list[tuple[int, dict[str, str]]]:
    """The data rows with their line numbers; text that is not CSV is an error on the line it breaks."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [c.strip().lower() for c in (reader.fieldnames or [])]
    except csv.Error as exc:
        result.errors.append(RowError(1, f"not valid CSV ({exc})"))
        return []
    missing = [c for c in columns[:2] if c not in header]
    if missing:
        result.errors.append(RowError(0, f"the header must name the columns {', '.join(columns)} (missing: {', '.join(missing)})"))
        return []
    reader.fieldnames = header
    rows, previous_end = [], reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:  # the row that breaks starts on the line after the last one read
            result.errors.append(RowError(previous_end + 1, f"not valid CSV ({exc})"))
            return []
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items() if k}))
        previous_end = reader.line_num


def _number(value: str, what: str, problems: list[str], kind=int):
    if value == "":
        return None
    try:
        number = kind(value)
    except (ValueError, InvalidOperation):
        problems.append(f"{what} must be a number, not '{value}'")
        return None
    if kind is int and not 0 < number < 2**31:
        problems.append(f"{what} must be a whole number from 1 up")
        return None
    if kind is Decimal and (not number.is_finite() or number < 0 or number >= 10**5):
        problems.append(f"{what} must be a number from 0 up")
        return None
    return number


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{field}: {m}" if field != "__all__" else m for field, ms in exc.message_dict.items() for m in ms]
    return exc.messages


def _run(result: ImportResult, dry_run: bool, apply, action: str, actor) -> ImportResult:
    try:
        with transaction.atomic():
            apply()
            if result.errors:
                raise _Failed
            if result.created or result.updated:
                audit_log(actor=actor, action=action, data={"created": result.created, "updated": result.updated})
            if dry_run:
                transaction.set_rollback(True)
    except _Failed:
        result.created = result.updated = result.unchanged = 0
    return result


def ports_wiring_import_csv(*, text: str, actor, dry_run: bool = False) -> ImportResult:
    """Set the switch and switch numbers of existing ports from a ports wiring CSV."""
    result = ImportResult(dry_run=dry_run)
    rows = _rows(text, PORT_COLUMNS, result)
    ports = {p.lname: p for p in Port.objects.annotate(lname=Lower("name"))}
    switches: dict[str, list[Device]] = {}
    for device in Device.objects.filter(name__in={r.get("switch", "") for _, r in rows}):
        switches.setdefault(device.name, []).append(device)

    def apply():
        # Unpatch every listed port first so that ports may swap numbers within one file.
        listed = [ports[r["port"].lower()] for _, r in rows if r.get("port", "").lower() in ports]
        Port.objects.filter(pk__in=[p.pk for p in listed]).update(switch=None, switch_in=None, switch_out=None)
        for line, row in rows:
            problems: list[str] = []
            port = ports.get(row.get("port", "").lower())
            if port is None:
                problems.append(f"unknown port '{row.get('port', '')}'")
            name = row.get("switch", "")
            found = switches.get(name, [])
            if name and len(found) != 1:
                problems.append(f"switch '{name}' " + ("is not a device" if not found else "names several devices"))
            numbers = [_number(row.get(k, ""), k, problems) for k in ("switch_in", "switch_out")]
            if problems:
                result.errors += [RowError(line, p) for p in problems]
                continue
            before = (port.switch_id, port.switch_in, port.switch_out)
            port.switch = found[0] if name else None
            port.switch_in, port.switch_out = numbers
            try:
                port.full_clean()
            except ValidationError as exc:
                result.errors += [RowError(line, m) for m in _messages(exc)]
                continue
            port.save(update_fields=["switch", "switch_in", "switch_out"])
            if before == (port.switch_id, port.switch_in, port.switch_out):
                result.unchanged += 1
            else:
                result.updated += 1

    return _run(result, dry_run, apply, "inventory.ports.wiring_imported", actor)


def links_import_csv(*, text: str, actor, dry_run: bool = False) -> ImportResult:
    """Create or update fixed links from a links CSV."""
    result = ImportResult(dry_run=dry_run)
    rows = _rows(text, LINK_COLUMNS, result)
    ports = {p.lname: p for p in Port.objects.annotate(lname=Lower("name"))}
    existing = {frozenset((link.a_id, link.b_id)): link for link in Link.objects.all()}

    def apply():
        for line, row in rows:
            problems: list[str] = []
            ends = []
            for side in ("a", "b"):
                port = ports.get(row.get(side, "").lower())
                if port is None:
                    problems.append(f"{side}: unknown port '{row.get(side, '')}'")
                ends.append(port)
            length = _number(row.get("length_km", ""), "length_km", problems, Decimal)
            loss = _number(row.get("loss_db", ""), "loss_db", problems, Decimal)
            if problems:
                result.errors += [RowError(line, p) for p in problems]
                continue
            link = existing.get(frozenset((ends[0].pk, ends[1].pk)))
            created = link is None
            link = link or Link(a=ends[0], b=ends[1])
            before = (link.length_km, link.loss_db, link.notes)
            link.length_km, link.loss_db, link.notes = length, loss, row.get("notes", "")
            try:
                link.full_clean()
            except ValidationError as exc:
                result.errors += [RowError(line, m) for m in _messages(exc)]
                continue
            link.save()
            existing[frozenset((link.a_id, link.b_id))] = link
            if created:
                result.created += 1
            elif before != (link.length_km, link.loss_db, link.notes):
                result.updated += 1
            else:
                result.unchanged += 1

    return _run(result, dry_run, apply, "inventory.links.imported", actor)
