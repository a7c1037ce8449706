"""manage.py pdu_simulator: run simulated Raritan PDUs on 127.0.0.1 until SIGTERM/SIGINT (used by `make run`)."""

import os
import signal
import ssl
import threading

from django.core.management.base import BaseCommand, CommandError

from inventory.pdu_simulator import PduSimulatorServer


class Command(BaseCommand):
    help = (
        "Run COUNT simulated Raritan PDUs (JSON-RPC over HTTP, or HTTPS with --tls-cert/--tls-key) on 127.0.0.1, on PORT, PORT+1, ...; each has "
        "OUTLETS outlets and accepts USERNAME with the password in the environment variable --password-env. "
        "Outlet states persist while it runs. Stops on SIGTERM or SIGINT. For the demo lab and development only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8021, help="First port (default 8021).")
        parser.add_argument("--count", type=int, default=2, help="How many PDUs (default 2).")
        parser.add_argument("--outlets", type=int, default=16, help="Outlets per PDU (default 16).")
        parser.add_argument("--username", default="admin")
        parser.add_argument("--password-env", default="DEMO_PDU_PASSWORD",
                            help="Environment variable holding the password (default DEMO_PDU_PASSWORD).")
        parser.add_argument("--on", action="store_true", help="Start with every outlet on.")
        parser.add_argument("--tls-cert", help="PEM certificate: serve HTTPS instead of HTTP (with --tls-key).")
        parser.add_argument("--tls-key", help="PEM private key of --tls-cert.")

    def handle(self, *args, port, count, outlets, username, password_env, on, tls_cert=None, tls_key=None, **options):
        password = os.environ.get(password_env)
        if password is None:
            raise CommandError(f"Set {password_env} to the password the simulated PDUs accept.")
        context = None
        if tls_cert or tls_key:
            if not (tls_cert and tls_key):
                raise CommandError("Give both --tls-cert and --tls-key.")
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls_cert, tls_key)
        servers = []
        try:
            for n in range(count):
                servers.append(PduSimulatorServer(port=port + n, outlets=outlets, username=username,
                                                  password=password, on=on, ssl_context=context).start())
        except OSError as exc:
            for server in servers:
                server.stop()
            raise CommandError(f"Cannot listen on 127.0.0.1:{port + len(servers)}: {exc}") from exc
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        ports = ", ".join(str(s.port) for s in servers)
        scheme = "https" if context else "http"
        self.stdout.write(f"Simulated PDUs ({outlets} outlets each, {scheme}) on 127.0.0.1 ports {ports}.")
        try:
            while not stop.wait(0.5):
                pass
        finally:
            for server in servers:
                server.stop()
        self.stdout.write("Simulated PDUs stopped.")
