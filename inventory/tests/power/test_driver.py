"""The Raritan driver against the simulator on 127.0.0.1: reads, switching, and every error path."""

import shutil
import ssl
import subprocess

import pytest

from inventory.pdu_driver import PduAuthFailed, PduBadAnswer, PduOutletMissing, PduTimeout, PduUnreachable, RaritanPdu
from inventory.pdu_simulator import PduSimulatorServer
from inventory.tests.power_fixtures import PASSWORD


def driver(server, *, password=PASSWORD, timeout=1.0, **kwargs):
    options = {"scheme": server.scheme, "verify_tls": False} | kwargs
    return RaritanPdu(name="PDU A", host=server.host, port=server.port, username="admin", password=password,
                      timeout=timeout, **options)


def test_reads_every_outlet_state_power_and_current_and_the_pdu_sensors(pdu_sim):
    pdu_sim.pdu.on[1] = True  # outlet 2: 40 + 7*2 = 54 W
    reading = driver(pdu_sim).read()
    assert len(reading.outlets) == 16
    assert [o.state for o in reading.outlets[:3]] == ["off", "on", "off"]
    assert reading.outlets[1].power_w == 54.0
    assert reading.outlets[1].current_a == round(54.0 / 230, 3)
    assert reading.outlets[0].power_w == 0.0
    assert reading.active_power_w == 54.0
    assert reading.active_energy_wh == 12345.0


def test_a_read_takes_three_round_trips_whatever_the_outlet_count(pdu_sim):
    driver(pdu_sim).read()
    top_level = [c for c in pdu_sim.pdu.calls if c[2] in ("getOutlets",)]
    assert len(top_level) == 1
    # the per-outlet calls came in bulk: 16 states + 16 sensor lists + the PDU's sensors, then 34 readings
    assert sum(1 for c in pdu_sim.pdu.calls if c[2] == "getReading") == 34


def test_switch_on_off_and_cycle_read_the_state_back(pdu_sim):
    pdu = driver(pdu_sim)
    assert pdu.outlet_switch(3, "on") == "on"
    assert pdu_sim.pdu.on[2] is True
    assert pdu.outlet_switch(3, "off") == "off"
    assert pdu_sim.pdu.on[2] is False
    assert pdu.outlet_switch(3, "cycle") == "on"
    assert [c[2] for c in pdu_sim.pdu.calls if c[1].endswith("/outlet/2")][-2:] == ["cyclePowerState", "getState"]


def test_state_persists_between_connections(pdu_sim):
    driver(pdu_sim).outlet_switch(5, "on")
    assert driver(pdu_sim).outlet_state(5) == "on"


@pytest.mark.parametrize("number", [0, -1, 17])
def test_an_outlet_number_out_of_range_is_a_clear_error_and_switches_nothing(pdu_sim, number):
    with pytest.raises(PduOutletMissing):
        driver(pdu_sim).outlet_switch(number, "off")
    assert not any(c[2] == "setPowerState" for c in pdu_sim.pdu.calls)


def test_an_unknown_action_is_refused_before_the_pdu_is_called(pdu_sim):
    with pytest.raises(ValueError):
        driver(pdu_sim).outlet_switch(3, "ON")
    assert pdu_sim.pdu.calls == []


def test_wrong_password_is_reported_as_such(pdu_sim):
    with pytest.raises(PduAuthFailed, match="refused the username or password"):
        driver(pdu_sim, password="wrong").read()


def test_an_unreachable_pdu_is_reported(pdu_sim):
    port = pdu_sim.port
    pdu_sim.stop()
    with pytest.raises(PduUnreachable, match="Cannot reach PDU A"):
        RaritanPdu(name="PDU A", host="127.0.0.1", port=port, scheme="http", username="admin", password=PASSWORD,
                   timeout=1.0).read()


def test_a_hanging_pdu_times_out(pdu_sim):
    pdu_sim.pdu.fault, pdu_sim.pdu.hang_seconds = "hang", 3
    with pytest.raises(PduTimeout, match="did not answer within 0.3 s") as caught:
        driver(pdu_sim, timeout=0.3).outlet_state(1)
    assert caught.value.status_code == 504


@pytest.mark.parametrize("fault", ["error", "garbage", "malformed"])
def test_wrong_answers_are_bad_answers_not_crashes(pdu_sim, fault):
    pdu_sim.pdu.fault = fault
    with pytest.raises(PduBadAnswer) as caught:
        driver(pdu_sim).read()
    assert caught.value.status_code == 502


def test_a_stuck_relay_is_seen_in_the_state_read_back(pdu_sim):
    pdu_sim.pdu.fault = "stuck"
    assert driver(pdu_sim).outlet_switch(3, "on") == "off"


@pytest.fixture
def tls_context(tmp_path):
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_https_with_an_untrusted_certificate_is_refused_unless_verification_is_off(pdu_password, tls_context):
    with PduSimulatorServer(password=PASSWORD, ssl_context=tls_context) as server:
        with pytest.raises(PduUnreachable, match="certificate is not trusted"):
            driver(server, verify_tls=True).read()
        assert len(driver(server, verify_tls=False).read().outlets) == 16
