"""Copy a term's classes into a new term (the usual start of a term's work:
the same classes, teachers and timetables, then edited)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from courses.models import Section, SectionSlot, Term
from courses.services.sessions import sessions_generate

COPIED_FIELDS = ("course", "campus", "room", "capacity", "fee", "age_min", "age_max",
                 "name", "notes")


def term_previous(*, term: Term) -> Term | None:
    """The term of the same school that started last before ``term``."""
    return (
        Term.objects.filter(school_id=term.school_id, start_date__lt=term.start_date)
        .order_by("-start_date")
        .first()
    )


def sections_to_copy(*, source_term: Term, target_term: Term) -> QuerySet:
    """The sections of ``source_term`` a copy would bring over: not
    cancelled, and not copied into ``target_term`` already."""
    already = Section.objects.filter(term=target_term, copied_from__isnull=False)
    return (
        Section.objects.filter(term=source_term)
        .exclude(status=Section.Status.CANCELLED)
        .exclude(pk__in=already.values("copied_from"))
        .order_by("pk")
    )


def sections_copy_to_term(*, source_term: Term, target_term: Term, actor=None) -> list[Section]:
    """Copy every section of ``source_term`` that is not cancelled into
    ``target_term``: course, campus, room, name, teachers, weekly slots,
    places, fee, ages and notes, as a draft with ``copied_from`` pointing at
    its source. Sections copied before are skipped, so a second call copies
    nothing. Then generates each copy's sessions.

    One transaction: either every copy (and its sessions) is saved or none.
    Raises ``ValidationError`` if the terms are the same or belong to
    different schools. Each copy gets a "created" log entry by ``actor``.
    Returns the new sections.
    """
    if source_term.pk == target_term.pk:
        raise ValidationError(_("A term cannot be copied into itself."))
    if source_term.school_id != target_term.school_id:
        raise ValidationError(_("Classes can only be copied between terms of the same school."))

    created: list[Section] = []
    with transaction.atomic():
        # Lock the target term so that two clicks cannot copy twice.
        Term.objects.select_for_update().filter(pk=target_term.pk).first()
        sources = sections_to_copy(source_term=source_term, target_term=target_term)
        for source in sources.prefetch_related("slots", "teachers"):
            copy = Section(
                term=target_term, status=Section.Status.DRAFT, copied_from=source,
                **{field: getattr(source, field) for field in COPIED_FIELDS},
            )
            copy.full_clean()
            copy.save()
            copy.teachers.set(source.teachers.all())
            SectionSlot.objects.bulk_create(
                SectionSlot(section=copy, weekday=slot.weekday, start_time=slot.start_time,
                            end_time=slot.end_time)
                for slot in source.slots.all()
            )
            sessions_generate(section=copy)
            log(instance=copy, action="wagtail.create", user=actor)
            created.append(copy)
    return created
