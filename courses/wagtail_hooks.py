"""The teaching side in the Wagtail admin: one "Teaching" menu group (classes,
class sessions, terms, departments) and a class chooser. See courses/admin/."""

from django.urls import reverse_lazy
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from courses.admin.permissions import (
    EnrolmentScopedPolicy,
    SchoolAdminPolicy,
    SectionScopedPolicy,
)
from courses.models import ClassSession, Enrolment, LotteryDraw, Section

# Registered before any view asks for a policy (Wagtail would otherwise
# create a plain, unscoped fallback policy for these models).
register_permission_policy(Section, SectionScopedPolicy(Section))
register_permission_policy(ClassSession, SectionScopedPolicy(ClassSession, section_field="section"))
register_permission_policy(Enrolment, EnrolmentScopedPolicy(Enrolment))
register_permission_policy(LotteryDraw, SchoolAdminPolicy(LotteryDraw))


@hooks.register("register_admin_viewset")
def register_teaching_viewsets():
    from courses.admin.viewsets import TeachingViewSetGroup

    return TeachingViewSetGroup()


@hooks.register("register_admin_viewset")
def register_section_chooser():
    from courses.admin.viewsets import SectionChooserViewSet

    return SectionChooserViewSet("courses_section_chooser")


@hooks.register("register_log_actions")
def register_enrolment_log_actions(actions):
    from courses.audit import register_enrolment_log_actions as register

    register(actions)


@hooks.register("register_admin_viewset")
def register_attendance_report():
    from courses.admin.attendance_reports import AttendanceReportViewSet

    return AttendanceReportViewSet()


@hooks.register("register_reports_menu_item")
def register_attendance_report_menu_item():
    from courses.admin.attendance_reports import TITLE, AttendanceReportMenuItem

    return AttendanceReportMenuItem(TITLE,
                                    reverse_lazy("courses_attendance_report:index"),
                                    icon_name="tasks", order=50)


@hooks.register("construct_homepage_panels")
def add_weekly_attendance_panel(request, panels):
    from courses.admin.attendance_chart import homepage_panels

    homepage_panels(request, panels)
