"""The public result page of a lottery class (/lottery/sections/<pk>/):
before the draw, the announced seed digest and the draw date; after the
draw is published, the seed, the digests and every ticket's score, rank and
outcome, so that anyone can check their own outcome and recompute the draw
(docs/lottery.md). No names or phone numbers are shown."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from courses.lottery_selectors import lottery_result
from courses.models import Section
from courses.selectors import PUBLIC_STATUSES


@require_safe
def lottery_result_page(request: HttpRequest, section_pk: int) -> HttpResponse:
    section = (
        Section.objects.select_related("course", "campus", "term")
        .filter(pk=section_pk, enrolment_mode=Section.Mode.LOTTERY,
                status__in=PUBLIC_STATUSES, term__is_published=True)
        .first()
    )
    if section is None:
        raise Http404("No lottery class here.")
    result = lottery_result(section=section, ticket=request.GET.get("ticket"))
    return render(request, "courses/lottery_result.html",
                  {"section": section, "result": result})
