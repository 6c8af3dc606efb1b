"""Peak memory of one native fan-out, measured in a process of its own (the test process's own
history would hide it): prints JSON {base_kb, peak_kb, kinds, stats}.

    python -m suites.e2e.client.rss_probe URL N CONCURRENCY MAX_BODY_BYTES

base_kb is the resident size after a warm-up request (interpreter, module, libcurl loaded);
peak_kb is the process's high-water mark (getrusage) after the run."""

from __future__ import annotations

import collections
import json
import resource
import sys

import lapwise


def rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main() -> None:
    url, n, concurrency, max_body = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    policy = lapwise.Policy(concurrency=concurrency, retries=0, max_body_bytes=max_body)
    base_url = "/".join(url.split("/", 3)[:3]) + "/"
    lapwise.Client(policy).fetch_many([lapwise.Request.get(base_url)])  # warm-up
    base = rss_kb()
    client = lapwise.Client(policy)
    results = client.fetch_many([lapwise.Request.get(url)] * n)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kinds = collections.Counter(r.kind if isinstance(r, lapwise.FetchError) else str(r.status) for r in results)
    print(json.dumps({"base_kb": base, "peak_kb": peak, "kinds": kinds, "stats": client.last_stats}))


if __name__ == "__main__":
    main()
