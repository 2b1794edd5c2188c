"""Lotteries (摇号): a seeded, recorded, reproducible draw of the requests
collected for a term's lottery classes. Written only by
``courses.services.lottery``."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LotteryDraw(models.Model):
    """One draw for the lottery classes of a term. The seed's SHA-256
    (``seed_digest``) is published when the draw is announced; the seed
    itself only after the draw, so anyone can recompute the order."""

    class Status(models.TextChoices):
        ANNOUNCED = "announced", _("Announced")
        DRAWN = "drawn", pgettext_lazy("lottery draw", "Drawn")  # zh: 已摇号, not a ticket's 抽中
        PUBLISHED = "published", _("Published")

    term = models.ForeignKey(
        "courses.Term", on_delete=models.PROTECT, related_name="lottery_draws",
        verbose_name=_("term"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ANNOUNCED
    )
    seed = models.CharField(_("seed"), max_length=64)
    seed_digest = models.CharField(_("seed digest (SHA-256)"), max_length=64)
    inputs_digest = models.CharField(_("inputs digest (SHA-256)"), max_length=64, blank=True)
    algorithm = models.CharField(_("algorithm"), max_length=40)
    round_robin = models.BooleanField(
        _("first choices first"), default=False,
        help_text=_("Everyone's first choice is drawn before anyone's second."),
    )
    announced_at = models.DateTimeField(_("announced"), auto_now_add=True)
    drawn_at = models.DateTimeField(_("drawn"), null=True, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("drawn by"),
    )
    entries_count = models.PositiveIntegerField(_("requests"), default=0)

    class Meta:
        ordering = ["-announced_at"]
        verbose_name = _("lottery")
        verbose_name_plural = _("lotteries")

    def __str__(self):
        return f"{self.term} · {self.get_status_display()}"


class LotteryEntry(models.Model):
    """One request in a draw and what the draw gave it, kept so the result
    can be shown and checked after the enrolment rows move on."""

    class Outcome(models.TextChoices):
        RENEWED = "renewed", _("Kept their place (renewal)")
        WON = "won", _("Drawn")
        WAITLISTED = "waitlisted", _("Waiting list")
        NOT_DRAWN = "not_drawn", _("Not drawn")

    # A draw writes 100,000 entries at once. The draw's own index is the
    # (draw, section, rank) one below; the section is the enrolment's, which
    # the enrolment's key already holds in place (PROTECT), so the database
    # checks no second key for it at commit (Django still protects it).
    draw = models.ForeignKey(LotteryDraw, on_delete=models.CASCADE, related_name="entries",
                             db_index=False)
    enrolment = models.ForeignKey(
        "courses.Enrolment", on_delete=models.PROTECT, related_name="lottery_entries"
    )
    section = models.ForeignKey(
        "courses.Section", on_delete=models.PROTECT, related_name="lottery_entries",
        db_constraint=False,
    )
    ticket = models.CharField(_("ticket"), max_length=12)
    preference = models.PositiveSmallIntegerField(_("choice"), default=1)
    score = models.CharField(_("score"), max_length=64)
    rank = models.PositiveIntegerField(_("place in the draw"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)

    class Meta:
        ordering = ["section", "rank"]
        verbose_name = _("lottery entry")
        verbose_name_plural = _("lottery entries")
        constraints = [
            models.UniqueConstraint(fields=["draw", "enrolment"], name="lottery_entry_once"),
        ]
        indexes = [models.Index(fields=["draw", "section", "rank"])]

    def __str__(self):
        return f"{self.ticket} · {self.rank}"
