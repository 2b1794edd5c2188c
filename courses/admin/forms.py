"""Admin forms: choices narrowed to what the editor may use, timetable
clashes refused before anything is saved, and the .ics upload.

Each form gets the editor as ``for_user`` (Wagtail passes it to every
``WagtailAdminModelForm``); a choice the editor may not use is neither
listed nor accepted when posted."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.permissions import policy_registry

from courses.models import CampusPage, ClassSession, Room, Section, SectionSlot
from courses.services.clashes import section_clashes
from courses.services.session_changes import session_move_clashes
from lms.accounts import roles
from lms.accounts.models import User

from .permissions import administered_campuses

ICS_MAX_BYTES = 1024 * 1024


class CampusChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class TeacherChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class SectionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.course.title} {obj.name}（{obj.campus.title}，{obj.term.name}）"


def _rooms_of(campuses):
    return Room.objects.filter(campus__in=campuses).select_related("campus").order_by(
        "campus__path", "sort_order", "name"
    )


class SectionAdminForm(WagtailAdminModelForm):
    """The section form. Campus and room list only the editor's campuses;
    teachers list people with the teacher role. ``clean`` refuses a room or
    teacher clash (``section_clashes``) with one clear message per clash."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        campuses = administered_campuses(user).order_by("path")
        old = self.fields["campus"]
        self.fields["campus"] = CampusChoiceField(
            queryset=campuses, label=old.label, help_text=old.help_text,
        )
        if "room" in self.fields:
            self.fields["room"].queryset = _rooms_of(campuses)
        if "teachers" in self.fields:
            old = self.fields["teachers"]
            current = self.instance.teachers.all() if self.instance.pk else User.objects.none()
            self.fields["teachers"] = TeacherChoiceField(
                queryset=(
                    User.objects.filter(groups__name=roles.TEACHER) | current
                ).distinct().select_related("profile").order_by("last_name", "first_name", "pk"),
                required=False, label=old.label, help_text=old.help_text,
                widget=forms.SelectMultiple(attrs={"size": 8}),
            )

    def _submitted_slots(self) -> list[SectionSlot] | None:
        formset = self.formsets.get("slots")
        if formset is None or not formset.is_valid():
            return None
        slots = []
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("weekday") is None:
                continue
            if data.get("start_time") and data.get("end_time"):
                slots.append(SectionSlot(weekday=data["weekday"], start_time=data["start_time"],
                                         end_time=data["end_time"]))
        return slots

    def clean(self):
        cleaned = super().clean()
        term = cleaned.get("term")
        if term is None or cleaned.get("status") == Section.Status.CANCELLED:
            return cleaned
        slots = self._submitted_slots()
        if not slots:
            return cleaned
        room = cleaned.get("room")
        probe = Section(pk=self.instance.pk, term=term, campus=cleaned.get("campus"), room=room)
        clashes = section_clashes(
            section=probe, slots=slots, room=room, teachers=list(cleaned.get("teachers") or []),
        )
        for clash in clashes:
            self.add_error(None, clash.message())
        return cleaned


class ClassSessionAdminForm(WagtailAdminModelForm):
    """Cancel or move one session, or add an extra one. A new session is for
    a section the editor manages and must not clash with another session
    of its room or teachers; an existing one keeps its section, and its
    changes go through ``session_cancel`` / ``session_move`` (see
    ``SessionEditView``), which check clashes, mark it moved and tell the
    students."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        policy = policy_registry.get_by_type(ClassSession)
        action = "change" if self.instance.pk else "add"
        sections = policy.scoped_sections(user, [action])
        if self.instance.pk:
            sections = sections | Section.objects.filter(pk=self.instance.section_id)
        if "section" in self.fields:
            old = self.fields["section"]
            self.fields["section"] = SectionChoiceField(
                queryset=sections.select_related("course", "campus", "term").order_by(
                    "-term__start_date", "course__title", "name"
                ),
                label=old.label, help_text=old.help_text, disabled=bool(self.instance.pk),
            )
        if "room" in self.fields:
            self.fields["room"].queryset = _rooms_of(
                CampusPage.objects.filter(pk__in=sections.values("campus"))
            )

    def clean(self):
        cleaned = super().clean()
        section, room = cleaned.get("section"), cleaned.get("room")
        if section is None and self.instance.pk:
            section = self.instance.section
        if section is not None and room is not None and room.campus_id != section.campus_id:
            self.add_error("room", _("This room belongs to another campus."))
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("A class must end after it starts."))
        elif starts and ends and section is not None and not self.instance.pk:
            self.instance.origin_date = timezone.localtime(starts).date()
            for problem in session_move_clashes(
                session=ClassSession(section=section), starts_at=starts, ends_at=ends,
                room=room, teacher_ids=list(section.teachers.values_list("pk", flat=True)),
            ):
                self.add_error(None, problem)
        return cleaned


class IcsImportForm(forms.Form):
    file = forms.FileField(
        label=_("Calendar file (.ics)"),
        help_text=_("For example a national public-holiday calendar. At most 1 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".ics", ".ical", ".ifb", ".icalendar")):
            raise forms.ValidationError(_("Please choose an .ics calendar file."))
        if upload.size > ICS_MAX_BYTES:
            raise forms.ValidationError(_("This file is larger than 1 MB."))
        return upload.read()
