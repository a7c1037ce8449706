"""Read endpoints of the scheduler (availability, next slot, schedule, access check) and favorites."""

import re

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from core import clock
from inventory.models import Device
from scheduler.api import serializers_read as s
from scheduler.models import Favorite
from scheduler.selectors.access import access_check
from scheduler.selectors.availability import availability_for, availability_next_slot
from scheduler.selectors.schedule import Schedule, schedule_for
from scheduler.services.favorites import favorite_create, favorite_delete, favorite_update

# "?start=2026-06-01T09:00+01:00" unencoded arrives with a space for the "+": put the sign back.
_LOST_PLUS = re.compile(r"^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}(?::?\d{2})?)$")


def _query(serializer_class, request):
    params = request.query_params.copy()
    for key in ("start", "end", "after"):
        if key in params:
            params[key] = _LOST_PLUS.sub(r"\1+\2", params[key].strip())
    serializer = serializer_class(data=params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class AvailabilityView(APIView):
    @extend_schema(
        operation_id="scheduler_availability",
        parameters=[s.AvailabilityQuerySerializer],
        responses={200: s.AvailabilitySerializer},
        summary="Busy, maintenance, free and bookable intervals of devices",
        description=(
            "Per device: its active bookings (busy), maintenance windows, `free` intervals (no active booking, "
            "no maintenance) and `bookable` intervals (one more booking fits: overlap depth below capacity, no "
            "maintenance, device bookable). Window defaults to now + 7 days, at most 31 days; naive times are "
            "read in the lab's time zone. Unknown device ids answer 400 naming them."
        ),
    )
    def get(self, request):
        query = _query(s.AvailabilityQuerySerializer, request)
        devices = availability_for(devices=query["devices"], start=query["start"], end=query["end"])
        data = {"start": query["start"], "end": query["end"], "devices": devices}
        return Response(s.AvailabilitySerializer(data).data)


class NextSlotView(APIView):
    @extend_schema(
        operation_id="scheduler_availability_next_slot",
        parameters=[s.NextSlotQuerySerializer],
        responses={200: s.NextSlotSerializer},
        summary="Earliest window in which all the devices are free",
        description=(
            "The earliest [start, start + duration) within the policy horizon in which every device has no active "
            "booking and no maintenance and is bookable. The start lies on the slot grid of the lab's wall clock "
            "and not before `after` (default now). When nothing fits, 200 with `start` and `end` null."
        ),
    )
    def get(self, request):
        query = _query(s.NextSlotQuerySerializer, request)
        slot = availability_next_slot(
            devices=query["devices"], duration=query["duration"], after=query.get("after") or clock.now()
        )
        start, end = slot if slot else (None, None)
        data = {
            "start": start,
            "end": end,
            "duration": int(query["duration"].total_seconds() // 60),
            "devices": [d.pk for d in query["devices"]],
        }
        return Response(s.NextSlotSerializer(data).data)


def _iso(moment, tz) -> str:
    """Lab-local ISO 8601 with its offset, written like DRF's DateTimeField (UTC offset as "Z")."""
    text = moment.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def schedule_as_dict(schedule: Schedule) -> dict:
    """Render the schedule by hand: the week grid is read constantly, and DRF field objects cost ~10x more."""
    tz = timezone.get_default_timezone()
    devices = []
    for entry in schedule.devices:
        device = entry.device
        devices.append(
            {
                "id": device.id,
                "name": device.name,
                "device_type": {"id": device.device_type.id, "name": device.device_type.name},
                "site": device.site,
                "capacity": entry.capacity,
                "status": device.status,
                "bookable": device.is_bookable,
                "bookings": [
                    {
                        "id": b.id,
                        "start": _iso(b.start, tz),
                        "end": _iso(b.end, tz),
                        "status": b.status,
                        "owner": {"id": b.owner_id, "username": b.owner_username},
                        "group": b.group_id,
                    }
                    for b in entry.bookings
                ],
                "maintenance": [
                    {"id": m.id, "start": _iso(m.start, tz), "end": _iso(m.end, tz), "reason": m.reason} for m in entry.maintenance
                ],
            }
        )
    return {"start": _iso(schedule.start, tz), "end": _iso(schedule.end, tz), "timezone": settings.TIME_ZONE, "devices": devices}


class ScheduleView(APIView):
    @extend_schema(
        operation_id="scheduler_schedule",
        parameters=[s.ScheduleQuerySerializer],
        responses={200: s.ScheduleSerializer},
        summary="The week grid: devices with their active bookings and maintenance",
        description=(
            "Devices (all, or filtered by type, site, tag and search terms) with their active bookings and "
            "maintenance windows overlapping `days` lab-local days from local midnight of `start`."
        ),
    )
    def get(self, request):
        query = _query(s.ScheduleQuerySerializer, request)
        schedule = schedule_for(
            start=query["start"],
            days=query["days"],
            device_type=query.get("device_type"),
            site=query.get("site"),
            tag=query.get("tag"),
            q=query.get("q", ""),
        )
        return Response(schedule_as_dict(schedule))


class AccessCheckView(APIView):
    @extend_schema(
        operation_id="scheduler_access_check",
        request=s.AccessCheckInputSerializer,
        responses={200: s.AccessResultSerializer},
        summary="May I use these Polatis ports now?",
        description=(
            "A port is usable when its device has no confirmed booking covering `at` (default now), or one of them "
            "is the caller's own or shares its session with the caller. During a maintenance window of the device "
            "only lab managers may use it (`reason`: \"maintenance until …\"). Labels match in any case; `NULL` entries "
            "are ignored; unknown labels make `allowed` false. Nothing is written."
        ),
    )
    def post(self, request):
        serializer = s.AccessCheckInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = access_check(user=request.user, patches=data.get("patches"), ports=data.get("ports"), at=data.get("at"))
        return Response(s.AccessResultSerializer(result).data)


class FavoriteViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The caller's own saved device sets; other members' favorites do not exist for them."""

    serializer_class = s.FavoriteSerializer
    queryset = Favorite.objects.none()

    def get_queryset(self):
        return (
            Favorite.objects.filter(owner=self.request.user)
            .prefetch_related(Prefetch("devices", queryset=Device.objects.only("id", "name", "status").order_by("name", "id")))
            .order_by("name", "id")
        )

    @extend_schema(request=s.FavoriteWriteSerializer, responses={201: s.FavoriteSerializer})
    def create(self, request):
        write = s.FavoriteWriteSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        favorite = favorite_create(owner=request.user, **write.validated_data)
        return Response(self._read(favorite), status=status.HTTP_201_CREATED)

    @extend_schema(request=s.FavoriteWriteSerializer, responses={200: s.FavoriteSerializer})
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(request=s.FavoriteWriteSerializer, responses={200: s.FavoriteSerializer})
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    @extend_schema(responses={204: OpenApiResponse(description="Deleted.")})
    def destroy(self, request, pk=None):
        favorite_delete(favorite=self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request, *, partial: bool):
        favorite = self.get_object()
        write = s.FavoriteWriteSerializer(data=request.data, partial=partial)
        write.is_valid(raise_exception=True)
        favorite = favorite_update(favorite=favorite, actor=request.user, **write.validated_data)
        return Response(self._read(favorite))

    def _read(self, favorite: Favorite) -> dict:
        return s.FavoriteSerializer(self.get_queryset().get(pk=favorite.pk)).data
