"""Talk to a Raritan PDU through Raritan's JSON-RPC SDK (the `raritan` package).

The driver reads every outlet's state, power (W) and current (A) plus the PDU's own sensors, and
switches one outlet on, off or through a power cycle, always reading the state back afterwards.
Reads use the SDK's bulk requests: three HTTP round trips per PDU, whatever the outlet count.

Every SDK or network failure becomes one of the `PduError` subclasses below, with a message for the
person who reads it; they are ApplicationErrors, so the API answers 502 (504 for a timeout).
"""

import socket
import ssl
from dataclasses import dataclass, field

import raritan.rpc
from raritan.rpc import BulkRequestHelper, pdumodel

from core.exceptions import ApplicationError
from inventory.choices import PowerAction, PowerState

PDU_RID = "/model/pdu/0"


class PduError(ApplicationError):
    """The PDU could not do what was asked (502)."""

    status_code = 502


class PduUnreachable(PduError):
    """No connection to the PDU (refused, no route, TLS not trusted)."""


class PduTimeout(PduError):
    """The PDU did not answer in time (504)."""

    status_code = 504


class PduAuthFailed(PduError):
    """The PDU refused the username or password."""


class PduBadAnswer(PduError):
    """The PDU answered something the SDK cannot read, or refused the call."""


class PduOutletMissing(PduError):
    """The PDU has no outlet with this number: the request names an outlet that does not exist (400)."""

    status_code = 400


class PduPasswordMissing(PduError):
    """The environment variable named for the password is not set."""


@dataclass(frozen=True)
class OutletReading:
    number: int
    state: str
    power_w: float | None
    current_a: float | None


@dataclass
class PduReading:
    outlets: list[OutletReading] = field(default_factory=list)
    active_power_w: float | None = None
    active_energy_wh: float | None = None


def _cause(exc: BaseException) -> BaseException | None:
    """The transport error the SDK wrapped in HttpException("...", original)."""
    for arg in getattr(exc, "args", ())[1:]:
        if isinstance(arg, BaseException):
            return arg
    return exc.__cause__ or exc.__context__


class RaritanPdu:
    """One PDU reached over the SDK's JSON-RPC Agent. Not thread-safe: build one per task."""

    def __init__(self, *, name: str, host: str, port: int, scheme: str, username: str, password: str,
                 verify_tls: bool = True, timeout: float = 5.0):
        self.name = name
        netloc = f"[{host}]:{port}" if ":" in host and not host.startswith("[") else f"{host}:{port}"
        self.agent = raritan.rpc.Agent(scheme, netloc, username, password, timeout=timeout,
                                       disable_certificate_verification=not verify_tls)
        self.timeout = timeout
        self.pdu = pdumodel.Pdu(PDU_RID, self.agent)

    # --- errors -------------------------------------------------------------------------------

    def _translate(self, exc: Exception) -> PduError:
        name = self.name
        if isinstance(exc, PduError):
            return exc
        if isinstance(exc, raritan.rpc.HttpException):
            text = str(exc.args[0]) if exc.args else ""
            if text.startswith("HTTP Error 401") or text.startswith("HTTP Error 403"):
                return PduAuthFailed(f"{name} refused the username or password; check the PDU record and its password variable.")
            if text.startswith("HTTP Error"):
                code = text.split()[2] if len(text.split()) > 2 else "?"
                return PduBadAnswer(f"{name} answered HTTP {code.strip()}; try again, or check the PDU.")
            cause = _cause(exc)
            if isinstance(cause, socket.timeout | TimeoutError):
                return PduTimeout(f"{name} did not answer within {self.timeout:g} s.")
            if isinstance(cause, ssl.SSLCertVerificationError):
                return PduUnreachable(f"{name}'s TLS certificate is not trusted; install a valid certificate "
                                      "or turn off certificate verification for this PDU.")
            if isinstance(cause, ssl.SSLError):
                return PduUnreachable(f"TLS with {name} failed ({cause.__class__.__name__}); check the scheme and port.")
            if isinstance(cause, ConnectionError | OSError):
                return PduUnreachable(f"Cannot reach {name}: {cause.__class__.__name__}; check its host, port and network.")
            return PduUnreachable(f"Cannot reach {name}.")
        if isinstance(exc, raritan.rpc.JsonRpcErrorException):
            return PduBadAnswer(f"{name} refused the call: {exc}.")
        return PduBadAnswer(f"{name} gave an answer that cannot be read ({exc.__class__.__name__}).")

    def _call(self, func, *args):
        try:
            return func(*args)
        except PduError:
            raise
        except Exception as exc:  # the SDK raises many kinds; each one becomes a PduError
            raise self._translate(exc) from exc

    def _bulk(self, requests):
        helper = BulkRequestHelper(self.agent, raise_subreq_failure=True)
        for method, *args in requests:
            helper.add_request(method, *args)
        return self._call(helper.perform_bulk)

    # --- reads --------------------------------------------------------------------------------

    def _outlets(self) -> list:
        outlets = self._call(self.pdu.getOutlets)
        if not isinstance(outlets, list):
            raise PduBadAnswer(f"{self.name} did not list its outlets.")
        return outlets

    def _outlet(self, number: int):
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise PduOutletMissing(f"Outlet numbers start at 1; {number!r} is not one.")
        outlets = self._outlets()
        if number > len(outlets):
            raise PduOutletMissing(f"{self.name} has {len(outlets)} outlets; there is no outlet {number}.")
        return outlets[number - 1]

    @staticmethod
    def _state(state) -> str:
        if not isinstance(state, pdumodel.Outlet.State):
            raise PduBadAnswer("The PDU's outlet state cannot be read.")
        if not state.available:
            return PowerState.UNKNOWN
        return PowerState.ON if state.powerState == pdumodel.Outlet.PowerState.PS_ON else PowerState.OFF

    @staticmethod
    def _value(reading) -> float | None:
        if reading is None or not (reading.available and reading.valid):
            return None
        return round(float(reading.value), 3)

    def read(self) -> PduReading:
        """Every outlet's state, power and current, and the PDU's total power and energy."""
        outlets = self._outlets()
        answers = self._bulk([(o.getState,) for o in outlets] + [(o.getSensors,) for o in outlets]
                             + [(self.pdu.getSensors,)])
        states, sensors, pdu_sensors = answers[: len(outlets)], answers[len(outlets): -1], answers[-1]
        wanted = []
        for s in sensors:
            wanted += [s.activePower, s.current]
        wanted += [pdu_sensors.activePower, pdu_sensors.activeEnergy]
        present = [sensor for sensor in wanted if sensor is not None]
        readings = dict(zip(present, self._bulk([(sensor.getReading,) for sensor in present]), strict=True)) if present else {}

        def value(sensor):
            return self._value(readings.get(sensor)) if sensor is not None else None

        result = PduReading(active_power_w=value(pdu_sensors.activePower), active_energy_wh=value(pdu_sensors.activeEnergy))
        for number, (state, s) in enumerate(zip(states, sensors, strict=True), start=1):
            result.outlets.append(OutletReading(number=number, state=self._state(state),
                                                power_w=value(s.activePower), current_a=value(s.current)))
        return result

    def outlet_state(self, number: int) -> str:
        return self._state(self._call(self._outlet(number).getState))

    # --- switching ----------------------------------------------------------------------------

    def outlet_switch(self, number: int, action: str) -> str:
        """Switch outlet `number` (on, off or cycle) and return the state read back from the PDU."""
        if action not in PowerAction.values:
            raise ValueError(f"Unknown power action {action!r}")
        outlet = self._outlet(number)
        if action == PowerAction.CYCLE:
            code = self._call(outlet.cyclePowerState)
        else:
            target = pdumodel.Outlet.PowerState.PS_ON if action == PowerAction.ON else pdumodel.Outlet.PowerState.PS_OFF
            code = self._call(outlet.setPowerState, target)
        if code != 0:
            reasons = {1: "the outlet is not switchable", 3: "the outlet is disabled",
                       5: "relay control is disabled in the PDU's settings"}
            raise PduBadAnswer(f"{self.name} refused to switch outlet {number}: {reasons.get(code, f'error code {code}')}.")
        return self._state(self._call(outlet.getState))

