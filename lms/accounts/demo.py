"""Demo accounts for ``manage.py seed_demo``: one login per role, plus a
superuser ``admin`` and the demo student's daughter, linked to her as a
family member who may enrol for her (``DEMO_FAMILY``).

Everyone signs in with the mobile number (or the e-mail address) and the
password ``Laonian-2026``. ``DEMO_ACCOUNTS`` is the table the README quotes.
"""

import datetime

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from .models import Profile, ProxyLink, User
from .roles import (
    BRANCH_SECRETARY,
    CAMPUS_ADMIN,
    PARTY_ADMIN,
    SCHOOL_ADMIN,
    STUDENT,
    TEACHER,
)

DEMO_PASSWORD = "Laonian-2026"

# username, mobile, real name, role, gender, birth date, former work unit, retiree type
DEMO_ACCOUNTS = [
    ("admin", "13800000000", "周建华", SCHOOL_ADMIN, "male", "1968-03-12",
     "丽水市老年大学", "other"),
    ("student", "13800000001", "王秀英", STUDENT, "female", "1956-08-21",
     "丽水市第二人民医院", "tuixiu"),
    ("teacher", "13800000002", "李文博", TEACHER, "male", "1955-11-02",
     "丽水学院美术系", "tuixiu"),
    ("campus_admin", "13800000003", "陈丽萍", CAMPUS_ADMIN, "female", "1972-05-17",
     "丽水市老年大学龙泉分校", "other"),
    ("school_admin", "13800000004", "吴志强", SCHOOL_ADMIN, "male", "1970-09-30",
     "丽水市老年大学", "other"),
    ("secretary", "13800000005", "叶国平", BRANCH_SECRETARY, "male", "1952-01-14",
     "丽水市水利局", "tuixiu"),
    ("party_admin", "13800000006", "徐海燕", PARTY_ADMIN, "female", "1975-12-08",
     "中共丽水市委老干部局", "other"),
    # The demo student's daughter, who enrols for her mother (代报名).
    ("family", "13800000007", "李晓燕", STUDENT, "female", "1983-04-16", "", "other"),
]

# (family member, student, relation): active family-member links, as if
# the student had agreed on her "My family" page.
DEMO_FAMILY = [("family", "student", "daughter")]

# Only ``admin`` may do everything, including managing Sites and users.
SUPERUSERS = {"admin"}


def demo_account_ensure(
    *, username: str, mobile: str, real_name: str, role: str, gender: str,
    birth_date: str, former_unit: str, retiree_type: str,
) -> tuple[User, bool]:
    """Create the demo user with profile, verified phone and e-mail, and role
    group if missing. An existing user is left as it is (password included),
    apart from making sure it has its role and that its demo number counts as
    verified. Returns (user, created)."""
    superuser = username in SUPERUSERS
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "phone": "+86" + mobile,
            "phone_verified": True,
            "email": f"{username}@example.cn",
            "is_staff": superuser,
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    elif user.phone and not user.phone_verified:
        # Demo logins must never stop at "type the code from the SMS".
        user.phone_verified = True
        user.save(update_fields=["phone_verified"])
    Profile.objects.get_or_create(
        user=user,
        defaults={
            "real_name": real_name,
            "gender": gender,
            "birth_date": datetime.date.fromisoformat(birth_date),
            "former_unit": former_unit,
            "retiree_type": retiree_type,
        },
    )
    user.groups.add(Group.objects.get(name=role))
    return user, created


def demo_family_ensure(*, now: datetime.datetime | None = None) -> int:
    """An ACTIVE link for each ``DEMO_FAMILY`` row whose two accounts exist
    and have never been linked (a link ended by a visitor stays ended).
    Demo data: made directly, without the texted consent code. Returns how
    many links were made."""
    now = now or timezone.now()
    users = User.objects.in_bulk([name for row in DEMO_FAMILY for name in row[:2]],
                                 field_name="username")
    made = 0
    for proxy, student, relation in DEMO_FAMILY:
        if proxy not in users or student not in users:
            continue
        if ProxyLink.objects.filter(proxy=users[proxy], student=users[student]).exists():
            continue
        ProxyLink.objects.create(proxy=users[proxy], student=users[student], relation=relation,
                                 status=ProxyLink.Status.ACTIVE, consented_at=now)
        made += 1
    return made


@transaction.atomic
def seed(stdout) -> None:
    created = 0
    for username, mobile, real_name, role, gender, birth, unit, retiree in DEMO_ACCOUNTS:
        _, was_created = demo_account_ensure(
            username=username, mobile=mobile, real_name=real_name, role=role,
            gender=gender, birth_date=birth, former_unit=unit, retiree_type=retiree,
        )
        created += was_created
    links = demo_family_ensure()
    stdout.write(
        f"accounts: {created} created, {len(DEMO_ACCOUNTS) - created} already there "
        f"(password {DEMO_PASSWORD}); {links} family-member links made"
    )
