"""The physical lab: device types, devices, their switch ports, fixed links, attachments and history."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower

from inventory.choices import DeviceCategory, DeviceStatus, HistoryAction, OutletMode, PduScheme, PowerState

color_validator = RegexValidator(r"^#[0-9A-Fa-f]{6}$", "Use a colour like #1f77b4.")


class DeviceType(models.Model):
    """A kind of device (ROADM, TeraFlex, EDFA, ...) with its booking defaults."""

    name = models.CharField(max_length=50, unique=True)
    category = models.CharField(max_length=10, choices=DeviceCategory.choices, default=DeviceCategory.OPTICAL)
    description = models.TextField(blank=True)
    is_schedulable = models.BooleanField(default=True, help_text="Devices of this type can be booked.")
    has_ports = models.BooleanField(default=False, help_text="Devices of this type are patched into the Polatis switch.")
    default_capacity = models.PositiveSmallIntegerField(default=2, help_text="Most bookings that may overlap on one device.")
    requires_approval = models.BooleanField(default=True, help_text="Requests wait for a lab manager's decision.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(default_capacity__gte=1), name="%(app_label)s_%(class)s_capacity_positive"),
        ]

    def __str__(self):
        return self.name


class Manufacturer(models.Model):
    """A maker of lab equipment."""

    name = models.CharField(max_length=100, unique=True)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Site(models.Model):
    """A room or building that holds devices."""

    name = models.CharField(max_length=100, unique=True)
    address = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    """A free label on devices, with a colour."""

    name = models.CharField(max_length=50, unique=True)
    color = models.CharField(max_length=7, default="#6c757d", validators=[color_validator])
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Device(models.Model):
    """One piece of lab hardware; the unit that is booked."""

    name = models.CharField(max_length=100)
    device_type = models.ForeignKey(DeviceType, on_delete=models.PROTECT, related_name="devices")
    manufacturer = models.ForeignKey(Manufacturer, on_delete=models.SET_NULL, null=True, blank=True, related_name="devices")
    model = models.CharField(max_length=100, blank=True)
    serial_number = models.CharField(max_length=100, blank=True)
    oi_id = models.CharField("asset id", max_length=50, blank=True, help_text="The lab's asset id (OI id).")
    status = models.CharField(max_length=12, choices=DeviceStatus.choices, default=DeviceStatus.AVAILABLE)
    site = models.ForeignKey(Site, on_delete=models.SET_NULL, null=True, blank=True, related_name="devices")
    rack = models.CharField(max_length=50, blank=True)
    u_position = models.PositiveSmallIntegerField(null=True, blank=True)
    hostname = models.CharField(max_length=253, blank=True)
    mgmt_ip = models.GenericIPAddressField("management IP", null=True, blank=True)
    owner_group = models.CharField(max_length=100, blank=True, help_text="Research group responsible for the device.")
    notes = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="devices")
    capacity = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Overrides the type's default capacity when set."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["device_type__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["device_type", "name"],
                name="%(app_label)s_%(class)s_unique_type_name",
                violation_error_message="A device of this type with this name already exists.",
            ),
            models.UniqueConstraint(
                fields=["serial_number"],
                condition=~models.Q(serial_number=""),
                name="%(app_label)s_%(class)s_unique_serial",
                violation_error_message="Another device already has this serial number.",
            ),
            models.UniqueConstraint(
                fields=["oi_id"],
                condition=~models.Q(oi_id=""),
                name="%(app_label)s_%(class)s_unique_oi_id",
                violation_error_message="Another device already has this asset id.",
            ),
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(capacity__gte=1),
                name="%(app_label)s_%(class)s_capacity_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="inventory_device_status_idx"),
            models.Index(fields=["name"], name="inventory_device_name_idx"),
            models.Index(fields=["site", "status"], name="inventory_device_site_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def effective_capacity(self) -> int:
        """Most active bookings that may overlap at any instant."""
        return self.capacity or self.device_type.default_capacity

    @property
    def is_bookable(self) -> bool:
        return self.status == DeviceStatus.AVAILABLE and self.device_type.is_schedulable


class Port(models.Model):
    """A device's connection to an optical switch, by its label (e.g. tf_1, roadm_10_p2).

    `switch` is the switch device the port is patched into; `switch_in`/`switch_out` are the numbers
    of the switch's ingress and egress ports it uses, unique per switch (and lab-wide among ports
    whose switch is not recorded, as before switches were).
    """

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="ports")
    name = models.CharField(max_length=100, help_text="Label on the Polatis switch; unique lab-wide, any case.")
    switch = models.ForeignKey(
        Device, on_delete=models.PROTECT, null=True, blank=True, related_name="switch_ports",
        help_text="The optical switch (e.g. the Polatis) this port is patched into.",
    )
    switch_in = models.PositiveIntegerField("switch in port", null=True, blank=True)
    switch_out = models.PositiveIntegerField("switch out port", null=True, blank=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="%(app_label)s_%(class)s_unique_name_ci",
                violation_error_message="Another port already has this label (labels are unique in any case).",
            ),
            models.UniqueConstraint(
                fields=["switch", "switch_in"], condition=models.Q(switch__isnull=False, switch_in__isnull=False),
                name="%(app_label)s_%(class)s_unique_switch_in",
                violation_error_message="Another port already uses this in port of the switch.",
            ),
            models.UniqueConstraint(
                fields=["switch", "switch_out"], condition=models.Q(switch__isnull=False, switch_out__isnull=False),
                name="%(app_label)s_%(class)s_unique_switch_out",
                violation_error_message="Another port already uses this out port of the switch.",
            ),
            models.UniqueConstraint(
                fields=["switch_in"], condition=models.Q(switch__isnull=True, switch_in__isnull=False),
                name="%(app_label)s_%(class)s_unique_unswitched_in",
                violation_error_message="Another port already uses this switch in port.",
            ),
            models.UniqueConstraint(
                fields=["switch_out"], condition=models.Q(switch__isnull=True, switch_out__isnull=False),
                name="%(app_label)s_%(class)s_unique_unswitched_out",
                violation_error_message="Another port already uses this switch out port.",
            ),
            models.CheckConstraint(
                condition=~models.Q(switch=models.F("device")),
                name="%(app_label)s_%(class)s_not_own_switch",
                violation_error_message="A port cannot be patched into its own device.",
            ),
        ]
        indexes = [models.Index(fields=["switch", "device"], name="inventory_port_switch_idx")]

    def __str__(self):
        return self.name


class Link(models.Model):
    """A fixed port-to-port connection that does not go through a switch (a spliced fibre, a patch cord).

    A port is in at most one link, on either end: `clean()` checks both columns (the unique
    constraints cover each column alone), and the link services call it.
    """

    a = models.ForeignKey(Port, on_delete=models.CASCADE, related_name="links_as_a")
    b = models.ForeignKey(Port, on_delete=models.CASCADE, related_name="links_as_b")
    length_km = models.DecimalField("length (km)", max_digits=8, decimal_places=3, null=True, blank=True)
    loss_db = models.DecimalField("loss (dB)", max_digits=6, decimal_places=2, null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["a__name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["a"], name="%(app_label)s_%(class)s_unique_a",
                                    violation_error_message="This port is already in a link."),
            models.UniqueConstraint(fields=["b"], name="%(app_label)s_%(class)s_unique_b",
                                    violation_error_message="This port is already in a link."),
            models.CheckConstraint(condition=~models.Q(a=models.F("b")), name="%(app_label)s_%(class)s_two_ports",
                                   violation_error_message="A link joins two different ports."),
            models.CheckConstraint(condition=models.Q(length_km__isnull=True) | models.Q(length_km__gte=0),
                                   name="%(app_label)s_%(class)s_length_not_negative"),
        ]

    def __str__(self):
        a = self.a.name if self.a_id else "?"
        b = self.b.name if self.b_id else "?"
        return f"{a} ↔ {b}"

    def clean(self):
        if not (self.a_id and self.b_id):
            return
        if self.a_id == self.b_id:
            raise ValidationError({"b": "A link joins two different ports; pick another port."})
        taken = Link.objects.filter(models.Q(a_id__in=(self.a_id, self.b_id)) | models.Q(b_id__in=(self.a_id, self.b_id)))
        if self.pk:
            taken = taken.exclude(pk=self.pk)
        clash = taken.select_related("a", "b").first()
        if clash is not None:
            used = {clash.a_id, clash.b_id}
            field = "a" if self.a_id in used else "b"
            port = self.a if field == "a" else self.b
            raise ValidationError({field: f"Port {port.name} is already in the link {clash}; a port is in at most one link."})


def attachment_upload_to(instance, filename: str) -> str:
    """Store under a generated name; keep only the (lower-case) extension of the client's name."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"attachments/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """A file kept with a device: datasheet, manual, photo, config."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_upload_to, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.original_name


class DeviceHistory(models.Model):
    """One change to a device: a field's old and new value, or a created/deleted/tag/attachment event.

    `device` has no database constraint so that the rows outlive the device they describe.
    """

    device = models.ForeignKey(
        Device, on_delete=models.DO_NOTHING, db_constraint=False, related_name="history"
    )
    device_name = models.CharField(max_length=100, help_text="The device's name when the change was made.")
    action = models.CharField(max_length=20, choices=HistoryAction.choices)
    field = models.CharField(max_length=50, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "device history"
        indexes = [models.Index(fields=["device", "created_at"], name="inventory_history_device_idx")]

    def __str__(self):
        return f"{self.device_name}: {self.get_action_display()} {self.field}".strip()


env_name_validator = RegexValidator(
    r"^[A-Z_][A-Z0-9_]{0,99}$", "The NAME of an environment variable (capitals, digits, _), e.g. PDU_RACK_A1_PASSWORD."
)


class Pdu(models.Model):
    """How to reach a Raritan PDU (a Device of type PDU), and the latest readings of its own sensors.

    The password is never stored: `password_env` names the environment variable that holds it.
    `failures`, `retry_at` and `failure_reported` make the worker back off a PDU that does not
    answer and announce the failure once, not on every pass.
    """

    device = models.OneToOneField(Device, on_delete=models.CASCADE, related_name="pdu")
    host = models.CharField(max_length=253, help_text="Host name or IP address of the PDU's web interface.")
    port = models.PositiveIntegerField(default=443, validators=[MinValueValidator(1), MaxValueValidator(65535)])
    scheme = models.CharField(max_length=5, choices=PduScheme.choices, default=PduScheme.HTTPS)
    username = models.CharField(max_length=100)
    password_env = models.CharField(
        "password environment variable", max_length=100, validators=[env_name_validator],
        help_text="Name of the environment variable holding the password (the password itself is never stored).",
    )
    verify_tls = models.BooleanField("verify TLS certificate", default=True)
    outlet_count = models.PositiveSmallIntegerField(default=16, validators=[MinValueValidator(1), MaxValueValidator(64)])
    active_power_w = models.FloatField("power (W)", null=True, blank=True, editable=False)
    active_energy_wh = models.FloatField("energy (Wh)", null=True, blank=True, editable=False)
    read_at = models.DateTimeField(null=True, blank=True, editable=False, help_text="When the readings were taken.")
    last_error = models.CharField(max_length=500, blank=True, editable=False)
    failures = models.PositiveIntegerField(default=0, editable=False, help_text="Failed calls in a row.")
    retry_at = models.DateTimeField(null=True, blank=True, editable=False, help_text="The worker waits until then.")
    failure_reported = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["device__name"]
        verbose_name = "PDU"

    def __str__(self):
        return self.device.name if self.device_id else f"PDU {self.host}"

    def clean(self):
        if self.device_id and self.device.device_type.name != "PDU":
            raise ValidationError({"device": "Pick a device of type PDU."})


class Outlet(models.Model):
    """One numbered outlet of a PDU, the device it powers, and its latest state and readings."""

    pdu = models.ForeignKey(Pdu, on_delete=models.CASCADE, related_name="outlets")
    number = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)], help_text="1..the PDU's outlet count.")
    name = models.CharField(max_length=100, blank=True)
    device = models.ForeignKey(Device, on_delete=models.SET_NULL, null=True, blank=True, related_name="outlets")
    mode = models.CharField(max_length=10, choices=OutletMode.choices, default=OutletMode.MANUAL)
    state = models.CharField(max_length=7, choices=PowerState.choices, default=PowerState.UNKNOWN, editable=False)
    power_w = models.FloatField("power (W)", null=True, blank=True, editable=False)
    current_a = models.FloatField("current (A)", null=True, blank=True, editable=False)
    read_at = models.DateTimeField(null=True, blank=True, editable=False)
    # One switch at a time: a request leases the outlet until it has read the state back.
    switching_until = models.DateTimeField(null=True, blank=True, editable=False)
    switching_token = models.CharField(max_length=32, blank=True, editable=False)

    class Meta:
        ordering = ["pdu__device__name", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["pdu", "number"], name="%(app_label)s_%(class)s_unique_number",
                violation_error_message="This PDU already has an outlet with this number.",
            ),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="%(app_label)s_%(class)s_number_positive"),
        ]
        indexes = [models.Index(fields=["mode"], name="inventory_outlet_mode_idx")]

    def __str__(self):
        pdu = str(self.pdu) if self.pdu_id else "PDU"
        return f"{pdu} outlet {self.number}" + (f" ({self.name})" if self.name else "")

    def clean(self):
        if self.pdu_id and self.number and self.number > self.pdu.outlet_count:
            raise ValidationError(
                {"number": f"{self.pdu} has {self.pdu.outlet_count} outlets; pick a number from 1 to {self.pdu.outlet_count}."}
            )
