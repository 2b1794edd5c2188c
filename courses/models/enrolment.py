"""Enrolment (报名): who holds or wants a place in a section.

The enrolment issue adds windows, waitlists and lotteries; this model is the
source the catalogue counts seats from."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", _("Request received")
        ENROLLED = "enrolled", _("Enrolled")
        WAITLISTED = "waitlisted", _("On the waiting list")
        NOT_DRAWN = "not_drawn", _("Not drawn")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Source(models.TextChoices):
        SELF = "self", _("By the student")
        PROXY = "proxy", _("By a family member")
        STAFF = "staff", _("By staff")
        RENEWAL = "renewal", _("Renewal")

    LIVE = (Status.APPLIED, Status.ENROLLED, Status.WAITLISTED)

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments",
        verbose_name=_("student"),
    )
    section = models.ForeignKey(
        "courses.Section", on_delete=models.PROTECT, related_name="enrolments",
        verbose_name=_("class"),
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.SELF
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "section"],
                condition=Q(status__in=["applied", "enrolled", "waitlisted"]),
                name="enrolment_one_live_per_person_section",
            ),
        ]
        indexes = [models.Index(fields=["section", "status"])]

    def __str__(self):
        return f"{self.person} · {self.section} · {self.get_status_display()}"
