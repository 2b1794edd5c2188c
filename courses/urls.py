"""Public URLs of the teaching side that are not Wagtail pages."""

from django.urls import path

from courses.views import attendance, checkin, enrolment, feeds, my, search
from courses.views.lottery import lottery_result_page

app_name = "courses"

urlpatterns: list = [
    path("search/", search.search, name="search"),
    path("calendars/sections/<int:pk>.ics", feeds.section_ics, name="section_ics"),
    path("calendars/campuses/<int:page_id>.ics", feeds.campus_ics, name="campus_ics"),
    path("calendars/me/<slug:token>.ics", feeds.personal_ics, name="personal_ics"),
    path("enrol/<int:section_pk>/", enrolment.enrol, name="enrol"),
    path("enrol/result/<int:enrolment_pk>/", enrolment.enrolment_result,
         name="enrolment_result"),
    path("enrol/<int:enrolment_pk>/withdraw/", enrolment.withdraw, name="enrolment_withdraw"),
    path("enrol/<int:enrolment_pk>/accept/", enrolment.accept, name="offer_accept"),
    path("my/classes/", my.my_classes, name="my_classes"),
    path("my/calendar/renew/", my.calendar_renew, name="calendar_renew"),
    path("lottery/sections/<int:section_pk>/", lottery_result_page, name="lottery_result"),
    # Attendance: roll call for teachers and campus admins, leave for students.
    path("teach/roll-call/", attendance.roll_call_today, name="roll_call_today"),
    path("teach/roll-call/<int:session_pk>/", attendance.roll_call, name="roll_call"),
    path("teach/roll-call/<int:session_pk>/mark/", attendance.roll_call_mark,
         name="roll_call_mark"),
    path("teach/roll-call/<int:session_pk>/register/", attendance.register_print,
         name="register_print"),
    path("teach/roll-call/<int:session_pk>/register/enter/", attendance.register_enter,
         name="register_enter"),
    path("teach/leave/<int:pk>/decide/", attendance.leave_decide, name="leave_decide"),
    path("my/leave/", attendance.my_leave, name="my_leave"),
    path("my/leave/ask/<int:session_pk>/<int:person_pk>/", attendance.leave_ask,
         name="leave_ask"),
    path("my/leave/<int:pk>/withdraw/", attendance.leave_withdraw, name="leave_withdraw"),
    # QR check-in: the classroom's code (roll-call staff) and the student's page.
    path("teach/sessions/<int:session_pk>/qr/", checkin.qr_page, name="checkin_qr"),
    path("teach/sessions/<int:session_pk>/qr/code/", checkin.qr_code, name="checkin_qr_code"),
    path("checkin/<str:token>/", checkin.checkin, name="checkin"),
]
