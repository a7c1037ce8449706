import factory

from inventory.models import Device, DeviceType, Manufacturer, Outlet, Pdu, Port, Site, Tag


class DeviceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeviceType
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Type{n}")
    default_capacity = 2
    requires_approval = True


class ManufacturerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Manufacturer
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Maker{n}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Site{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"tag{n}")
    color = "#1f77b4"


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    name = factory.Sequence(lambda n: f"device-{n}")
    device_type = factory.SubFactory(DeviceTypeFactory)
    status = "available"


class PortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Port

    device = factory.SubFactory(DeviceFactory)
    name = factory.Sequence(lambda n: f"port_{n}")


class PduFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pdu

    device = factory.SubFactory(DeviceFactory, device_type=factory.SubFactory(DeviceTypeFactory, name="PDU"),
                                name=factory.Sequence(lambda n: f"PDU {n}"))
    host = "127.0.0.1"
    port = 443
    scheme = "http"
    username = "admin"
    password_env = "LABSITE_TEST_PDU_PASSWORD"
    verify_tls = False
    outlet_count = 16


class OutletFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outlet

    pdu = factory.SubFactory(PduFactory)
    number = factory.Sequence(lambda n: n % 16 + 1)
    device = factory.SubFactory(DeviceFactory)
    mode = "manual"
