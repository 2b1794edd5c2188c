"""Terms (学期): dates, holidays and make-up working days, enrolment windows."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class Term(ClusterableModel):
    """A school's term. Classes meet on its weekdays between ``start_date``
    and ``end_date``, except on holidays; make-up days follow the timetable
    of the weekday they stand for."""

    school = models.ForeignKey(
        "cms.HomePage", on_delete=models.PROTECT, related_name="terms", verbose_name=_("school")
    )
    name = models.CharField(_("name"), max_length=60, help_text=_("e.g. 2026年秋季学期"))
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))
    renewal_opens_at = models.DateTimeField(_("renewal opens"), null=True, blank=True)
    renewal_closes_at = models.DateTimeField(_("renewal closes"), null=True, blank=True)
    enrolment_opens_at = models.DateTimeField(_("enrolment opens"), null=True, blank=True)
    enrolment_closes_at = models.DateTimeField(_("enrolment closes"), null=True, blank=True)
    per_person_limit = models.PositiveSmallIntegerField(
        _("classes per person"), default=3,
        help_text=_("How many classes one person may hold this term."),
    )
    offer_hours = models.PositiveSmallIntegerField(
        _("hours to accept a freed place"), default=0,
        help_text=_("0: the next person on the waiting list is enrolled at once. "
                    "Otherwise they are offered the place and must accept it in time."),
    )
    absence_limit = models.PositiveSmallIntegerField(
        _("absences that give up the place"), null=True, blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("After this many absences without approved leave from one class, the "
                    "place goes to the waiting list. Empty: never."),
    )
    is_published = models.BooleanField(
        _("published"), default=False, help_text=_("Shown in the public catalogue.")
    )

    panels = [
        FieldPanel("school"),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("renewal_opens_at"), FieldPanel("renewal_closes_at")]),
                FieldRowPanel(
                    [FieldPanel("enrolment_opens_at"), FieldPanel("enrolment_closes_at")]
                ),
                FieldRowPanel([FieldPanel("per_person_limit"), FieldPanel("offer_hours")]),
                FieldPanel("absence_limit"),
            ],
            heading=_("Enrolment"),
        ),
        FieldPanel("is_published"),
        InlinePanel("days", heading=_("Holidays and make-up days"), label=_("Day")),
    ]

    class Meta:
        ordering = ["-start_date"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="term_ends_after_start"
            ),
            models.UniqueConstraint(fields=["school", "name"], name="term_unique_name"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The last day must not be before the first day.")
        pairs = [
            ("renewal_opens_at", "renewal_closes_at"),
            ("enrolment_opens_at", "enrolment_closes_at"),
        ]
        for opens, closes in pairs:
            start, end = getattr(self, opens), getattr(self, closes)
            if start and end and end <= start:
                errors[closes] = _("A window must close after it opens.")
        if errors:
            raise ValidationError(errors)


class TermDay(models.Model):
    """A day the ordinary weekly timetable does not hold: a holiday (no
    classes) or a make-up working day (调休上班: classes of another weekday)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday (no classes)")
        MAKEUP = "makeup", _("Make-up working day")

    term = ParentalKey(Term, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(_("name"), max_length=60, blank=True, help_text=_("e.g. 国庆节"))
    follows_weekday = models.PositiveSmallIntegerField(
        _("timetable of"), choices=WEEKDAYS, null=True, blank=True,
        help_text=_("For a make-up day: whose weekday's classes are held."),
    )

    panels = [FieldPanel("date"), FieldPanel("kind"), FieldPanel("name"),
              FieldPanel("follows_weekday")]

    class Meta:
        ordering = ["date"]
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        constraints = [
            models.UniqueConstraint(fields=["term", "date"], name="termday_unique_date"),
            models.CheckConstraint(
                condition=Q(kind="holiday", follows_weekday__isnull=True)
                | Q(kind="makeup", follows_weekday__isnull=False),
                name="termday_makeup_has_weekday",
            ),
        ]

    def __str__(self):
        return f"{self.date} {self.name or self.get_kind_display()}"

    def clean(self):
        if self.kind == self.Kind.MAKEUP and self.follows_weekday is None:
            raise ValidationError(
                {"follows_weekday": _("Say whose weekday's classes a make-up day holds.")}
            )
        if self.kind == self.Kind.HOLIDAY:
            self.follows_weekday = None
