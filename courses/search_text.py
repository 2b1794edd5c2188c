"""Chinese text for Wagtail search.

Wagtail's database backends split text on spaces and punctuation, and
Chinese has neither between words. We index the words jieba finds (in
search mode, so 书法入门班 gives 书法 / 入门 / 书法入门班), plus each word's
pinyin initials (sf for 书法), and segment queries the same way. Both
SQLite and PostgreSQL then see the same space-separated tokens, so they give
the same results.
"""

import logging
import re

import jieba
from django.utils.html import strip_tags
from pypinyin import Style, lazy_pinyin

jieba.setLogLevel(logging.WARNING)

_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    return [w for w in jieba.cut_for_search(text) if _WORD.fullmatch(w)]


def _initials(word: str) -> str:
    return "".join(p[0] for p in lazy_pinyin(word, style=Style.FIRST_LETTER) if p)


def search_tokens(*texts: str) -> str:
    """The words of ``texts`` (HTML allowed), space-separated, with pinyin
    initials of every Chinese word of two or more characters."""
    words: list[str] = []
    for text in texts:
        words.extend(_words(strip_tags(text or "")))
    initials = [_initials(w) for w in words if len(w) >= 2 and _CJK.search(w)]
    return " ".join(dict.fromkeys(words + initials))


def search_query(query: str) -> str:
    """A user's query segmented like the index (书法入门 → 书法 入门)."""
    query = " ".join((query or "").split())
    if not query:
        return ""
    words = [w for w in jieba.cut(query) if _WORD.fullmatch(w)]
    return " ".join(words) or query
