"""Form markup rendered in Python where Django renders one template per option.

A radio group or checkbox list renders each option's <input> through its own widget
template: about a millisecond per field on the assessment form. `choice_inputs` writes the
same markup (Django's input.html and attrs.html) in one pass.
"""

from __future__ import annotations

from django import template
from django.forms.boundfield import BoundWidget
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _input(widget: dict) -> str:
    """Django's forms/widgets/input.html with attrs.html, as Python."""
    kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
    parts = [f'<input type="{kind}" name="{name}"']
    if widget["value"] is not None:
        parts.append(f' value="{conditional_escape(str(widget["value"]))}"')
    for name, value in widget["attrs"].items():
        if value is False:
            continue
        parts.append(f" {name}" if value is True else f' {name}="{conditional_escape(str(value))}"')
    parts.append(">")
    return "".join(parts)


@register.filter
def choice_input(choice: BoundWidget) -> SafeString:
    """`{{ choice|choice_input }}`: the same HTML as `{{ choice.tag }}`, without a template."""
    return mark_safe(_input(choice.data))
