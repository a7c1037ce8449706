"""Scheduler API: thin viewsets; every write is one service call."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.exceptions import RuleConflict
from scheduler.api import serializers as s
from scheduler.filters import BookingFilter, BookingGroupFilter, MaintenanceWindowFilter
from scheduler.models import Booking, BookingGroup, MaintenanceWindow
from scheduler.selectors.bookings import booking_groups_visible_to, bookings_visible_to
from scheduler.selectors.insight.substitutes import conflicts_with_help
from scheduler.services import booking as booking_services
from scheduler.services import maintenance as maintenance_services

ERRORS = {
    400: OpenApiResponse(s.ErrorResponseSerializer, description="Invalid input"),
    403: OpenApiResponse(s.ErrorResponseSerializer, description="Not allowed"),
    404: OpenApiResponse(s.ErrorResponseSerializer, description="Not found or not visible to you"),
    409: OpenApiResponse(s.ConflictResponseSerializer, description="Conflicts with the booking rules"),
}


def _responses(ok_status, serializer):
    return {ok_status: serializer, **ERRORS}


BOOKING_RELATED = ("device__device_type", "group__owner", "decided_by")


@extend_schema_view(
    list=extend_schema(summary="Bookings you may see (your sessions; every booking for lab managers)"),
    retrieve=extend_schema(summary="One booking", responses=_responses(200, s.BookingSerializer)),
)
class BookingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.BookingSerializer
    filterset_class = BookingFilter

    def get_queryset(self):
        # A detail route (one booking, or an action on it) asks about that row alone.
        visible = bookings_visible_to(user=self.request.user, single=self.detail)
        return visible.select_related(*BOOKING_RELATED).order_by("start", "id")

    def _booking_response(self, booking, code=status.HTTP_200_OK):
        booking = Booking.objects.select_related(*BOOKING_RELATED).get(pk=booking.pk)
        return Response(s.BookingSerializer(booking, context=self.get_serializer_context()).data, status=code)

    @extend_schema(summary="Request one device for one window (a session of one)",
                   request=s.BookingCreateInputSerializer, responses=_responses(201, s.BookingSerializer))
    def create(self, request):
        data = self._input(s.BookingCreateInputSerializer)
        try:
            group = booking_services.booking_request(
                requester=request.user,
                items=[{"device": data["device"], "start": data["start"], "end": data["end"]}],
                message=data["message"],
            )
        except RuleConflict:
            # The service reads the device under its lock and refuses an unknown one; like any bad input
            # that is a 400 on the field. Asked only now, so a request that succeeds saves the query.
            unknown = s.device_does_not_exist(data["device"])
            if unknown is not None:
                raise unknown from None
            raise
        # The service hands back the new row with its device, type and owner loaded: no re-read.
        booking = group.created_bookings[0]
        return Response(s.BookingSerializer(booking, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(summary="Cancel (owner or lab manager)", request=None, responses=_responses(200, s.BookingSerializer))
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._booking_response(booking_services.booking_cancel(booking=self.get_object(), actor=request.user))

    @extend_schema(summary="Extend to a new end (owner, collaborator or lab manager)",
                   description="An undecided booking gets the new end; a confirmed one keeps its window and the "
                               "extra time is added as a new request in the same session, returned here.",
                   request=s.EndInputSerializer, responses=_responses(200, s.BookingSerializer))
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        booking = self.get_object()
        data = self._input(s.EndInputSerializer)
        return self._booking_response(booking_services.booking_extend(booking=booking, actor=request.user, end=data["end"]))

    @extend_schema(summary="Approve (lab managers)", request=s.NoteInputSerializer, responses=_responses(200, s.BookingSerializer))
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        booking = self.get_object()
        data = self._input(s.NoteInputSerializer)
        return self._booking_response(booking_services.booking_approve(booking=booking, actor=request.user, note=data["note"]))

    @extend_schema(summary="Reject (lab managers)", request=s.NoteInputSerializer, responses=_responses(200, s.BookingSerializer))
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        booking = self.get_object()
        data = self._input(s.NoteInputSerializer)
        return self._booking_response(booking_services.booking_reject(booking=booking, actor=request.user, note=data["note"]))


@extend_schema_view(
    list=extend_schema(summary="Sessions you own or collaborate on (all sessions for lab managers)"),
    retrieve=extend_schema(summary="One session with its bookings", responses=_responses(200, s.BookingGroupSerializer)),
)
class BookingGroupViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.BookingGroupSerializer
    filterset_class = BookingGroupFilter

    def get_queryset(self):
        return (
            booking_groups_visible_to(user=self.request.user, single=self.detail)
            .select_related("owner")
            .prefetch_related(
                "collaborators",
                Prefetch("bookings", queryset=Booking.objects.select_related("device__device_type", "decided_by")),
            )
            .order_by("-created_at", "-id")
        )

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _group_response(self, group, code=status.HTTP_200_OK):
        group = BookingGroup.objects.filter(pk=group.pk)
        group = (
            group.select_related("owner")
            .prefetch_related("collaborators", Prefetch("bookings", queryset=Booking.objects.select_related("device__device_type", "decided_by")))
            .get()
        )
        return Response(s.BookingGroupSerializer(group, context=self.get_serializer_context()).data, status=code)

    def _bookings_response(self, bookings):
        bookings = Booking.objects.filter(pk__in=[b.pk for b in bookings]).select_related(*BOOKING_RELATED)
        return Response(s.BookingSerializer(bookings, many=True, context=self.get_serializer_context()).data)

    @extend_schema(summary="Request several bookings as one session, all or nothing",
                   request=s.BookingGroupCreateInputSerializer, responses=_responses(201, s.BookingGroupSerializer))
    def create(self, request):
        data = self._input(s.BookingGroupCreateInputSerializer)
        group = booking_services.booking_request(
            requester=request.user, items=data["items"], collaborators=data["collaborators"], message=data["message"],
        )
        return self._group_response(group, status.HTTP_201_CREATED)

    @extend_schema(summary="Check a request without saving it (free / conflicting / refused per item)",
                   request=s.BookingPreviewInputSerializer, responses=_responses(200, s.ItemCheckSerializer(many=True)))
    @action(detail=False, methods=["post"], pagination_class=None)
    def preview(self, request):
        data = self._input(s.BookingPreviewInputSerializer)
        checks = booking_services.booking_request_preview(requester=request.user, items=data["items"])
        rows = s.ItemCheckSerializer(checks, many=True, context=self.get_serializer_context()).data
        # Refused items get the same help as a 409: substitutes and the asked device's next free window.
        helps = [{"item": c.item, "reason": c.code} for c in checks]
        conflicts_with_help(helps, {c.item: {"device": c.device.pk, "start": c.start, "end": c.end}
                                    for c in checks if c.device is not None})
        return Response([{**row, "suggestions": h["suggestions"], "next_free": h["next_free"]}
                         for row, h in zip(rows, helps, strict=True)])

    @extend_schema(summary="Cancel every active booking of the session (owner or lab manager)",
                   request=None, responses=_responses(200, s.BookingSerializer(many=True)))
    @action(detail=True, methods=["post"], pagination_class=None)
    def cancel(self, request, pk=None):
        return self._bookings_response(booking_services.booking_group_cancel(group=self.get_object(), actor=request.user))

    @extend_schema(summary="Extend the session's last bookings to a new end (owner, collaborator or lab manager)",
                   request=s.EndInputSerializer, responses=_responses(200, s.BookingGroupSerializer))
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        group = self.get_object()
        data = self._input(s.EndInputSerializer)
        return self._group_response(booking_services.booking_group_extend(group=group, actor=request.user, end=data["end"]))

    @extend_schema(summary="Copy the session to a new start as a new session (owner)",
                   request=s.StartInputSerializer, responses=_responses(201, s.BookingGroupSerializer))
    @action(detail=True, methods=["post"])
    def rebook(self, request, pk=None):
        group = self.get_object()
        data = self._input(s.StartInputSerializer)
        new = booking_services.booking_group_rebook(group=group, actor=request.user, start=data["start"])
        return self._group_response(new, status.HTTP_201_CREATED)

    @extend_schema(summary="Replace the collaborators (owner or lab manager)",
                   request=s.CollaboratorsInputSerializer, responses=_responses(200, s.BookingGroupSerializer))
    @action(detail=True, methods=["post"])
    def collaborators(self, request, pk=None):
        group = self.get_object()
        data = self._input(s.CollaboratorsInputSerializer)
        return self._group_response(
            booking_services.booking_group_set_collaborators(group=group, actor=request.user, usernames=data["collaborators"])
        )

    @extend_schema(summary="Approve every undecided booking of the session, all or nothing (lab managers)",
                   request=s.NoteInputSerializer, responses=_responses(200, s.BookingSerializer(many=True)))
    @action(detail=True, methods=["post"], pagination_class=None)
    def approve(self, request, pk=None):
        group = self.get_object()
        data = self._input(s.NoteInputSerializer)
        return self._bookings_response(booking_services.booking_group_approve(group=group, actor=request.user, note=data["note"]))

    @extend_schema(summary="Reject every undecided booking of the session (lab managers)",
                   request=s.NoteInputSerializer, responses=_responses(200, s.BookingSerializer(many=True)))
    @action(detail=True, methods=["post"], pagination_class=None)
    def reject(self, request, pk=None):
        group = self.get_object()
        data = self._input(s.NoteInputSerializer)
        return self._bookings_response(booking_services.booking_group_reject(group=group, actor=request.user, note=data["note"]))


@extend_schema_view(
    list=extend_schema(summary="Maintenance windows (everyone signed in)"),
    retrieve=extend_schema(summary="One maintenance window", responses=_responses(200, s.MaintenanceWindowSerializer)),
    destroy=extend_schema(summary="Remove a maintenance window (lab managers)", responses={204: None, **ERRORS}),
)
class MaintenanceWindowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                               viewsets.GenericViewSet):
    serializer_class = s.MaintenanceWindowSerializer
    filterset_class = MaintenanceWindowFilter
    queryset = MaintenanceWindow.objects.select_related("device__device_type", "created_by").order_by("start", "id")

    @extend_schema(summary="Schedule maintenance (lab managers)",
                   description="Rejects the overlapping undecided requests. Overlapping confirmed bookings refuse "
                               "the window (409, listed) unless cancel_confirmed is true, which cancels them.",
                   request=s.MaintenanceWindowInputSerializer, responses=_responses(201, s.MaintenanceWindowSerializer))
    def create(self, request):
        serializer = s.MaintenanceWindowInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        window = maintenance_services.maintenance_window_create(actor=request.user, **serializer.validated_data)
        window = self.get_queryset().get(pk=window.pk)
        return Response(s.MaintenanceWindowSerializer(window).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        maintenance_services.maintenance_window_delete(window=instance, actor=self.request.user)
