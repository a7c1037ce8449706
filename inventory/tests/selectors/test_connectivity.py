"""How two ports can be joined: cross-connect on their common switch, a fixed link, or not at all."""

import pytest

from inventory.connectivity import Connection, port_connection, wiring_load
from inventory.models import Link
from inventory.tests.factories import DeviceFactory, PortFactory

pytestmark = pytest.mark.django_db


def test_ports_on_one_switch_join_by_cross_connect_and_fixed_links_by_the_link():
    s1, s2 = DeviceFactory(name="Polatis 1"), DeviceFactory(name="Polatis 2")
    tf = PortFactory(name="tf_1", switch=s1, switch_in=1, switch_out=385)
    roadm = PortFactory(name="roadm_1_p1", switch=s1, switch_in=2, switch_out=386)
    far = PortFactory(name="osa_1", switch=s2, switch_in=1, switch_out=385)
    line, edfa = PortFactory(name="roadm_1_line"), PortFactory(name="edfa_1_in")
    link = Link.objects.create(a=line, b=edfa)
    assert port_connection(a=tf, b=roadm) == Connection("switch", s1.pk)
    assert port_connection(a=tf, b=far) is None
    assert port_connection(a=edfa, b=line) == Connection("link", link.pk)
    assert port_connection(a=line, b=tf) is None
    assert port_connection(a=tf, b=tf) is None


def test_a_port_without_both_switch_numbers_cannot_be_cross_connected():
    s1 = DeviceFactory()
    a = PortFactory(switch=s1, switch_in=1, switch_out=None)
    b = PortFactory(switch=s1, switch_in=2, switch_out=386)
    assert port_connection(a=a, b=b) is None


def test_wiring_load_is_two_queries_and_includes_far_ends(django_assert_num_queries):
    s1 = DeviceFactory()
    device = DeviceFactory()
    PortFactory(device=device, switch=s1, switch_in=1, switch_out=2)
    own = PortFactory(device=device)
    other = PortFactory()
    Link.objects.create(a=own, b=other)
    with django_assert_num_queries(2):
        wiring = wiring_load(device_ids=[device.pk])
    assert other.pk in wiring.ports
    assert list(wiring.switch_ports(device.pk)) == [s1.pk]
    assert wiring.fixed_links(device.pk)[0][1:] == (own.pk, other.pk)
