"""Topologies and port reservations in the admin: read-only (written by the topology services)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from scheduler.topology.models import PortReservation, Topology


@admin.register(Topology)
class TopologyAdmin(ReadOnlyAdmin):
    list_display = ("name", "owner", "node_count", "link_count", "updated_at")
    search_fields = ("name", "description", "owner__username")
    list_select_related = ("owner",)
    readonly_fields = ("name", "owner", "description", "nodes", "links", "source_group", "created_at", "updated_at")

    @admin.display(description="nodes")
    def node_count(self, obj):
        return len(obj.nodes)

    @admin.display(description="links")
    def link_count(self, obj):
        return len(obj.links)


@admin.register(PortReservation)
class PortReservationAdmin(ReadOnlyAdmin):
    list_display = ("port", "peer", "group", "switch", "link", "start", "end", "active")
    list_filter = ("active", ("switch", admin.RelatedOnlyFieldListFilter))
    search_fields = ("port__name", "peer__name", "group__owner__username")
    list_select_related = ("port", "peer", "group", "switch", "link__a", "link__b")
    date_hierarchy = "start"
