"""lapwise's performance gates: instruction counts against stored baselines, same-run
interleaved ratios with a bootstrap confidence interval, and head-vs-base builds. Each prints a
table a person can act on and one closing line, and exits 0 (pass) or 1 (fail).

Run ``python -m suites.gate --help`` from the repository root; suites/gate/README.md explains the gates.
"""
