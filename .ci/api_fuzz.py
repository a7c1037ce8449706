"""API fuzzing: schemathesis over the whole OpenAPI schema (/api/schema/), as a member and as a manager.

Starts the container's own web command (`docker/entrypoint.sh web`: migrate, init_db --demo, gunicorn
with uvicorn workers, DEBUG off) on a fresh SQLite file and a free port on 127.0.0.1, and for the demo
member "alice" and the demo manager "manager" runs every check schemathesis has (settings and the
few documented exceptions in .ci/schemathesis.toml) with a fixed seed and a bounded number of examples per operation:

- with an API token, over every operation but the revocation of tokens (which would revoke the very
  token the run uses, and leave the rest untested);
- with a signed-in browser session and its CSRF token, over that one operation (without the
  "ignored auth" check, which sends a bad token beside the valid session cookie).

The demo PDUs point at simulated Raritan PDUs (inventory/pdu_simulator.py) that this script starts on free
ports, so switching an outlet reaches a PDU; when the fuzzer has pointed a PDU elsewhere, the documented
502/504 of a switch are its answers, not server faults.

Every new endpoint is fuzzed as soon as it is in the schema. Exit status 0 only when every run found
no failure: no 5xx and no answer that breaks the schema.

    .venv/bin/python .ci/api_fuzz.py                         # what CI runs (a few minutes)
    .venv/bin/python .ci/api_fuzz.py --max-examples 200      # deeper, locally
    .venv/bin/python .ci/api_fuzz.py --role member --include-path-regex '^/api/scheduler/'

Extra arguments go to `schemathesis run` as they are. Reports (JUnit, and a pytest file that replays
the failures) are written to ci-artifacts/schemathesis/<role>/.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from serve_bench import free_port, start_server, stop_server  # noqa: E402

from inventory.pdu_simulator import PduSimulatorServer  # noqa: E402

ROLES = {"member": ("alice", "labsite-alice"), "manager": ("manager", "labsite-manager")}
SEED = 20261205


def token_headers(base: str, username: str, password: str) -> list[str]:
    response = requests.post(f"{base}/api/auth/token/", timeout=30,
                             json={"username": username, "password": password, "name": "api fuzzing"})
    if response.status_code != 201:
        raise SystemExit(f"Could not get a token for {username}: HTTP {response.status_code}")
    return ["-H", f"Authorization: Token {response.json()['token']}"]


REVOKE = "auth_tokens_revoke"
# A switch the PDU failed (502) or did not answer in time (504) is documented, not a server fault.
PDU_ANSWERS = re.compile(r'"POST /api/scheduler/power/outlets/\d+/ HTTP/1\.1" 50[24]')


def point_demo_pdus_at(base: str, headers: list[str], simulators: list[PduSimulatorServer]) -> None:
    """Aim the demo PDUs (init_db --demo) at the simulators, through the API as the manager."""
    auth = dict(h.split(": ", 1) for h in headers[1::2])
    pdus = requests.get(f"{base}/api/inventory/pdus/", headers=auth, timeout=30).json()["results"]
    for pdu, simulator in zip(pdus, simulators, strict=False):
        response = requests.patch(f"{base}/api/inventory/pdus/{pdu['id']}/", headers=auth, timeout=30,
                                  json={"host": simulator.host, "port": simulator.port, "scheme": "http"})
        if response.status_code != 200:
            raise SystemExit(f"Could not point PDU {pdu['id']} at a simulator: HTTP {response.status_code}")


def session_headers(base: str, username: str, password: str) -> list[str]:
    """Sign in through the page; return the headers that carry the session and its CSRF token."""
    client = requests.Session()
    login = client.get(f"{base}/accounts/login/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    response = client.post(f"{base}/accounts/login/", timeout=30, allow_redirects=False,
                           headers={"Referer": f"{base}/accounts/login/"},
                           data={"csrfmiddlewaretoken": csrf, "username": username, "password": password})
    if response.status_code != 302:
        raise SystemExit(f"Could not sign in as {username}: HTTP {response.status_code}")
    cookies = "; ".join(f"{c.name}={c.value}" for c in client.cookies)
    return ["-H", f"Cookie: {cookies}", "-H", f"X-CSRFToken: {client.cookies['csrftoken']}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--role", choices=[*ROLES, "both"], default="both")
    parser.add_argument("--max-examples", type=int, default=15, help="test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=SEED)
    args, extra = parser.parse_known_args()

    workdir = Path(tempfile.mkdtemp(prefix="labsite-api-fuzz-"))
    password = os.environ.setdefault("DEMO_PDU_PASSWORD", "labsite-demo-pdu")
    simulators = [PduSimulatorServer(password=password, on=True).start() for _ in range(2)]
    port = free_port()
    server = start_server(workdir, port)
    base = f"http://127.0.0.1:{port}"
    failed = []
    try:
        point_demo_pdus_at(base, token_headers(base, *ROLES["manager"]), simulators)
        for role in (ROLES if args.role == "both" else [args.role]):
            username, password = ROLES[role]
            runs = [
                ("token", token_headers(base, username, password), ["--exclude-operation-id", REVOKE]),
                ("session", session_headers(base, username, password),
                 ["--include-operation-id", REVOKE, "--exclude-checks", "ignored_auth"]),
            ]
            for auth, headers, selection in runs:
                command = [
                    str(ROOT / ".venv/bin/schemathesis"), "--config-file", str(ROOT / ".ci" / "schemathesis.toml"),
                    "run", f"{base}/api/schema/", *headers, *selection,
                    "--seed", str(args.seed), "--max-examples", str(args.max_examples),
                    "--workers", "1", "--request-timeout", "30", "--no-shrink",
                    "--report", "junit,pytest", "--report-dir", str(ROOT / "ci-artifacts" / "schemathesis" / f"{role}-{auth}"),
                    *extra,
                ]
                print(f"== schemathesis as the {role} ({username}, {auth}), seed {args.seed}, "
                      f"{args.max_examples} examples per operation", flush=True)
                if subprocess.run(command, cwd=ROOT).returncode != 0:
                    failed.append(f"{role} ({auth})")
    finally:
        stop_server(server)
        for simulator in simulators:
            simulator.stop()
        log = (workdir / "server.log").read_text(errors="replace")
        errors = [line for line in log.splitlines()
                  if "Internal Server Error" in line
                  or (re.search(r'HTTP/1\.1" 5\d\d', line) and not PDU_ANSWERS.search(line))]
        if errors:
            print(f"Server errors in {workdir / 'server.log'}:", *errors[:20], sep="\n")
            failed.append("server log")
    if failed:
        print(f"API fuzzing failed: {', '.join(failed)}")
        return 1
    print("API fuzzing: no failures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
