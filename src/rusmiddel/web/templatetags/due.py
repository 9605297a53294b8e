"""How close a date is, as a badge: red "Overskredet …", amber within three days, words in
every case (not colour alone). A filter, not an include: it is drawn on every row of the
case, due and follow-up lists."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def due_badge(due: Any) -> SafeString | str:
    """`{{ row.due|due_badge }}` for a `caseload.Due` (or None: a dash)."""
    if not due:
        return "–"
    if due.tone:
        return format_html('<span class="badge badge-{}">{}</span>', due.tone, due.label)
    return format_html("{}", due.label)
