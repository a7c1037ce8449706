import factory

from inventory.models import Device, DeviceType, Manufacturer, Port, Site, Tag


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
