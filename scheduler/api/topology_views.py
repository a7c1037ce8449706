"""Topology API (`/api/scheduler/topologies/`): CRUD, copy, make from a patch list or a session,
resolve, earliest and book; and the wiring export of a session. Thin: one service call each."""

import json

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import NotFound
from scheduler.api import topology_serializers as s
from scheduler.api.views import ERRORS
from scheduler.models import Booking, BookingGroup
from scheduler.services.booking.permissions import require_visible
from scheduler.topology import services
from scheduler.topology.booking import topology_book
from scheduler.topology.earliest import topology_earliest
from scheduler.topology.models import Topology
from scheduler.topology.resolver import topology_resolve
from scheduler.topology.wiring import wiring_crossconnects, wiring_csv, wiring_json, wiring_of, wiring_python


def _responses(ok_status, serializer):
    return {ok_status: serializer, **ERRORS}


@extend_schema_view(
    list=extend_schema(summary="Your topologies (every topology for lab managers)"),
    retrieve=extend_schema(summary="One topology", responses=_responses(200, s.TopologySerializer)),
    destroy=extend_schema(summary="Delete a topology", responses={204: None, **ERRORS}),
)
class TopologyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """An experiment's graph: nodes (a device type or a pinned device) and links between node keys.

    Bad nodes or links are a 400 whose `errors` name each bad node (`node`: key) or link
    (`link`: index) with a message.
    """

    serializer_class = s.TopologySerializer
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Topology.objects.none()
        return services.topologies_visible_to(user=self.request.user).order_by("-updated_at", "-id")

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _answer(self, topology, code=status.HTTP_200_OK):
        return Response(s.TopologySerializer(topology, context=self.get_serializer_context()).data, status=code)

    @extend_schema(summary="Create a topology", request=s.TopologyWriteSerializer, responses=_responses(201, s.TopologySerializer))
    def create(self, request):
        data = self._input(s.TopologyWriteSerializer)
        topology = services.topology_create(owner=request.user, name=data["name"], description=data["description"],
                                            nodes=data["nodes"], links=data["links"])
        return self._answer(topology, status.HTTP_201_CREATED)

    @extend_schema(summary="Replace a topology's name, description, nodes and links", request=s.TopologyWriteSerializer,
                   responses=_responses(200, s.TopologySerializer))
    def update(self, request, pk=None):
        data = self._input(s.TopologyWriteSerializer)
        return self._answer(services.topology_update(topology=self.get_object(), actor=request.user, data=data))

    @extend_schema(summary="Change some of a topology's fields", request=s.TopologyWriteSerializer(partial=True),
                   responses=_responses(200, s.TopologySerializer))
    def partial_update(self, request, pk=None):
        serializer = s.TopologyWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if k in request.data}
        return self._answer(services.topology_update(topology=self.get_object(), actor=request.user, data=data))

    def perform_destroy(self, instance):
        services.topology_delete(topology=instance, actor=self.request.user)

    @extend_schema(summary="Copy a topology into your own", request=s.TopologyCopySerializer,
                   responses=_responses(201, s.TopologySerializer))
    @action(detail=True, methods=["post"])
    def copy(self, request, pk=None):
        data = self._input(s.TopologyCopySerializer)
        return self._answer(services.topology_copy(topology=self.get_object(), actor=request.user, name=data.get("name")),
                            status.HTTP_201_CREATED)

    @extend_schema(summary="Make a topology from a patch list (a node per device, a link per patched pair)",
                   request=s.TopologyFromPatchListSerializer, responses=_responses(201, s.TopologySerializer))
    @action(detail=False, methods=["post"], url_path="from-patch-list")
    def from_patch_list(self, request):
        data = self._input(s.TopologyFromPatchListSerializer)
        topology = services.topology_create_from_patch_list(owner=request.user, name=data["name"],
                                                            text=data["patch_list"], pin=data["pin"])
        return self._answer(topology, status.HTTP_201_CREATED)

    @extend_schema(summary="Make a topology from a past session (its devices, and its links if it was booked from a topology)",
                   request=s.TopologyFromSessionSerializer, responses=_responses(201, s.TopologySerializer))
    @action(detail=False, methods=["post"], url_path="from-session")
    def from_session(self, request):
        data = self._input(s.TopologyFromSessionSerializer)
        topology = services.topology_create_from_group(owner=request.user, group_id=data["group"], name=data.get("name"),
                                                       pin=data["pin"])
        return self._answer(topology, status.HTTP_201_CREATED)

    @extend_schema(summary="Map the topology onto devices and switch ports for a window: up to k mappings, best first",
                   request=s.ResolveInputSerializer, responses=_responses(200, s.ResolveOutputSerializer),
                   description="`feasible: false` comes with `reasons` naming the binding constraint (codes: pinned_busy, "
                               "type_shortage, port_shortage, no_fixed_link, no_connection, combination, timeout).")
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = self._input(s.ResolveInputSerializer)
        answer = topology_resolve(topology=self.get_object(), actor=request.user, start=data["start"], end=data["end"], k=data["k"])
        return Response(answer)

    @extend_schema(summary="The earliest grid-aligned starts (up to k) at which the whole topology is free for the duration",
                   request=s.EarliestInputSerializer, responses=_responses(200, s.EarliestOutputSerializer),
                   description="Exact: candidate starts are `after` and the ends of the bookings, maintenance windows and "
                               "port reservations in the way. `windows` is empty, with `reasons`, when nothing fits within "
                               "the policy's horizon.")
    @action(detail=True, methods=["post"])
    def earliest(self, request, pk=None):
        data = self._input(s.EarliestInputSerializer)
        answer = topology_earliest(topology=self.get_object(), actor=request.user, duration_minutes=data["duration"],
                                   after=data.get("after"), before=data.get("before"), k=data["k"])
        return Response(s.EarliestOutputSerializer(answer).data)

    @extend_schema(summary="Book a mapping as one session: a booking per device and a reservation per used port",
                   request=s.BookInputSerializer, responses=_responses(201, s.BookedTopologySerializer),
                   description="A mapping returned by resolve is accepted as it is. Every booking rule applies; a "
                               "mapping gone stale since it was resolved (a port reserved since, wiring changed, a "
                               "device booked up) is a 409 whose `conflicts` name what changed.")
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        data = self._input(s.BookInputSerializer)
        group = topology_book(topology=self.get_object(), requester=request.user, mapping=data["mapping"],
                              start=data["start"], end=data["end"], collaborators=data["collaborators"],
                              message=data["message"])
        group = (BookingGroup.objects.select_related("owner")
                 .prefetch_related("collaborators", "port_reservations__port",
                                   Prefetch("bookings", queryset=Booking.objects.select_related("device__device_type", "decided_by")))
                 .get(pk=group.pk))
        return Response(s.BookedTopologySerializer(group, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)


class _TextRenderer(renderers.BaseRenderer):
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data.encode() if isinstance(data, str) else json.dumps(data).encode()


class PythonRenderer(_TextRenderer):
    media_type = "text/x-python"
    format = "python"


class CsvRenderer(_TextRenderer):
    media_type = "text/csv"
    format = "csv"


class CrossConnectsRenderer(renderers.JSONRenderer):
    format = "crossconnects"


class SessionWiringView(APIView):
    """The wiring of a session booked from a topology."""

    renderer_classes = [renderers.JSONRenderer, PythonRenderer, CsvRenderer, CrossConnectsRenderer]

    @extend_schema(
        summary="A topology session's wiring: patch list (python), JSON, CSV with switch numbers, or cross-connects per switch",
        parameters=[OpenApiParameter("format", str, enum=["json", "python", "csv", "crossconnects"],
                                     description="Default json.")],
        responses={(200, "application/json"): OpenApiTypes.OBJECT, (200, "text/x-python"): OpenApiTypes.STR,
                   (200, "text/csv"): OpenApiTypes.STR, 404: ERRORS[404]},
    )
    def get(self, request, pk: int):
        group = BookingGroup.objects.filter(pk=pk).first()
        if group is None:
            raise NotFound("No such session.")
        require_visible(request.user, group)
        links = wiring_of(group=group)
        kind = request.accepted_renderer.format
        if kind == "python":
            return Response(wiring_python(links))
        if kind == "csv":
            response = Response(wiring_csv(links))
            response["Content-Disposition"] = f'attachment; filename="session-{group.pk}-wiring.csv"'
            return response
        if kind == "crossconnects":
            return Response(wiring_crossconnects(links))
        return Response({"group": group.pk, **wiring_json(links)})
