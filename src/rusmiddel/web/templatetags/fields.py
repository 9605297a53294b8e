"""Form markup rendered in Python where a template per field or option costs too much.

A radio group or checkbox list renders each option's <input> through its own widget
template: about a millisecond per field on the assessment form. `choice_input` writes the
same markup (Django's input.html and attrs.html) in one pass, and `form_field` writes a whole
DKFDS form group (label, hint, error, input), the markup an included template per field
gave (the assessment page's templates: 15.2 ms with the include, 12.3 ms with the tag).
"""

from __future__ import annotations

from django import template
from django.forms.boundfield import BoundField, BoundWidget
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

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


CHOICE_GROUPS = ("radioselect", "checkboxselectmultiple")


@register.simple_tag
def form_field(field: BoundField, inline: bool = False) -> SafeString:
    """`{% form_field form.x %}`: one field with its label, hint and first error (DKFDS).
    `inline` lays a radio group or checkbox list out on one line.

    Django adds aria-invalid and aria-describedby ("<id>_helptext <id>_error") to single
    inputs and to each radio and checkbox; a group's fieldset gets aria-describedby here,
    and a radio group role="radiogroup" (aria-invalid when in error)."""
    kind = field.widget_type
    if kind == "hidden":
        return conditional_escape(field)
    esc = conditional_escape
    errors, help_text, auto_id = field.errors, field.help_text, esc(field.auto_id)
    hint = f'<span class="form-hint" id="{auto_id}_helptext">{esc(help_text)}</span>'
    error = (
        f'<span class="form-error-message" id="{auto_id}_error"><span class="sr-only">'
        f"{esc(gettext('Fejl:'))} </span>{esc(errors[0])}</span>"
        if errors
        else ""
    )
    head = (hint if help_text else "") + error
    group = "form-group form-error" if errors else "form-group"
    if kind not in CHOICE_GROUPS:
        target = esc(field.id_for_label)
        label = f'<label class="form-label" for="{target}">{esc(field.label)}</label>'
        return mark_safe(f'<div class="{group}">\n  {label}\n  {head}\n  {esc(field)}\n</div>')
    described = " ".join(
        ([f"{auto_id}_helptext"] if help_text else []) + ([f"{auto_id}_error"] if errors else [])
    )
    attrs = ""
    if kind == "radioselect":
        attrs = ' role="radiogroup"' + (' aria-invalid="true"' if errors else "")
    if described:
        attrs += f' aria-describedby="{described}"'
    option = "form-group-radio" if kind == "radioselect" else "form-group-checkbox"
    if inline:
        option += " mt-0 mr-6"
    options = "".join(
        f'\n      <div class="{option}">\n        {_input(choice.data)}\n        '
        f'<label class="form-label" for="{esc(choice.id_for_label)}">'
        f"{esc(choice.choice_label)}</label>\n      </div>"
        for choice in field
    )
    row = ' class="d-flex flex-wrap"' if inline else ""
    return mark_safe(
        f'<div class="{group}">\n  <fieldset{attrs}>\n'
        f'    <legend class="form-label">{esc(field.label)}</legend>\n'
        f"    {head}\n    <div{row}>{options}\n    </div>\n  </fieldset>\n</div>"
    )
