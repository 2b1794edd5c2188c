"""Admin views for sections and sessions: listings and exports with
readable columns, an inspect view with the timetable and the next sessions,
and sessions generated whenever a section is saved."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.widgets.button import Button
from wagtail.log_actions import log

from courses.models import ClassSession, Section
from courses.selectors import sections_with_counts
from courses.services.session_changes import session_cancel, session_move
from courses.services.sessions import sessions_generate

from .enrolments import enrolment_list_links
from .scoping import (
    ScopedCreateView,
    ScopedEditView,
    ScopedIndexView,
    ScopedInspectView,
)

NEXT_SESSIONS = 10


def teachers_text(section) -> str:
    return "、".join(teacher.display_name for teacher in section.teachers.all())


def slots_text(section) -> str:
    return "；".join(str(slot) for slot in section.slots.all())


def sessions_message(counts: dict) -> str:
    """"N sessions created, M updated" (and removed, when any were)."""
    values = {key: counts.get(key, 0) for key in ("created", "updated", "deleted")}
    if values["deleted"]:
        return _(
            "Timetable: %(created)d sessions created, %(updated)d updated, %(deleted)d removed."
        ) % values
    return _("Timetable: %(created)d sessions created, %(updated)d updated.") % values


# --- sections -----------------------------------------------------------------

SECTION_EXPORT = {
    "course": (gettext_lazy("Course"), lambda s: s.course.title),
    "class": (gettext_lazy("Class"), lambda s: s.name),
    "campus": (gettext_lazy("Campus"), lambda s: s.campus.title),
    "room": (gettext_lazy("Room"), lambda s: s.room.name if s.room else ""),
    "teachers": (gettext_lazy("Teachers"), teachers_text),
    "weekly_times": (gettext_lazy("Weekly times"), slots_text),
    "term": (gettext_lazy("Term"), lambda s: s.term.name),
    "capacity": (gettext_lazy("Places"), lambda s: s.capacity),
    "enrolled": (gettext_lazy("Enrolled"), lambda s: s.enrolled_count),
    "fee": (gettext_lazy("Fee (yuan)"), lambda s: s.fee),
    "status": (gettext_lazy("Status"), lambda s: s.get_status_display()),
}


class SectionIndexView(ScopedIndexView):
    list_export = list(SECTION_EXPORT)
    export_headings = {key: label for key, (label, _f) in SECTION_EXPORT.items()}

    def get_base_queryset(self):
        return sections_with_counts(super().get_base_queryset())

    def to_row_dict(self, item):
        return {key: value(item) for key, (_l, value) in SECTION_EXPORT.items()}

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        for label, url, icon in enrolment_list_links(self.request.user, instance):
            buttons.append(MenuItem(label, url=url, icon_name=icon, priority=40))
        return buttons


class SessionsGeneratedMixin:
    """After a section is saved (in the same transaction), bring its sessions
    in line with the timetable, and tell the editor what changed."""

    session_counts = None

    def save_instance(self):
        section = super().save_instance()
        if section.status != Section.Status.CANCELLED:
            self.session_counts = sessions_generate(section=section)
        return section

    def save_action(self):
        response = super().save_action()
        if self.session_counts is not None and not self.expects_json_response:
            messages.info(self.request, sessions_message(self.session_counts))
        return response


class SectionCreateView(SessionsGeneratedMixin, ScopedCreateView):
    pass


class EnrolmentListButtonMixin:
    """A header button to the section's enrolment list (报名名单)."""

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        for label, url, icon in enrolment_list_links(self.request.user, self.object):
            buttons.append(Button(label, url=url, icon_name=icon, priority=5))
        return buttons


class SectionEditView(EnrolmentListButtonMixin, SessionsGeneratedMixin, ScopedEditView):
    pass


class SectionInspectView(EnrolmentListButtonMixin, ScopedInspectView):
    extra_fields = {
        "timetable": gettext_lazy("Weekly timetable"),
        "next_sessions": gettext_lazy("Next sessions"),
        "enrolled": gettext_lazy("Enrolled"),
    }

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        return sections_with_counts(Section.objects.filter(pk=obj.pk)).get()

    def get_field_label(self, field_name, field):
        if field_name in self.extra_fields:
            return self.extra_fields[field_name]
        return super().get_field_label(field_name, field)

    def get_teachers_display_value(self):
        return teachers_text(self.object) or "-"

    def get_enrolled_display_value(self):
        return _("%(enrolled)d of %(capacity)d places") % {
            "enrolled": self.object.enrolled_count, "capacity": self.object.capacity,
        }

    def get_timetable_display_value(self):
        slots = list(self.object.slots.all())
        if not slots:
            return _("No weekly times yet.")
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((str(slot),) for slot in slots))
        )

    def get_next_sessions_display_value(self):
        sessions = (
            self.object.sessions.filter(ends_at__gte=timezone.now())
            .select_related("room")
            .order_by("starts_at")[:NEXT_SESSIONS]
        )
        rows = [(session_when(s), s.room.name if s.room else "", session_state(s))
                for s in sessions]
        if not rows:
            return _("No sessions to come.")
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{} {} {}</li>", rows)
        )


def session_when(session) -> str:
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    return f"{start:%Y-%m-%d} {session_weekday(start)} {start:%H:%M}–{end:%H:%M}"


def session_weekday(moment) -> str:
    from courses.models import WEEKDAYS

    return str(dict(WEEKDAYS)[moment.weekday()])


def session_state(session) -> str:
    if session.status == ClassSession.Status.CANCELLED:
        return f"（{session.get_status_display()}）"
    if session.moved:
        return f"（{_('moved')}）"
    return ""


# --- sessions -----------------------------------------------------------------

SESSION_EXPORT = {
    "course": (gettext_lazy("Course"), lambda s: s.section.course.title),
    "class": (gettext_lazy("Class"), lambda s: s.section.name),
    "campus": (gettext_lazy("Campus"), lambda s: s.section.campus.title),
    "date": (gettext_lazy("Date"), lambda s: timezone.localtime(s.starts_at).date()),
    "starts": (gettext_lazy("Starts"), lambda s: timezone.localtime(s.starts_at).strftime("%H:%M")),
    "ends": (gettext_lazy("Ends"), lambda s: timezone.localtime(s.ends_at).strftime("%H:%M")),
    "room": (gettext_lazy("Room"), lambda s: s.room.name if s.room else ""),
    "status": (gettext_lazy("Status"), lambda s: s.get_status_display()),
    "moved": (gettext_lazy("Moved"), lambda s: _("yes") if s.moved else ""),
    "change_note": (gettext_lazy("Reason for the change"), lambda s: s.change_note),
}


class SessionIndexView(ScopedIndexView):
    list_export = list(SESSION_EXPORT)
    export_headings = {key: label for key, (label, _f) in SESSION_EXPORT.items()}

    def get_base_queryset(self):
        return super().get_base_queryset().select_related(
            "section", "section__course", "section__campus", "room"
        )

    def to_row_dict(self, item):
        return {key: value(item) for key, (_l, value) in SESSION_EXPORT.items()}


class SessionEditView(ScopedEditView):
    """Cancelling or moving a session goes through ``session_cancel`` /
    ``session_move`` (row lock, clash check, ``sequence`` bump, the
    ``session_changed`` signal that tells students). Their refusals are
    shown on the form; nothing is saved then."""

    def apply_change(self, form):
        # The form has written its values onto self.object: compare with the row.
        session, data = ClassSession.objects.get(pk=self.object.pk), form.cleaned_data
        changed = set(form.changed_data)
        reason = data.get("change_note", "")
        if (data.get("status") == ClassSession.Status.CANCELLED
                and session.status != ClassSession.Status.CANCELLED):
            return session_cancel(session=session, reason=reason, actor=self.request.user)
        if changed & {"starts_at", "ends_at", "room"}:
            return session_move(session=session, starts_at=data["starts_at"],
                                ends_at=data["ends_at"], room=data.get("room"),
                                reason=reason, actor=self.request.user)
        if "status" in changed:
            raise ValidationError(_(
                "A cancelled class cannot be held again here; add a new session instead."
            ))
        if "change_note" in changed:
            ClassSession.objects.filter(pk=session.pk).update(change_note=reason)
        return ClassSession.objects.get(pk=session.pk)

    def form_valid(self, form):
        self.form = form
        try:
            self.object = self.apply_change(form)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)
        log(instance=self.object, action="wagtail.edit", user=self.request.user)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response


class SessionInspectView(ScopedInspectView):
    pass
