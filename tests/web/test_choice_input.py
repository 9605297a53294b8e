"""`choice_input` writes exactly the markup Django's own widget templates (the Django template
engine's) write, option by option: the assessment form's radios and checkboxes, bound with
errors and unbound."""

from __future__ import annotations

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from rusmiddel.web.case_forms import AssessmentForm
from rusmiddel.web.templatetags.fields import choice_input

OFFERS = [("ambulant", "Ambulant behandling"), ("doegnbehandling", "Døgnbehandling")]


def _choices(form: forms.Form):
    for field in form:
        if field.widget_type in {"radioselect", "checkboxselectmultiple"}:
            yield from field


@pytest.mark.parametrize(
    "data", [None, {"person.age": "x", "social.housing": "own", "substances.primary": "zzz"}]
)
def test_every_option_renders_as_django_renders_it(data):
    form = AssessmentForm(data, offers=OFFERS, renderer=DjangoTemplates())
    if data:
        form.is_valid()
    options = list(_choices(form))
    assert len(options) > 50  # the form is made of choices: the test sees them
    for option in options:
        assert choice_input(option) == option.tag()


def test_values_and_attributes_are_escaped():
    field = forms.ChoiceField(choices=[('a"<b', "A")], widget=forms.RadioSelect)
    form = type("F", (forms.Form,), {"x": field})({"x": 'a"<b'}, renderer=DjangoTemplates())
    option = next(iter(form["x"]))
    html = choice_input(option)
    assert html == option.tag()
    assert 'value="a&quot;&lt;b"' in html and " checked" in html
