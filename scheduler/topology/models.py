"""Topologies (an experiment's graph of typed or pinned nodes and links) and the ports a session holds.

Imported by `scheduler.models`, so Django sees these models as the scheduler's.
"""

from django.conf import settings
from django.db import models

from inventory.models import Device, Link, Port
from scheduler.models import Booking, BookingGroup

MAX_NODES = 100
MAX_LINKS = 400


class Topology(models.Model):
    """An experiment's topology: nodes (a device type or a pinned device) and the links between them.

    `nodes`: [{key, device_type, device, site, tag, params}] (device_type / device / site / tag are
    ids; exactly one of device_type and device). `links`: [{a, b, fixed_only, notes}] with a and b
    node keys. Both are checked by `scheduler.topology.spec.topology_spec_clean` on every write.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="topologies")
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True, max_length=4000)
    nodes = models.JSONField(default=list)
    links = models.JSONField(default=list)
    source_group = models.ForeignKey(BookingGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                     help_text="The session this topology was made from, if any.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name_plural = "topologies"
        indexes = [models.Index(fields=["owner", "updated_at"], name="scheduler_topology_owner_idx")]

    def __str__(self):
        return self.name


class PortReservation(models.Model):
    """One port held by a session booked from a topology, for one link of the topology.

    The reservation follows the booking of its port's device: it is `active` while that booking is
    pending, conflicting or confirmed, and is released (active=False) in the same transaction as
    the booking is cancelled, rejected or expired. On PostgreSQL an exclusion constraint
    (migration 0003/the topology migration) keeps two active reservations of one port from
    overlapping in time; the booking service's device lock keeps them apart on every database.
    `side` is "a" or "b": the end of the topology link this port realises; `peer` is the port at
    the other end, joined by a cross-connect on `switch` or by the fixed `link`.
    """

    group = models.ForeignKey(BookingGroup, on_delete=models.CASCADE, related_name="port_reservations")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="port_reservations")
    port = models.ForeignKey(Port, on_delete=models.PROTECT, related_name="reservations")
    peer = models.ForeignKey(Port, on_delete=models.PROTECT, related_name="+")
    side = models.CharField(max_length=1, choices=[("a", "a"), ("b", "b")])
    a_key = models.CharField(max_length=50, help_text="Topology node key of the link's a end.")
    b_key = models.CharField(max_length=50, help_text="Topology node key of the link's b end.")
    switch = models.ForeignKey(Device, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    link = models.ForeignKey(Link, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["group", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(start__lt=models.F("end")), name="%(app_label)s_%(class)s_start_before_end"),
            models.CheckConstraint(condition=~models.Q(port=models.F("peer")), name="%(app_label)s_%(class)s_two_ports"),
        ]
        indexes = [
            models.Index(fields=["port", "start", "end"], name="scheduler_portres_window_idx"),
            models.Index(fields=["active", "end"], name="scheduler_portres_active_idx"),
        ]

    def __str__(self):
        return f"{self.port} for session {self.group_id} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"
