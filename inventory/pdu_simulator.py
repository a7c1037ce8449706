"""A Raritan PDU simulator: a small HTTP(S) server speaking the JSON-RPC subset the driver uses.

It answers the SDK's calls on `/model/pdu/0` (getOutlets, getSensors), on each outlet
(getState, getSensors, getMetaData, setPowerState, cyclePowerState), on the sensors (getReading)
and bulk requests on `/bulk` (performBulk). Responses are built with the SDK's own structures, so
what the simulator says is exactly what the SDK can decode. Outlet states persist while it runs.

Tests (and the benchmark) can make it misbehave: `fault` = "error" (HTTP 500), "hang" (answer
after `hang_seconds`), "garbage" (not JSON), "malformed" (JSON-RPC without the expected fields),
"stuck" (accepts switch commands but the relays do not move); `switch_delay` slows every switch
command down. `calls` records (time, rid, method, params) of every call.

`python manage.py pdu_simulator` runs simulators for the demo lab (see its help).
"""

import base64
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from raritan.rpc import Time, pdumodel, sensors

PDU_RID = "/model/pdu/0"
OUTLET_TYPE = pdumodel.Outlet.idlType
NUMERIC_TYPE = sensors.NumericSensor.idlType
FAULTS = ("", "error", "hang", "garbage", "malformed", "stuck")


def _sensor(rid: str):
    return sensors.NumericSensor(rid, None)


def _reading(value: float, now: int):
    return sensors.NumericSensor.Reading(timestamp=Time.utcfromtimestamp(now), available=True,
                                         status=sensors.NumericSensor.Reading.Status(), valid=True,
                                         value=float(value)).encode()


class SimulatedPdu:
    """The state of one simulated PDU: outlets on/off, their loads, and what was asked of it."""

    def __init__(self, *, outlets: int = 16, username: str = "admin", password: str = "", on: bool = False):
        self.username = username
        self.password = password
        self.lock = threading.Lock()
        self.on = [on] * outlets
        self.changed = [int(time.time())] * outlets
        # A steady, different load per outlet so readings are recognisable: 40 W + 7 W per outlet number.
        self.load_w = [40.0 + 7.0 * n for n in range(1, outlets + 1)]
        self.energy_wh = 12_345.0
        self.fault = ""
        self.hang_seconds = 30.0
        self.switch_delay = 0.0
        self.calls: list[tuple[float, str, str, dict]] = []

    # --- JSON-RPC methods ---------------------------------------------------------------------

    def call(self, rid: str, method: str, params: dict):
        with self.lock:
            self.calls.append((time.time(), rid, method, params))
        if rid == PDU_RID:
            return self._pdu(method)
        parts = rid[len(PDU_RID) + 1:].split("/") if rid.startswith(PDU_RID + "/") else []
        if parts[:1] in (["activePower"], ["activeEnergy"]) and method == "getReading":
            total = self.energy_wh if parts[0] == "activeEnergy" else sum(self._power(i) for i in range(len(self.on)))
            return {"_ret_": _reading(total, int(time.time()))}
        if len(parts) >= 2 and parts[0] == "outlet" and parts[1].isdigit() and int(parts[1]) < len(self.on):
            index = int(parts[1])
            if len(parts) == 2:
                return self._outlet(index, method, params)
            if len(parts) == 3 and method == "getReading":
                if parts[2] == "activePower":
                    return {"_ret_": _reading(self._power(index), int(time.time()))}
                if parts[2] == "current":
                    return {"_ret_": _reading(round(self._power(index) / 230.0, 3), int(time.time()))}
        raise LookupError(f"no method {method} on {rid}")

    def _power(self, index: int) -> float:
        return self.load_w[index] if self.on[index] else 0.0

    def _pdu(self, method: str):
        if method == "getOutlets":
            return {"_ret_": [{"rid": f"{PDU_RID}/outlet/{i}", "type": OUTLET_TYPE} for i in range(len(self.on))]}
        if method == "getSensors":
            value = pdumodel.Pdu.Sensors(activePower=_sensor(f"{PDU_RID}/activePower"),
                                         activeEnergy=_sensor(f"{PDU_RID}/activeEnergy"))
            return {"_ret_": value.encode()}
        raise LookupError(f"no method {method} on the PDU")

    def _outlet(self, index: int, method: str, params: dict):
        rid = f"{PDU_RID}/outlet/{index}"
        if method == "getState":
            state = pdumodel.Outlet.State(
                available=True,
                powerState=pdumodel.Outlet.PowerState.PS_ON if self.on[index] else pdumodel.Outlet.PowerState.PS_OFF,
                lastPowerStateChange=Time.utcfromtimestamp(self.changed[index]),
            )
            return {"_ret_": state.encode()}
        if method == "getSensors":
            value = pdumodel.Outlet.Sensors(current=_sensor(f"{rid}/current"), activePower=_sensor(f"{rid}/activePower"))
            return {"_ret_": value.encode()}
        if method == "getMetaData":
            return {"_ret_": pdumodel.Outlet.MetaData(label=str(index + 1), isSwitchable=True).encode()}
        if method in ("setPowerState", "cyclePowerState"):
            if self.switch_delay:
                time.sleep(self.switch_delay)
            if method == "setPowerState":
                pstate = params.get("pstate")
                if pstate not in (0, 1):
                    return {"_ret_": 1}
                target = pstate == 1
            else:
                target = True  # a cycle ends with the outlet on
            if self.fault != "stuck":
                with self.lock:
                    self.on[index] = target
                    self.changed[index] = int(time.time())
            return {"_ret_": 0}
        raise LookupError(f"no method {method} on an outlet")

    def switch_times(self, method: str = "setPowerState") -> list[tuple[float, int, dict]]:
        """(time, outlet number, params) of every switch command received, in order."""
        out = []
        for at, rid, name, params in list(self.calls):
            if name == method and rid.startswith(f"{PDU_RID}/outlet/"):
                out.append((at, int(rid.rsplit("/", 1)[1]) + 1, params))
        return out


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "PduSimulator/1.0"

    def log_message(self, format, *args):  # quiet: tests and make run print enough
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in two writes; without this, Nagle and delayed ACKs add ~40 ms per call.
        if isinstance(self.connection, socket.socket):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _authorised(self, pdu: SimulatedPdu) -> bool:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except ValueError:
            return False
        return user == pdu.username and password == pdu.password

    def do_POST(self):
        pdu: SimulatedPdu = self.server.pdu
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        if not self._authorised(pdu):
            self._send(401, b'{"error": "unauthorised"}')
            return
        fault = pdu.fault
        if fault == "hang":
            time.sleep(pdu.hang_seconds)
        if fault == "error":
            self._send(500, b"internal error")
            return
        if fault == "garbage":
            self._send(200, b"<html>not json-rpc</html>", "text/html")
            return
        try:
            request = json.loads(raw)
            rid = self.path.split("?", 1)[0]
            if rid == "/bulk" and request.get("method") == "performBulk":
                result = {"responses": [self._one(pdu, r["rid"], r["json"]) for r in request["params"]["requests"]]}
            else:
                result = pdu.call(rid, request["method"], request.get("params") or {})
            answer = {"jsonrpc": "2.0", "id": request.get("id"), "result": result}
        except LookupError as exc:
            answer = {"jsonrpc": "2.0", "id": None, "error": {"code": -32601, "message": str(exc)}}
        except (ValueError, KeyError, TypeError) as exc:
            answer = {"jsonrpc": "2.0", "id": None, "error": {"code": -32700, "message": f"bad request: {exc}"}}
        if fault == "malformed":
            answer = {"jsonrpc": "2.0", "id": answer.get("id"), "result": {"unexpected": True}}
        self._send(200, json.dumps(answer).encode())

    @staticmethod
    def _one(pdu: SimulatedPdu, rid: str, request: dict) -> dict:
        try:
            result = pdu.call(rid, request["method"], request.get("params") or {})
            return {"json": {"jsonrpc": "2.0", "id": request.get("id"), "result": result}, "statcode": 200}
        except LookupError as exc:
            return {"json": {"jsonrpc": "2.0", "id": request.get("id"),
                             "error": {"code": -32601, "message": str(exc)}}, "statcode": 200}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that gave up (a timeout in a test) closes the socket before a hung answer is written.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class PduSimulatorServer:
    """One simulated PDU listening on host:port (port 0: a free one). Use as a context manager or start()/stop()."""

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, outlets: int = 16, username: str = "admin",
                 password: str = "", ssl_context=None, on: bool = False):
        self.pdu = SimulatedPdu(outlets=outlets, username=username, password=password, on=on)
        self.httpd = _Server((host, port), _Handler)
        self.httpd.pdu = self.pdu
        if ssl_context is not None:
            self.httpd.socket = ssl_context.wrap_socket(self.httpd.socket, server_side=True)
        self.scheme = "https" if ssl_context is not None else "http"
        self.host, self.port = self.httpd.server_address[:2]
        self._thread: threading.Thread | None = None

    def start(self) -> "PduSimulatorServer":
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"pdu-simulator-{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
