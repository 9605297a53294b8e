"""Synthetic data at demo, municipality and national scale (`rusmiddel synth`), for the
benchmark (`rusmiddel bench`) and for trying the system with realistic volumes."""
