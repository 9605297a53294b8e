"""Reporting: national register extracts (SIB, NAB, EU TDI) and management statistics."""
