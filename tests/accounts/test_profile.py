"""My details: saved through the service, forgiving input, clear refusals."""

import datetime

import pytest
from django.utils import timezone

from lms.accounts.models import Profile
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/profile/"


@pytest.fixture
def person(client):
    profile = ProfileFactory(
        real_name="王秀英",
        user__phone="+8613800138000",
        user__email="wang@example.cn",
        birth_date=datetime.date(1956, 8, 21),
    )
    client.force_login(profile.user)
    return profile


def details(**changes):
    data = {
        "real_name": "王秀英",
        "gender": "female",
        "birth_date": "1956-08-21",
        "former_unit": "丽水市第二人民医院",
        "retiree_type": "tuixiu",
        "emergency_contact": "李建国",
        "emergency_phone": "",
    }
    data.update(changes)
    return data


def test_the_page_shows_my_number_and_e_mail_with_links_to_change_them(client, person):
    page = client.get(URL).content.decode()
    assert "138 0013 8000" in page
    assert "wang@example.cn" in page
    assert 'href="/accounts/phone/change/"' in page
    assert 'href="/accounts/email/"' in page
    assert 'type="date"' not in page
    assert 'value="1956-08-21"' in page
    assert client.get("/accounts/phone/change/").status_code == 200
    assert client.get("/accounts/email/").status_code == 200


def test_saving_my_details(client, person):
    response = client.post(URL, details(emergency_phone="１３９ ０５７８ ０００１"), follow=True)
    assert "您的资料已保存。" in response.content.decode()
    person.refresh_from_db()
    assert person.former_unit == "丽水市第二人民医院"
    assert person.retiree_type == "tuixiu"
    assert person.emergency_phone == "+8613905780001"


@pytest.mark.parametrize(
    "typed", ["1956-08-21", "1956/8/21", "1956.8.21", "1956年8月21日", "１９５６年８月２１日", " 1956 / 08 / 21 "]
)
def test_a_birth_date_typed_the_usual_ways_is_understood(client, person, typed):
    person.birth_date = None
    person.save()
    response = client.post(URL, details(birth_date=typed))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.birth_date == datetime.date(1956, 8, 21)


def test_a_future_birth_date_is_refused_and_nothing_is_saved(client, person):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        URL, details(birth_date=tomorrow.isoformat(), former_unit="不应保存")
    )
    assert response.status_code == 200
    assert "出生日期不能晚于今天，请检查年份。" in response.content.decode()
    person.refresh_from_db()
    assert person.birth_date == datetime.date(1956, 8, 21)
    assert person.former_unit == ""


def test_an_implausible_age_is_refused(client, person):
    year = timezone.localdate().year - 10
    response = client.post(URL, details(birth_date=f"{year}-01-01"))
    assert response.status_code == 200
    assert "请检查年份：年龄应在 40 到 120 岁之间。" in response.content.decode()
    person.refresh_from_db()
    assert person.birth_date == datetime.date(1956, 8, 21)


def test_a_date_that_cannot_be_read_is_explained(client, person):
    response = client.post(URL, details(birth_date="1956年2月30日"))
    assert response.status_code == 200
    assert "请按这样的格式填写日期：1956-08-21 或 1956年8月21日。" in response.content.decode()


def test_a_bad_emergency_number_is_explained_and_nothing_is_saved(client, person):
    response = client.post(URL, details(emergency_phone="139 0578", former_unit="不应保存"))
    assert response.status_code == 200
    assert "手机号是 11 位数字，您输入了 7 位。" in response.content.decode()
    person.refresh_from_db()
    assert person.former_unit == ""
    assert person.emergency_phone == ""


def test_the_view_saves_through_the_service(client, person, monkeypatch):
    from lms.accounts import views

    calls = []
    real = views.profile_update

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(views, "profile_update", spy)
    client.post(URL, details(former_unit="丽水学院"))
    assert calls and calls[0]["user"] == person.user
    assert Profile.objects.get(pk=person.pk).former_unit == "丽水学院"


def test_a_person_without_a_profile_gets_one_on_first_visit(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(URL).status_code == 200
    assert Profile.objects.filter(user=user).exists()
