"""Each school answers on its own host with its own home page."""

from cms.models import NewsIndexPage, NewsPage


def test_party_school_host_shows_the_party_school_home_page(client, schools, hosts):
    response = client.get("/", HTTP_HOST=hosts["party_school"])

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>丽水市老干部党校</h1>" in html
    assert "丽水市老年大学" not in html


def test_university_host_shows_the_university_home_page(client, schools, hosts):
    response = client.get("/", HTTP_HOST=hosts["university"])

    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>丽水市老年大学</h1>" in html
    assert "丽水市老干部党校" not in html


def test_each_home_page_shows_its_own_schools_help_phone(client, schools, hosts):
    university = client.get("/", HTTP_HOST=hosts["university"]).content.decode()
    party_school = client.get("/", HTTP_HOST=hosts["party_school"]).content.decode()

    assert 'href="tel:05782123456"' in university
    assert "0578-2135678" not in university
    assert 'href="tel:05782135678"' in party_school
    assert "0578-2123456" not in party_school


def test_a_school_home_page_never_lists_the_other_schools_news(client, schools, hosts):
    for key, title in (("university", "书画班作品展开幕"), ("party_school", "轮训班开班")):
        home = schools[key].root_page.specific
        index = home.add_child(instance=NewsIndexPage(title="新闻", slug="news"))
        index.add_child(instance=NewsPage(title=title, slug="item", date="2026-10-01"))

    html = client.get("/", HTTP_HOST=hosts["party_school"]).content.decode()

    assert "轮训班开班" in html
    assert "书画班作品展开幕" not in html


def test_home_page_speaks_chinese_first_and_english_on_request(client, schools, hosts, settings):
    chinese = client.get("/", HTTP_HOST=hosts["university"]).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/", HTTP_HOST=hosts["university"]).content.decode()

    assert "最新消息" in chinese
    assert "Latest news" in english
