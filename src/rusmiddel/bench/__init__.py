"""`rusmiddel bench`: server time of the key pages, the register extracts, the rule engine and a
load test, on one synthetic dataset (see `rusmiddel synth`). A benchmark, not a test."""
