"""Municipalities' quality standards (kvalitetsstandarder) as versioned, validated data.

`schema` is the file format, `loader` reads and checks one file (errors name file, line
and field), `registry` finds the version in force for a municipality on a date, and
`render` writes a standard back as a readable Danish document.
"""
