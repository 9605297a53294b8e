"""`form_field` writes one DKFDS form group (label, hint, first error, input) in Python: the
markup a caseworker's screen reader relies on, checked field kind by field kind."""

from __future__ import annotations

import re

from django import forms
from django.utils import translation

from rusmiddel.web.templatetags.fields import form_field


class Form(forms.Form):
    name = forms.CharField(label="Navn <fulde>", help_text="Som i CPR & folkeregistret")
    note = forms.CharField(label="Note", required=False)
    outcome = forms.ChoiceField(
        label="Udfald",
        choices=[("done", "Gennemført"), ("dropped", "Afbrudt")],
        widget=forms.RadioSelect,
        help_text="Vælg ét",
    )
    substances = forms.MultipleChoiceField(
        label="Rusmidler",
        choices=[("alcohol", "Alkohol"), ("cannabis", "Cannabis")],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


def _flat(html: str) -> str:
    return re.sub(r"\s+", " ", html)


def test_a_text_field_has_its_label_hint_and_input_and_escapes_the_texts():
    html = _flat(form_field(Form()["name"]))
    assert html.startswith('<div class="form-group"> <label class="form-label" for="id_name">')
    assert "Navn &lt;fulde&gt;</label>" in html
    hint = '<span class="form-hint" id="id_name_helptext">Som i CPR &amp; folkeregistret</span>'
    assert hint in html
    assert 'aria-describedby="id_name_helptext"' in html  # Django's, on the input
    assert "form-error" not in html


def test_an_invalid_field_shows_its_first_error_named_for_screen_readers():
    with translation.override("da"):
        form = Form({"outcome": "nope"})
        form.is_valid()
        html = _flat(form_field(form["name"]))
    assert html.startswith('<div class="form-group form-error">')
    assert (
        '<span class="form-error-message" id="id_name_error"><span class="sr-only">Fejl: </span>'
        "Dette felt er påkrævet.</span>" in html
    )
    with translation.override("en"):  # the words follow the chosen language
        assert '<span class="sr-only">Error: </span>' in _flat(form_field(form["name"]))
    radios = _flat(form_field(form["outcome"]))
    assert (
        '<fieldset role="radiogroup" aria-invalid="true" '
        'aria-describedby="id_outcome_helptext id_outcome_error">' in radios
    )
    assert '<legend class="form-label">Udfald</legend>' in radios
    assert radios.count('<div class="form-group-radio">') == 2


def test_a_checkbox_list_in_one_line_and_a_field_without_hint_or_error():
    html = _flat(form_field(Form()["substances"], inline=True))
    assert "<fieldset>" in html  # no role, no aria-describedby: nothing to describe it
    assert '<div class="d-flex flex-wrap">' in html
    assert html.count('<div class="form-group-checkbox mt-0 mr-6">') == 2
    assert '<label class="form-label" for="id_substances_1">Cannabis</label>' in html
    note = _flat(form_field(Form()["note"]))
    assert "form-hint" not in note and "form-error-message" not in note


def test_a_hidden_field_is_only_its_input():
    html = str(form_field(Form(initial={"version": 3})["version"]))
    assert html == '<input type="hidden" name="version" value="3" id="id_version">'
