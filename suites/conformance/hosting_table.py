"""``python -m suites.conformance.hosting_table``: replays the hosting corpus and the smuggling
vectors against every available server x app and prints the per-peer verdict tables (markdown):
how many cases answer like lapwise, how many differ as recorded (and which), and what each
server does with each smuggling vector. Every server is stopped by pid before the next starts."""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict

from suites.cli_names import refuse_unknown

from .hosting_cases import ALL_CASES
from .hosting_differences import DIFFERENCES, PENDING
from .hosting_hosts import INTERFACE, REFERENCE, SERVERS, comparable, hosts, replay
from .hosting_smuggling import SMUGGLING, verdict


def run(selection: set[str] | None) -> tuple[dict, dict]:
    answers: dict[tuple[str, str], dict[str, tuple]] = {}
    smuggling: dict[str, dict[str, str]] = defaultdict(dict)
    for host in hosts():
        if selection and host.server not in selection:
            continue
        if not SERVERS[host.server].available():
            print(f"skip {host.label}: {SERVERS[host.server].available().reason}", file=sys.stderr)
            continue
        srv = host.make()
        address = srv.start()
        try:
            answers[(host.server, host.app)] = {
                c.name: comparable(c, replay(address.host, address.port, c)) for c in ALL_CASES if host.app in c.apps}
            if host.app in ("starlette-app", "flask-app"):
                gone = ""
                for case in SMUGGLING:
                    got = gone or verdict(address.host, address.port, case)
                    if got == "no answer":
                        time.sleep(0.3)  # a server that crashed on the vector has exited by now
                    if not gone and (status := srv.exit_status()) is not None:
                        got = f"server died ({status})"
                        gone = f"(server died at {case.name})"
                    smuggling[case.name][host.server] = got
        finally:
            srv.stop()
        print(f"done {host.label}", file=sys.stderr, flush=True)
    return answers, smuggling


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--servers", help="comma-separated server names (default: all)")
    ap.add_argument("--detail", action="store_true", help="print each unrecorded difference's answers")
    args = ap.parse_args(argv)
    refuse_unknown(ap, "--servers", "server", args.servers, SERVERS)
    answers, smuggling = run(set(args.servers.split(",")) if args.servers else None)
    print("| server | app | cases | like lapwise | differ (recorded) | unrecorded | pending |")
    print("|---|---|---|---|---|---|---|")
    unrecorded_total = 0
    details: list[str] = []
    for (server, app), got in answers.items():
        ref = answers.get((REFERENCE[INTERFACE[app]], app), {})
        same = differ = pending = 0
        unrecorded = []
        recorded = []
        for name, answer in got.items():
            if (name, app) in PENDING:
                pending += 1
            elif answer == ref.get(name):
                same += 1
            elif DIFFERENCES.get((name, server, app)) or DIFFERENCES.get((name, server, "*")):
                differ += 1
                recorded.append(name)
            else:
                unrecorded.append(name)
                if args.detail:
                    details.append(f"{server}@{app} {name}:\n  peer    {answer}\n  lapwise {ref.get(name)}")
        unrecorded_total += len(unrecorded)
        print(f"| {server} | {app} | {len(got)} | {same} | {differ} {', '.join(recorded)} | "
              f"{len(unrecorded)} {', '.join(unrecorded)} | {pending} |")
    for line in details:
        print(line[:1500])
    servers = list(dict.fromkeys(s for row in smuggling.values() for s in row))
    print("\n| smuggling vector | " + " | ".join(servers) + " |")
    print("|---|" + "---|" * len(servers))
    for name, row in smuggling.items():
        print(f"| {name} | " + " | ".join(row.get(s, "-") for s in servers) + " |")
    return 1 if unrecorded_total else 0


if __name__ == "__main__":
    sys.exit(main())
