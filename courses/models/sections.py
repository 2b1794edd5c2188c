"""Sections (班级), their weekly slots and their dated class sessions (课次)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel

from .terms import WEEKDAYS


class Section(ClusterableModel):
    """One class: a course taught in a term at a campus by its teachers."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class Mode(models.TextChoices):
        FIRST_COME = "first_come", _("First come, first served")
        LOTTERY = "lottery", _("Requests, then a lottery")

    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.PROTECT, related_name="sections",
        verbose_name=_("course"),
    )
    term = models.ForeignKey(
        "courses.Term", on_delete=models.PROTECT, related_name="sections", verbose_name=_("term")
    )
    campus = models.ForeignKey(
        "courses.CampusPage", on_delete=models.PROTECT, related_name="sections",
        verbose_name=_("campus"),
    )
    name = models.CharField(_("class name"), max_length=40, help_text=_("e.g. 1班, 周二上午班"))
    teachers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="taught_sections",
        verbose_name=_("teachers"),
    )
    room = models.ForeignKey(
        "courses.Room", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="sections", verbose_name=_("room"),
    )
    capacity = models.PositiveIntegerField(_("places"))
    fee = models.DecimalField(_("fee (yuan)"), max_digits=8, decimal_places=2, default=0)
    age_min = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    age_max = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    enrolment_mode = models.CharField(
        _("how places are given"), max_length=12, choices=Mode.choices,
        default=Mode.FIRST_COME,
    )
    reserved_for_new = models.PositiveSmallIntegerField(
        _("places kept for new students"), default=0,
        help_text=_("Places that renewing students cannot take."),
    )
    notes = models.TextField(_("notes for students"), blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies",
        verbose_name=_("continues"), help_text=_("The same class in an earlier term."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    panels = [
        MultiFieldPanel(
            [FieldPanel("course"), FieldPanel("term"), FieldPanel("campus"), FieldPanel("name")],
            heading=_("Class"),
        ),
        FieldPanel("teachers"),
        FieldPanel("room"),
        InlinePanel("slots", heading=_("Weekly timetable"), label=_("Time"), min_num=1),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("capacity"), FieldPanel("fee")]),
                FieldRowPanel([FieldPanel("age_min"), FieldPanel("age_max")]),
                FieldRowPanel([FieldPanel("enrolment_mode"), FieldPanel("reserved_for_new")]),
                FieldPanel("status"),
            ],
            heading=_("Places and rules"),
        ),
        FieldPanel("notes"),
    ]

    class Meta:
        ordering = ["term", "course__title", "name"]
        verbose_name = _("class")
        verbose_name_plural = _("classes")
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="section_capacity_positive"),
            models.CheckConstraint(
                condition=Q(reserved_for_new__lte=F("capacity")), name="section_reserved_within"
            ),
            models.CheckConstraint(
                condition=Q(age_min__isnull=True) | Q(age_max__isnull=True)
                | Q(age_max__gte=F("age_min")),
                name="section_age_range",
            ),
        ]
        indexes = [models.Index(fields=["term", "status"]), models.Index(fields=["campus", "term"])]

    def __str__(self):
        return f"{self.course.title} {self.name}"

    def clean(self):
        errors = {}
        if self.room_id and self.campus_id and self.room.campus_id != self.campus_id:
            errors["room"] = _("This room belongs to another campus.")
        if self.age_min and self.age_max and self.age_max < self.age_min:
            errors["age_max"] = _("The maximum age must not be below the minimum age.")
        if self.capacity is not None and self.reserved_for_new > self.capacity:
            errors["reserved_for_new"] = _("More places are kept for new students than the class has.")
        if errors:
            raise ValidationError(errors)


class SectionSlot(models.Model):
    """A weekly meeting time of a section: weekday, start and end."""

    section = ParentalKey(Section, on_delete=models.CASCADE, related_name="slots")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    start_time = models.TimeField(_("starts"))
    end_time = models.TimeField(_("ends"))

    panels = [FieldRowPanel([FieldPanel("weekday"), FieldPanel("start_time"),
                             FieldPanel("end_time")])]

    class Meta:
        ordering = ["weekday", "start_time"]
        verbose_name = _("weekly time")
        verbose_name_plural = _("weekly times")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="slot_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self):
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError({"end_time": _("A class must end after it starts.")})

    @property
    def part_of_day(self) -> str:
        return part_of_day(self.start_time)


def part_of_day(start: datetime.time) -> str:
    """morning before 12:00, afternoon before 18:00, evening after."""
    if start < datetime.time(12):
        return "morning"
    if start < datetime.time(18):
        return "afternoon"
    return "evening"


class ClassSession(models.Model):
    """One dated meeting of a section (课次). Generated from the weekly slots;
    it can be cancelled or moved, and keeps its identity (and calendar UID)
    when it is."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("class")
    )
    slot = models.ForeignKey(
        SectionSlot, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions",
        verbose_name=_("generated from"),
    )
    origin_date = models.DateField(
        _("timetabled date"), help_text=_("The date the weekly timetable gave it.")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    room = models.ForeignKey(
        "courses.Room", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="sessions", verbose_name=_("room"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    moved = models.BooleanField(_("moved"), default=False)
    change_note = models.CharField(_("reason for the change"), max_length=200, blank=True)
    sequence = models.PositiveIntegerField(
        _("revision"), default=0, help_text=_("Goes up with every change (for calendars).")
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("class session")
        verbose_name_plural = _("class sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["section", "slot", "origin_date"], name="session_unique_per_slot_day"
            ),
        ]
        indexes = [models.Index(fields=["section", "starts_at"]),
                   models.Index(fields=["room", "starts_at"])]

    def __str__(self):
        local = timezone.localtime(self.starts_at)
        return f"{self.section} {local:%Y-%m-%d %H:%M}"

    @property
    def is_past(self) -> bool:
        return self.starts_at <= timezone.now()
