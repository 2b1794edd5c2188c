from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BranchesSchoolConfig(AppConfig):
    name = "branches_school"
    verbose_name = _("Party school and branches")
