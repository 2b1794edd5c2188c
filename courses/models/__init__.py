"""Models of the teaching side. Import from ``courses.models``."""

from .attendance import Attendance, AttendanceLogEntry, LeaveRequest
from .campuses import CampusIndexPage, CampusPage, Room
from .catalog import CourseIndexPage, CoursePage, Department
from .enrolment import CalendarToken, Enrolment, EnrolmentLogEntry
from .lottery import LotteryDraw, LotteryEntry
from .sections import ClassSession, Section, SectionSlot, part_of_day
from .terms import WEEKDAYS, Term, TermDay

__all__ = [
    "WEEKDAYS",
    "Attendance",
    "AttendanceLogEntry",
    "CalendarToken",
    "CampusIndexPage",
    "CampusPage",
    "ClassSession",
    "CourseIndexPage",
    "CoursePage",
    "Department",
    "Enrolment",
    "EnrolmentLogEntry",
    "LeaveRequest",
    "LotteryDraw",
    "LotteryEntry",
    "Room",
    "Section",
    "SectionSlot",
    "Term",
    "TermDay",
    "part_of_day",
]
