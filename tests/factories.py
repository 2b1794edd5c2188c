import factory
from django.contrib.auth.models import Group

from lms.accounts.models import Profile, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.cn")
    phone = factory.Sequence(lambda n: f"+86138{n:08d}")
    password = factory.django.Password("Laonian-2026")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for name in extracted:
                self.groups.add(Group.objects.get(name=name))


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile

    user = factory.SubFactory(UserFactory)
    real_name = factory.Iterator(["王秀英", "李建国", "张桂兰", "刘志强", "陈美华"])
