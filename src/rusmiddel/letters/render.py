"""Letters as PDF: a Django template per kind, printed by WeasyPrint.

Letters are always Danish, whatever language the staff member who caused them has chosen
in the web: they are legal documents (afgørelser, kvitteringer) to Danish citizens, so their
templates carry no translation tags and are rendered with Danish active (dates, labels)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation


def letter_html(kind: str, context: dict[str, Any]) -> str:
    with translation.override("da"):
        return render_to_string(f"letters/{kind}.html", {"c": context})


def letter_pdf(kind: str, context: dict[str, Any]) -> bytes:
    """The letter as PDF bytes (fonts from the system: DejaVu Sans covers æ, ø, å and §)."""
    import weasyprint  # imported here: it loads Pango, which the rest of the app never needs

    return weasyprint.HTML(string=letter_html(kind, context)).write_pdf()
