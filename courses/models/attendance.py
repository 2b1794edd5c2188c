"""Attendance (考勤) of one person at one class session, leave requests (请假)
before a session, and the audit trail of every change to either.

Rows are written only by ``courses.services.attendance``, which locks the
row, logs an ``AttendanceLogEntry`` in the same transaction and sends
``courses.signals.attendance_changed`` after commit."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import BaseLogEntry, BaseLogEntryManager


class Attendance(models.Model):
    """Whether ``person`` came to ``session``: one row per person and
    session, changed in place (its history is in the audit log)."""

    class Status(models.TextChoices):
        PRESENT = "present", pgettext_lazy("attendance", "Present")
        LATE = "late", pgettext_lazy("attendance", "Late")
        LEAVE = "leave", pgettext_lazy("attendance", "On leave")
        ABSENT = "absent", pgettext_lazy("attendance", "Absent")

    class Method(models.TextChoices):
        TAP = "tap", _("Roll call")
        QR = "qr", _("QR check-in")
        REGISTER = "register", _("Paper register")
        CORRECTION = "correction", _("Correction by staff")
        LEAVE = "leave", _("Approved leave")

    # Statuses that count as attending (for rates), and as excused.
    ATTENDED = (Status.PRESENT, Status.LATE)
    EXCUSED = (Status.LEAVE,)

    # Attendance references no content: no reference indexing on each tap.
    wagtail_reference_index_ignore = True

    session = models.ForeignKey(
        "courses.ClassSession", on_delete=models.PROTECT, related_name="attendance",
        verbose_name=_("class session"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="attendance",
        verbose_name=_("student"),
    )
    status = models.CharField(_("attendance"), max_length=8, choices=Status.choices)
    method = models.CharField(_("recorded by way of"), max_length=12, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("first recorded"), default=timezone.now)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)
    # The client's id of the last tap applied: the same tap sent again (a
    # retry on a weak connection) changes nothing.
    last_tap = models.UUIDField(_("last tap"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["session", "person"]
        verbose_name = _("attendance record")
        verbose_name_plural = _("attendance records")
        constraints = [
            models.UniqueConstraint(fields=["session", "person"],
                                    name="attendance_one_per_person_session"),
            models.CheckConstraint(
                condition=Q(status__in=["present", "late", "leave", "absent"]),
                name="attendance_status_known",
            ),
        ]
        indexes = [models.Index(fields=["person", "session"])]

    def __str__(self):
        return f"{self.person} · {self.session} · {self.get_status_display()}"


class LeaveRequest(models.Model):
    """A person asks not to be counted absent from one session (请假).
    Approved by a teacher of the section or a campus admin; an approved
    request marks the attendance as leave."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", pgettext_lazy("leave request", "Withdrawn")

    # At most one live request per person and session (database constraint).
    LIVE = (Status.PENDING, Status.APPROVED)

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="leave_requests",
        verbose_name=_("student"),
    )
    session = models.ForeignKey(
        "courses.ClassSession", on_delete=models.PROTECT, related_name="leave_requests",
        verbose_name=_("class session"),
    )
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("asked by"),
        help_text=_("The student, or a family member for them."),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "session"], condition=Q(status__in=["pending", "approved"]),
                name="leave_one_live_per_person_session",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "withdrawn"]) | Q(decided_at__isnull=False),
                name="leave_decision_has_time",
            ),
        ]
        indexes = [models.Index(fields=["session", "status"]),
                   models.Index(fields=["person", "-created_at"])]

    def __str__(self):
        return f"{self.person} · {self.session} · {self.get_status_display()}"


class AttendanceLogEntryManager(BaseLogEntryManager):
    def log_action(self, instance, action, **kwargs):
        kwargs.update(object_id=str(instance.pk), person_id=instance.person_id,
                      session_id=instance.session_id)
        return super().log_action(instance, action, **kwargs)

    def for_instance(self, instance):
        from django.contrib.contenttypes.models import ContentType

        content_type = ContentType.objects.get_for_model(instance, for_concrete_model=False)
        return self.filter(content_type=content_type, object_id=str(instance.pk))


class AttendanceLogEntry(BaseLogEntry):
    """One change of an attendance record or a leave request (Wagtail's
    audit log, with the person and session as real keys): ``user`` acted,
    for ``person``, ``action`` (e.g. ``courses.attendance.mark``); ``data``
    holds the status before and after, the way and the reason. Written in
    the same transaction as the change."""

    object_id = models.CharField(max_length=255, db_index=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name=_("for"),
    )
    session = models.ForeignKey(
        "courses.ClassSession", on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name=_("class session"),
    )

    objects = AttendanceLogEntryManager()

    # Keys the attendance service sets from rows it holds under lock.
    TRUSTED_KEYS = ("content_type", "user", "person", "session", "revision")

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        """Skip the existence checks of keys the service has just locked
        (one query each inside the transaction); see EnrolmentLogEntry."""
        exclude = {*(exclude or ()), *self.TRUSTED_KEYS}
        super().full_clean(exclude=exclude, validate_unique=validate_unique,
                           validate_constraints=validate_constraints)

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("attendance log entry")
        verbose_name_plural = _("attendance log entries")
        indexes = [models.Index(fields=["person", "-timestamp"]),
                   models.Index(fields=["session", "-timestamp"])]
