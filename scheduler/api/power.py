"""Power API: outlets with their state and readings, and switching one (DESIGN §11)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from core.exceptions import NotFound
from inventory.api.serializers import OutletSerializer
from inventory.choices import PowerAction, PowerState
from inventory.filters import OutletFilterSet
from inventory.models import Outlet
from scheduler.selectors.power import outlets_queryset, outlets_with_holders
from scheduler.services.power import outlet_switch


class PowerOutletSerializer(OutletSerializer):
    """An outlet with its device, mode, last state and readings, and who holds the device now."""

    holders = serializers.SerializerMethodField()

    class Meta(OutletSerializer.Meta):
        fields = [*OutletSerializer.Meta.fields, "holders"]
        read_only_fields = fields

    def get_holders(self, outlet) -> list[str]:
        return self.context.get("holders", {}).get(outlet.pk, [])


class SwitchInputSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=PowerAction.choices)
    force = serializers.BooleanField(default=False, help_text="Lab managers only: switch off or cycle a device "
                                                              "someone else holds now.")


class SwitchResultSerializer(serializers.Serializer):
    outlet = serializers.IntegerField()
    action = serializers.ChoiceField(choices=PowerAction.choices)
    before = serializers.ChoiceField(choices=PowerState.choices, help_text="The state read before the command.")
    state = serializers.ChoiceField(choices=PowerState.choices, help_text="The state read back from the PDU.")
    read_at = serializers.DateTimeField()


_ERROR = inline_serializer("PowerError", {"detail": serializers.CharField()})
_HELD = inline_serializer("PowerHeld", {"detail": serializers.CharField(), "holders": serializers.ListField(
    child=serializers.CharField()), "conflicts": serializers.ListField(child=serializers.DictField())})


class PowerOutletViewSet(viewsets.GenericViewSet):
    """Outlets of the lab's PDUs. Any signed-in user reads; switching follows the rules of DESIGN §11."""

    serializer_class = PowerOutletSerializer
    queryset = outlets_queryset()
    filterset_class = OutletFilterSet

    def _data(self, outlets, many: bool):
        rows = outlets_with_holders(outlets=outlets if many else [outlets], user=self.request.user)
        context = self.get_serializer_context() | {"holders": {r.outlet.pk: r.holders for r in rows}}
        return PowerOutletSerializer(outlets, many=many, context=context).data

    @extend_schema(operation_id="scheduler_power_outlets_list", summary="Outlets with state, readings and holders")
    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._data(page, many=True))

    @extend_schema(operation_id="scheduler_power_outlets_retrieve", filters=False)
    def retrieve(self, request, pk=None):
        return Response(self._data(self._outlet(pk), many=False))

    @extend_schema(
        operation_id="scheduler_power_outlets_switch", filters=False,
        summary="Switch an outlet on, off or through a power cycle",
        request=SwitchInputSerializer,
        responses={
            200: SwitchResultSerializer,
            400: OpenApiResponse(_ERROR, description="Unknown action, or an outlet number the PDU lacks."),
            404: OpenApiResponse(_ERROR, description="No outlet with this id."),
            403: OpenApiResponse(_ERROR, description="You may not switch this outlet; `detail` says why."),
            409: OpenApiResponse(_HELD, description="Someone else holds the device now (`holders`), or another switch "
                                                    "of this outlet is under way."),
            502: OpenApiResponse(_ERROR, description="The PDU failed or did not do what was asked."),
            504: OpenApiResponse(_ERROR, description="The PDU did not answer in time."),
        },
        description=(
            "Lab managers may switch any outlet; the owner or a collaborator of a confirmed booking of the outlet's "
            "device covering now may switch its outlet. Switching off or cycling a device someone else holds now "
            "needs a lab manager's `force`. The state in the answer is read back from the PDU. Every attempt is "
            "audited."
        ),
    )
    def switch(self, request, pk=None):
        outlet = self._outlet(pk)
        data = SwitchInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = outlet_switch(outlet=outlet, actor=request.user, action=data.validated_data["action"],
                               force=data.validated_data["force"])
        return Response(SwitchResultSerializer({"outlet": result.outlet.pk, "action": result.action,
                                                "before": result.before, "state": result.state,
                                                "read_at": result.read_at}).data)

    def _outlet(self, pk) -> Outlet:
        outlet = self.get_queryset().filter(pk=pk).first()
        if outlet is None:
            raise NotFound(f"No outlet with id {pk}.")
        return outlet
