"""Course search (/search/?q=) within the school of the request's site.

Chinese is matched word by word: the query is segmented with jieba like the
``search_words`` CoursePage indexes (courses.search_text), so 书法 finds
书法入门班 and sf (pinyin initials) finds it too. Results are ordered here,
not by the backend's relevance score, which differs between SQLite (bm25)
and PostgreSQL (ts_rank): the same query gives the same list on both.
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe
from wagtail.models import Site

from courses.models import CampusPage, CourseIndexPage, CoursePage
from courses.search_text import search_query
from courses.selectors import availability_of

MAX_QUERY_LENGTH = 100
MAX_WORDS = 10
MAX_RESULTS = 50
# Letters and digits only: both backends split on anything else, and FTS5
# would read quotes and operators as syntax.
_TOKEN = re.compile(r"[^\W_]+")
SUGGESTIONS = ("书法", "太极拳", "智能手机")


@dataclass
class CourseHit:
    course: CoursePage
    # Public sections, each with ``availability`` (and ``url`` once the view
    # has called CourseIndexPage.section_urls).
    sections: list = field(default_factory=list)


@dataclass
class SearchResults:
    query: str
    words: list[str]
    courses: list[CourseHit] = field(default_factory=list)
    campuses: list[CampusPage] = field(default_factory=list)
    matched_all_words: bool = True


def query_words(query: str) -> list[str]:
    """The words to look for: the query segmented like the index, lower-cased,
    without punctuation, at most ``MAX_WORDS``."""
    words: list[str] = []
    for chunk in search_query(query[:MAX_QUERY_LENGTH]).split():
        words.extend(_TOKEN.findall(chunk.lower()))
    return list(dict.fromkeys(words))[:MAX_WORDS]


def course_search(*, school, query: str) -> SearchResults:
    """Live courses under ``school`` (a HomePage) matching every word of
    ``query``; if none does and there are several words, those matching any
    of them (``matched_all_words`` is then False). Courses whose title holds
    all the words come first, then the catalogue's own order. Each course
    comes with its public sections in published terms (those whose page the
    catalogue serves: ``CourseIndexPage.public_sections``), each with its
    ``availability`` (seats left).
    Campuses of the school whose name, county or address holds every word
    come alongside."""
    words = query_words(query)
    results = SearchResults(query=query, words=words)
    if not words:
        return results

    courses = CoursePage.objects.live().descendant_of(school).order_by("path")
    text = " ".join(words)
    found = list(courses.search(text, operator="and", order_by_relevance=False))
    if not found and len(words) > 1:
        found = list(courses.search(text, operator="or", order_by_relevance=False))
        results.matched_all_words = False
    found.sort(key=lambda c: (not all(w in c.title.lower() for w in words), c.path))
    found = found[:MAX_RESULTS]

    by_course: dict[int, list] = {c.pk: [] for c in found}
    for section in CourseIndexPage.public_sections(school=school).filter(course__in=found):
        section.availability = availability_of(section)
        by_course[section.course_id].append(section)
    results.courses = [CourseHit(course=c, sections=by_course[c.pk]) for c in found]
    results.campuses = campus_search(school=school, words=words)
    return results


def campus_search(*, school, words: list[str]) -> list[CampusPage]:
    """Live campuses under ``school`` with every word in their name, county
    or address (a plain substring match: addresses are not in the search
    index as words, and LIKE behaves the same on SQLite and PostgreSQL)."""
    if not words:
        return []
    campuses = CampusPage.objects.live().descendant_of(school)
    for word in words:
        campuses = campuses.filter(
            Q(title__icontains=word) | Q(county__icontains=word) | Q(address__icontains=word)
        )
    return list(campuses.order_by("path")[:MAX_RESULTS])


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    site = Site.find_for_request(request)
    if query and site is not None:
        results = course_search(school=site.root_page, query=query)
        catalogue = CourseIndexPage.objects.live().child_of(site.root_page).first()
        if catalogue is not None:
            catalogue.section_urls(request, [s for hit in results.courses for s in hit.sections])
    else:
        results = SearchResults(query=query, words=[])
    return render(request, "courses/search.html", {
        "query": query,
        "results": results,
        "suggestions": SUGGESTIONS,
    })
