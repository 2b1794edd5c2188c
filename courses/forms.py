"""Forms of the public teaching pages."""

from html import escape

from django import forms
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from courses.models import WEEKDAYS, CampusPage, CoursePage, Department, Term

PARTS_OF_DAY = [
    ("", _("Any time")),
    ("morning", _("Morning")),
    ("afternoon", _("Afternoon")),
    ("evening", _("Evening")),
]


class CatalogueFilterForm(forms.Form):
    """The catalogue's filters (a GET form). A value that is not a choice
    (an old link, a typo) is dropped: ``filters()`` returns only the valid
    ones, and the page never shows an error for them.

    One term is shown at a time: the one asked for, else the newest
    published term that has not ended (during the renewal and enrolment
    weeks, the next term), chosen in ``from_query``."""

    term = forms.TypedChoiceField(
        label=_("Term"), choices=[], coerce=int, empty_value=None, required=False,
    )
    campus = forms.ModelChoiceField(
        label=_("Campus"), queryset=CampusPage.objects.none(), required=False,
        empty_label=_("All campuses"),
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False,
        empty_label=_("All departments"),
    )
    weekday = forms.TypedChoiceField(
        label=_("Day of the week"), choices=[("", _("Any day")), *WEEKDAYS],
        coerce=int, empty_value=None, required=False,
    )
    time = forms.ChoiceField(
        label=_("Time of day"), choices=PARTS_OF_DAY, required=False,
        widget=forms.RadioSelect,
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("All levels")), *CoursePage.Level.choices],
        required=False,
    )
    seats = forms.BooleanField(label=_("Only classes with seats left"), required=False)

    def __init__(self, *args, school, terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.school = school
        self.fields["term"].choices = [(pk, name) for pk, name in terms]
        # The term shown when none is asked for (not "a filter").
        self.default_term = terms[0][0] if terms else None
        # The campuses are asked for only when one was chosen (or listed
        # without filter_choices): building the tree query costs as much as
        # the rest of the form.
        if not self.is_bound or self.data.get("campus"):
            self.fields["campus"].queryset = campuses_of(school)

    @classmethod
    def from_query(cls, query, *, school, choices: dict | None = None,
                   today=None) -> tuple["CatalogueFilterForm", dict]:
        """The form to show and the filters for
        ``courses.selectors.catalog_sections`` (always with a ``term``
        when the school has a published one). The form's ``initial`` holds
        only the valid values: ``shown_fields`` and ``chosen`` write those,
        and the page never shows an error for the others. ``form.filtered``
        says whether the visitor chose anything (another term counts).
        ``choices`` are ``filter_choices`` when the caller has them."""
        if choices is None:
            choices = filter_choices(school=school)
        terms = shown_terms(choices["term"], today or timezone.localdate())
        bound = cls(query, school=school, terms=terms)
        bound.is_valid()
        data = bound.cleaned_data
        term = data.get("term") or bound.default_term
        filters = {
            "campus": data.get("campus"),
            "department": data.get("department"),
            "weekday": data.get("weekday"),
            "part_of_day": data.get("time") or None,
            "level": data.get("level") or None,
            "has_seats": bool(data.get("seats")),
        }
        # Monday is 0: test for "nothing chosen" by identity, not truth.
        filters = {k: v for k, v in filters.items() if v is not None and v is not False}
        bound.filtered = bool(filters) or term != bound.default_term
        if term is not None:
            filters["term"] = term
        initial = {name: value for name, value in data.items() if _chosen(value)}
        bound.initial = {"time": "", **initial, "term": term}
        return bound, filters

    def term_name(self) -> str:
        """The name of the term the page shows ("" when the school has none)."""
        return dict(self.fields["term"].choices).get(self.initial.get("term"), "")

    def shown_fields(self, choices: dict | None = None) -> list[dict]:
        """The visible fields as courses/includes/filter_form.html writes
        them: name, id, label, kind and the choices as (value, label,
        selected) text, the campuses and departments read as two small
        ``values_list`` queries (no page or model instances), or given as
        ``choices`` (``filter_choices``), and no Django widget rendered. The page is the same HTML as Django's Select,
        RadioSelect and CheckboxInput in includes/form_field.html give
        (only the first matching choice is selected, "" when none is)."""
        shown = []
        for name, field in self.fields.items():
            if name == "term" and len(field.choices) < 2:
                continue  # one term: nothing to choose
            value = self.initial.get(name)
            label = str(field.label)
            if isinstance(field.widget, forms.CheckboxInput):
                shown.append({"kind": "checkbox", "name": name, "id": f"id_{name}",
                              "label": label, "checked": bool(value)})
                continue
            if isinstance(field, forms.ModelChoiceField):
                if choices is None:
                    choices = filter_choices(school=self.school)
                listed = choices[name]
                choices_of_field = [("", str(field.empty_label)),
                                    *((str(pk), str(text)) for pk, text in listed)]
                value = getattr(value, "pk", value)
            else:
                choices_of_field = [(str(v), str(text)) for v, text in field.choices]
            current = "" if value is None else str(value)
            options, selected = [], False
            for choice_value, text in choices_of_field:
                is_selected = not selected and choice_value == current
                selected = selected or is_selected
                options.append((choice_value, text, is_selected))
            kind = "radio" if isinstance(field.widget, forms.RadioSelect) else "select"
            shown.append({"kind": kind, "name": name, "id": f"id_{name}", "label": label,
                          "options": options})
        return shown

    def chosen(self) -> list[str]:
        """The chosen filters in words, in the order of the form."""
        labels = []
        for name, field in self.fields.items():
            value = self.initial.get(name)
            if not _chosen(value) or (name == "term" and value == self.default_term):
                continue
            if name == "seats":
                labels.append(str(field.label))
            elif isinstance(value, CampusPage | Department):
                labels.append(str(value))
            else:
                labels.append(str(dict(field.choices).get(value, value)))
        return labels


def fields_html(fields: list[dict]) -> SafeString:
    """``CatalogueFilterForm.shown_fields`` written out, escaped: the markup
    of includes/form_field.html (a select, a fieldset of radio buttons, a
    checkbox), made in one pass with the standard library's ``escape``
    (what Django's does, without its lazy-string checks per value) because
    a template loop over every choice cost more than the catalogue's data."""
    parts = []
    for field in fields:
        name, id_, label = escape(field["name"]), escape(field["id"]), escape(field["label"])
        if field["kind"] == "checkbox":
            checked = " checked" if field["checked"] else ""
            parts.append(
                '<div class="form-field form-field-check">\n'
                f'  <input type="checkbox" name="{name}" id="{id_}"{checked}>\n'
                f'  <label for="{id_}">{label}</label>\n</div>'
            )
        elif field["kind"] == "radio":
            options = "".join(
                f'<li><label for="{id_}_{n}"><input type="radio" name="{name}" '
                f'value="{escape(value)}" id="{id_}_{n}"{" checked" if checked else ""}> '
                f"{escape(text)}</label></li>"
                for n, (value, text, checked) in enumerate(field["options"])
            )
            parts.append(f'<fieldset class="form-field">\n  <legend>{label}</legend>\n'
                         f'  <ul class="choice-list">{options}</ul>\n</fieldset>')
        else:
            options = "\n".join(
                f'  <option value="{escape(value)}"{" selected" if selected else ""}>'
                f"{escape(text)}</option>"
                for value, text, selected in field["options"]
            )
            parts.append(f'<div class="form-field">\n  <label for="{id_}">{label}</label>\n'
                         f'  <select name="{name}" id="{id_}">\n{options}\n</select>\n</div>')
    return SafeString("\n".join(parts))


# What a model choice shows (its __str__): a page's title, a department's name.
_TEXT_OF = {"campus": "title", "department": "name"}


def campuses_of(school):
    """The live campuses of ``school`` in the order the filter lists them."""
    return CampusPage.objects.live().descendant_of(school).order_by("kind", "path")


def filter_choices(*, school) -> dict[str, list[tuple]]:
    """The campus and department choices of ``school``'s catalogue filters
    as (pk, text) pairs: what ``CatalogueFilterForm.shown_fields`` lists;
    and its published terms as (pk, name, last day), newest first, for
    ``shown_terms``."""
    return {
        "campus": list(campuses_of(school).values_list("pk", _TEXT_OF["campus"])),
        "department": list(Department.objects.values_list("pk", _TEXT_OF["department"])),
        "term": list(Term.objects.filter(school=school, is_published=True)
                     .order_by("-start_date", "-pk").values_list("pk", "name", "end_date")),
    }


def shown_terms(terms: list[tuple], today) -> list[tuple[int, str]]:
    """The terms a visitor can choose on ``today``, as (pk, name), the
    default first: the published terms that have not ended, newest first;
    when all have ended, the newest (the catalogue is never empty only
    because a term is over)."""
    running = [(pk, name) for pk, name, end in terms if end >= today]
    return running or [(pk, name) for pk, name, _end in terms[:1]]


def _chosen(value) -> bool:
    return value is not None and value is not False and value != ""
