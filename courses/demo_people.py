"""Demo teachers and students (used by ``courses.demo``).

Teachers come from ``demo_content.TEACHERS`` (+86139057800NN); students are
made up from common names of the region (+861390579NNNN). Everyone signs in
with the demo password of ``lms.accounts.demo``. Found by phone number, so a
second run creates nothing; existing accounts are left as they are.
"""

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from courses.demo_content import TEACHER_PHONE, TEACHERS
from lms.accounts.demo import DEMO_PASSWORD
from lms.accounts.models import Profile, User
from lms.accounts.roles import STUDENT, TEACHER

STUDENT_PHONE = "+861390579{:04d}"
STUDENT_COUNT = 300
# Where students live: half in 莲都 (校本部 and its teaching points), the
# rest spread over the eight other counties.
STUDENT_AREAS = ["lishui"] * 150 + [
    area for area in ("longquan", "qingtian", "yunhe", "qingyuan", "jinyun",
                      "suichang", "songyang", "jingning") for _ in range(19)
]
COUNTY_NAMES = {
    "lishui": "丽水市", "longquan": "龙泉市", "qingtian": "青田县", "yunhe": "云和县",
    "qingyuan": "庆元县", "jinyun": "缙云县", "suichang": "遂昌县", "songyang": "松阳县",
    "jingning": "景宁县",
}
SURNAMES = "叶吴陈王李刘周徐林张杨季潘毛蒋金朱何应邱项郑胡雷蓝钟柳留华"
FEMALE_NAMES = ["秀英", "桂英", "玉兰", "美娟", "丽华", "月娥", "金花", "爱琴", "春花", "红英",
                "素芳", "雪芬", "彩霞", "桂兰", "秀芳", "玉珍", "小燕", "丽君", "美华", "建芬",
                "巧云", "凤仙", "丽萍", "海燕", "翠英", "淑珍"]
MALE_NAMES = ["建国", "建华", "国平", "志强", "伟民", "卫东", "德明", "荣华", "樟松", "国庆",
              "建平", "志明", "永福", "跃进", "新华", "海涛", "金水", "根土", "立新", "振华",
              "光明", "文斌", "家骏", "宏伟", "土根", "春雷"]
UNITS = ["人民医院", "供销社", "第一中学", "实验小学", "粮食局", "邮电局", "农业局", "供电局",
         "林业局", "百货公司", "汽车运输公司", "农业银行", "税务局", "自来水公司", "建设局",
         "卫生院", "文化馆", "化肥厂"]


@dataclass(frozen=True)
class Person:
    phone: str
    real_name: str
    gender: str
    birth_date: datetime.date
    former_unit: str
    area: str  # campus key of a teacher, county key of a student
    departments: tuple[str, ...] = ()


def teacher_people() -> list[Person]:
    return [
        Person(TEACHER_PHONE.format(n + 1), name, gender, datetime.date.fromisoformat(born),
               unit, home, tuple(departments))
        for n, (name, gender, born, unit, departments, home) in enumerate(TEACHERS)
    ]


def student_people() -> list[Person]:
    """Three hundred students, the same ones on every run (fixed seed)."""
    rng = random.Random(1986)  # the year the university opened
    seen: set[str] = set()
    people = []
    for n, area in enumerate(STUDENT_AREAS[:STUDENT_COUNT]):
        gender = "female" if rng.random() < 0.65 else "male"  # as in the classrooms
        while True:
            name = rng.choice(SURNAMES) + rng.choice(
                FEMALE_NAMES if gender == "female" else MALE_NAMES)
            if name not in seen:
                seen.add(name)
                break
        born = datetime.date(rng.randint(1946, 1969), rng.randint(1, 12), rng.randint(1, 28))
        unit = COUNTY_NAMES[area] + rng.choice(UNITS)
        people.append(Person(STUDENT_PHONE.format(n), name, gender, born, unit, area))
    return people


def people_ensure(*, people: list[Person], role: str, username_prefix: str) -> dict[str, User]:
    """Users (with profile, verified phone and role group) for ``people``,
    created in bulk where missing. Returns every one of them by phone."""
    phones = [p.phone for p in people]
    users = {u.phone: u for u in User.objects.filter(phone__in=phones)}
    missing = [p for p in people if p.phone not in users]
    if missing:
        # One hash for all: hashing hundreds of passwords one by one would
        # take minutes, and these are demo accounts with a published password.
        password = make_password(DEMO_PASSWORD)
        User.objects.bulk_create([
            User(username=f"{username_prefix}{p.phone[-4:]}", phone=p.phone,
                 phone_verified=True, password=password)
            for p in missing
        ])
        users = {u.phone: u for u in User.objects.filter(phone__in=phones)}
    with_profile = set(
        Profile.objects.filter(user__phone__in=phones).values_list("user__phone", flat=True)
    )
    Profile.objects.bulk_create([
        Profile(user=users[p.phone], real_name=p.real_name, gender=p.gender,
                birth_date=p.birth_date, former_unit=p.former_unit,
                retiree_type=Profile.RetireeType.RETIRED if p.birth_date.year < 1966
                else Profile.RetireeType.OTHER)
        for p in people if p.phone not in with_profile
    ])
    group = Group.objects.get(name=role)
    membership = User.groups.through
    membership.objects.bulk_create(
        [membership(user_id=users[p.phone].pk, group_id=group.pk) for p in people],
        ignore_conflicts=True,
    )
    return users


def teachers_ensure() -> dict[str, User]:
    return people_ensure(people=teacher_people(), role=TEACHER, username_prefix="demo-teacher-")


def students_ensure() -> dict[str, User]:
    return people_ensure(people=student_people(), role=STUDENT, username_prefix="demo-student-")
