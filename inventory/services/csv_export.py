"""Devices as CSV: the column list shared with the importer, and the export itself.

Columns (header row first, UTF-8):
  name, device_type, manufacturer, model, serial_number, oi_id, status, site, rack, u_position,
  hostname, mgmt_ip, owner_group, notes, capacity, tags, ports
device_type, manufacturer and site are names; status is its value (available, maintenance, ...);
tags are names joined with ";"; ports are "label:in:out" joined with ";" (in/out are the Polatis
port numbers, empty when not patched), e.g. "roadm_10_p1:11:11;roadm_10_line::".
Every cell is written through `inventory.csv_cells` (formula-like cells neutralised for spreadsheets,
`;` and `:` inside tag names and port labels escaped), and the importer reads it back the same way.
"""

import csv
import io
from collections.abc import Iterable

from django.db.models import QuerySet

from inventory.csv_cells import LIST_SEPARATOR, PORT_SEPARATOR, cell_escape, item_escape
from inventory.models import Device, Port
from inventory.services.devices import TRACKED_FIELDS

CSV_COLUMNS = (*TRACKED_FIELDS, "tags", "ports")


def port_format(port: Port) -> str:
    numbers = ["" if n is None else str(n) for n in (port.switch_in, port.switch_out)]
    return PORT_SEPARATOR.join([item_escape(port.name), *numbers])


def device_csv_row(device: Device) -> dict[str, str]:
    """One device as CSV cells (FKs by name; tags and ports from prefetched relations), spreadsheet-safe."""
    row = {}
    for field in TRACKED_FIELDS:
        value = getattr(device, field)
        row[field] = "" if value is None else str(value)
    row["tags"] = LIST_SEPARATOR.join(item_escape(name) for name in sorted(t.name for t in device.tags.all()))
    row["ports"] = LIST_SEPARATOR.join(port_format(p) for p in sorted(device.ports.all(), key=lambda p: p.name.lower()))
    return {column: cell_escape(value) for column, value in row.items()}


def devices_export_queryset(queryset: QuerySet[Device] | None = None) -> QuerySet[Device]:
    queryset = Device.objects.all() if queryset is None else queryset
    return (queryset.prefetch_related(None).select_related("device_type", "manufacturer", "site")
            .prefetch_related("tags", "ports").order_by("device_type__name", "name", "pk"))


def devices_export_csv(*, devices: Iterable[Device] | QuerySet[Device] | None = None, stream=None) -> str | None:
    """Write `devices` (all when None) as CSV to `stream`, or return the text when no stream is given."""
    if devices is None or isinstance(devices, QuerySet):
        devices = devices_export_queryset(devices)
    out = io.StringIO() if stream is None else stream
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for device in devices:
        writer.writerow(device_csv_row(device))
    return out.getvalue() if stream is None else None
