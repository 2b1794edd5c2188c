"""Enrolment (报名): who holds or wants a place in a section, and the audit
trail of every change to it.

Rows are written only by ``courses.services.enrolment`` (and the lottery
service), which lock the section, recount seats from these rows and log an
``EnrolmentLogEntry`` in the same transaction."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.models import BaseLogEntry, BaseLogEntryManager


class Enrolment(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Request received")
        ENROLLED = "enrolled", _("Enrolled")
        OFFERED = "offered", _("Place offered")
        WAITLISTED = "waitlisted", _("On the waiting list")
        NOT_DRAWN = "not_drawn", _("Not drawn")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        SELF = "self", _("By the student")
        PROXY = "proxy", _("By a family member")
        STAFF = "staff", _("By staff")
        RENEWAL = "renewal", _("Renewal")

    class Fee(models.TextChoices):
        UNPAID = "unpaid", _("Not paid")
        PAID = "paid", _("Paid")
        WAIVED = "waived", _("Waived")

    # Enrolments reference no content: the admin viewset must not make
    # Wagtail index their keys on every save of the enrolment rush.
    wagtail_reference_index_ignore = True

    # A person holds at most one live row per section (database constraint).
    LIVE = (Status.APPLIED, Status.ENROLLED, Status.OFFERED, Status.WAITLISTED)
    # Rows that take a seat: counted against the capacity.
    SEATED = (Status.ENROLLED, Status.OFFERED)

    # No index of their own: the (person, status) and (section, status)
    # indexes below start with them (a lottery changes 100,000 rows at once).
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments",
        verbose_name=_("student"), db_index=False,
    )
    section = models.ForeignKey(
        "courses.Section", on_delete=models.PROTECT, related_name="enrolments",
        verbose_name=_("class"), db_index=False,
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.SELF
    )
    acted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("submitted by"),
        help_text=_("Who made the request: the student, a family member or staff."),
    )
    is_new_student = models.BooleanField(
        _("new student"), default=True,
        help_text=_("Had no class at this school before this term (for reserved places)."),
    )
    # Lottery requests: the person's order of preference and a public ticket.
    preference = models.PositiveSmallIntegerField(_("choice"), default=1)
    ticket = models.CharField(_("ticket"), max_length=12, blank=True)
    # Waiting-list order: queued_at, then queue_rank (draw order), then pk.
    queued_at = models.DateTimeField(_("joined the waiting list"), null=True, blank=True)
    queue_rank = models.PositiveIntegerField(_("draw order"), null=True, blank=True)
    offer_expires_at = models.DateTimeField(_("offer expires"), null=True, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    fee_status = models.CharField(
        _("fee"), max_length=8, choices=Fee.choices, default=Fee.UNPAID
    )
    fee_note = models.CharField(_("fee note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "section"],
                condition=Q(status__in=["applied", "enrolled", "offered", "waitlisted"]),
                name="enrolment_one_live_per_person_section",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offer_expires_at__isnull=False),
                name="enrolment_offer_has_deadline",
            ),
            models.CheckConstraint(
                condition=Q(preference__gte=1), name="enrolment_preference_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["section", "status"]),
            models.Index(fields=["person", "status"]),
            # The expiry sweep's rows only: a row enters it when offered.
            models.Index(fields=["offer_expires_at"], condition=Q(status="offered"),
                         name="enrolment_offer_expiry"),
        ]

    def __str__(self):
        return f"{self.person} · {self.section} · {self.get_status_display()}"


class EnrolmentLogEntryManager(BaseLogEntryManager):
    def log_action(self, instance, action, **kwargs):
        kwargs.update(object_id=str(instance.pk), enrolment=instance,
                      person_id=instance.person_id, section_id=instance.section_id)
        return super().log_action(instance, action, **kwargs)

    def for_instance(self, instance):
        return self.filter(enrolment=instance)


class EnrolmentLogEntry(BaseLogEntry):
    """One change of an enrolment (Wagtail's audit log, with the person and
    section as real keys): ``user`` acted, for ``person``, ``action`` (e.g.
    ``courses.enrolment.enrol``), ``data`` holds the before/after status and
    the reason. Written in the same transaction as the change."""

    # A lottery writes 100,000 of these rows at once, so the table keeps only
    # the indexes something reads (see Meta) and checks no key at commit:
    # Wagtail's fields are redeclared without their unused indexes (action's
    # LIKE index, content_changed, revision) and the content type's
    # constraint (always Enrolment's; Wagtail leaves user and revision
    # unconstrained too). Queries go by enrolment, person or section, never
    # by object_id (kept for Wagtail's reports).
    content_type = models.ForeignKey(
        ContentType, models.SET_NULL, verbose_name=_("content type"), blank=True, null=True,
        related_name="+", db_constraint=False,
    )
    action = models.CharField(max_length=255, blank=True)
    revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, blank=True, on_delete=models.DO_NOTHING,
        db_constraint=False, related_name="+", db_index=False,
    )
    content_changed = models.BooleanField(default=False)
    object_id = models.CharField(max_length=255)
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.DO_NOTHING, db_constraint=False, related_name="log_entries"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name=_("for"), db_index=False,
    )
    section = models.ForeignKey(
        "courses.Section", on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name=_("class"), db_index=False,
    )

    objects = EnrolmentLogEntryManager()

    # Keys the enrolment services set from rows they hold under lock.
    TRUSTED_KEYS = ("content_type", "user", "enrolment", "person", "section", "revision")

    def full_clean(self, exclude=None, validate_unique=True, validate_constraints=True):
        """Wagtail cleans every log entry before saving it. Checking that
        each key's row exists would cost one query per key inside the
        enrolment's locked transaction, where the rows are known to exist
        (and are locked); the other fields are still validated."""
        exclude = {*(exclude or ()), *self.TRUSTED_KEYS}
        super().full_clean(exclude=exclude, validate_unique=validate_unique,
                           validate_constraints=validate_constraints)

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("enrolment log entry")
        verbose_name_plural = _("enrolment log entries")
        indexes = [models.Index(fields=["person", "-timestamp"]),
                   models.Index(fields=["section", "-timestamp"]),
                   # The history's moves and Wagtail's action filter: equality only.
                   models.Index(fields=["action"], name="enrolment_log_action")]


class CalendarToken(models.Model):
    """The secret in a person's private calendar-feed URL. Revoking it (a new
    token) breaks the old URL at once."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token",
        verbose_name=_("person"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now=True)

    class Meta:
        verbose_name = _("calendar link")
        verbose_name_plural = _("calendar links")

    def __str__(self):
        return str(self.person)
