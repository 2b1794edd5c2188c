"""News lists: newest first, paginated; the home page shows the latest three."""

import datetime
import re

from cms.models import NewsPage


def _add_news(index, titles_and_dates):
    for number, (title, date) in enumerate(titles_and_dates):
        index.add_child(instance=NewsPage(
            title=title, slug=f"news-{number}", date=datetime.date.fromisoformat(date),
        ))


def _card_titles(html: str) -> list[str]:
    return re.findall(r'class="card-title"><a href="[^"]+">([^<]+)</a>', html)


def test_news_index_lists_newest_first(client, news_index, hosts):
    _add_news(news_index, [
        ("春季学期结业汇演", "2026-06-28"),
        ("智能手机培训进社区", "2026-11-05"),
        ("秋季学期开学典礼", "2026-09-08"),
    ])

    response = client.get("/news/", HTTP_HOST=hosts["university"])

    assert response.status_code == 200
    assert _card_titles(response.content.decode()) == [
        "智能手机培训进社区", "秋季学期开学典礼", "春季学期结业汇演",
    ]


def test_news_index_shows_ten_items_a_page_and_the_rest_on_the_next(client, news_index, hosts):
    _add_news(news_index, [(f"第{n}条新闻", f"2026-10-{n:02d}") for n in range(1, 13)])

    first = client.get("/news/", HTTP_HOST=hosts["university"]).content.decode()
    second = client.get("/news/?page=2", HTTP_HOST=hosts["university"]).content.decode()

    assert len(_card_titles(first)) == 10
    assert _card_titles(first)[0] == "第12条新闻"
    assert 'href="?page=2"' in first
    assert _card_titles(second) == ["第2条新闻", "第1条新闻"]


def test_news_index_without_news_says_so(client, news_index, hosts):
    html = client.get("/news/", HTTP_HOST=hosts["university"]).content.decode()

    assert 'class="empty-state"' in html


def test_home_page_shows_the_three_latest_news_items(client, news_index, hosts):
    _add_news(news_index, [
        ("一月新闻", "2026-01-10"), ("三月新闻", "2026-03-10"),
        ("五月新闻", "2026-05-10"), ("七月新闻", "2026-07-10"),
    ])

    html = client.get("/", HTTP_HOST=hosts["university"]).content.decode()

    assert _card_titles(html) == ["七月新闻", "五月新闻", "三月新闻"]
    assert "一月新闻" not in html


def test_a_news_item_shows_its_date_and_a_way_back_to_the_list(client, news_index, hosts):
    _add_news(news_index, [("书画班作品展开幕", "2026-10-20")])

    html = client.get("/news/news-0/", HTTP_HOST=hosts["university"]).content.decode()

    assert "<h1>书画班作品展开幕</h1>" in html
    assert 'datetime="2026-10-20"' in html
    assert 'href="/news/"' in html
