"""QR check-in (扫码签到).

The teacher's phone or the classroom screen shows ``qr_page``: a QR code of
``/checkin/<token>/`` that changes every minute (``qr_code`` answers the
next one to the page's script; without JavaScript the page reloads itself),
with the class, its time and how many have checked in. Who may show it:
whoever may take the class's roll call; anyone else gets a 404.

A student scans it and lands on ``checkin``: logged out, they log in and
come straight back; then one big "我已到" button. A scan whose token was
fresh is remembered in their session for ``SCAN_GRACE``, so that the login
detour or a slow tap does not make the code expire under them; a
screenshot forwarded from earlier is stale when it is opened and never
remembered. Every refusal is a plain sentence on the same page."""

import datetime

import segno
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from courses.attendance_selectors import roll_call_session
from courses.models import Attendance, ClassSession, Enrolment
from courses.services.checkin import LATE_AFTER, attendance_check_in
from courses.services.checkin_tokens import (
    OPENS_BEFORE,
    OutsideWindow,
    TokenError,
    TokenExpired,
    TokenInvalid,
    checkin_open,
    checkin_token_check,
    checkin_token_make,
    checkin_token_parse,
    checkin_window,
    seconds_left,
)
from courses.services.locking import LockBusy
from courses.views.enrolment import HttpResponseSeeOther

# How long a scan with a fresh code stays good in the scanner's session:
# time to log in (a senior typing a phone number and password) and to tap.
SCAN_GRACE = datetime.timedelta(minutes=15)
_SCANS_KEY = "checkin_scans"
_JUST_KEY = "checkin_just_now"
# Pixels per QR module in the SVG's own coordinates (CSS scales the code).
QR_SCALE = 4


# --- the classroom's QR code -------------------------------------------------------

def _qr_state(request: HttpRequest, session: ClassSession, now: datetime.datetime) -> dict:
    """The code (if check-in is open now), when it changes, and the count."""
    state = {
        "checked_in": Attendance.objects.filter(
            session=session, status__in=Attendance.ATTENDED).count(),
        "seconds": seconds_left(now),
        "svg": "",
        "url": "",
    }
    if session.status == ClassSession.Status.SCHEDULED and checkin_open(
            starts_at=session.starts_at, ends_at=session.ends_at, now=now):
        token = checkin_token_make(session_id=session.pk, now=now)
        state["url"] = request.build_absolute_uri(reverse("courses:checkin", args=[token]))
        state["svg"] = segno.make(state["url"], error="m").svg_inline(
            scale=QR_SCALE, omitsize=True, dark="#000", light="#fff", svgclass="qr-svg")
    return state


@never_cache
@require_GET
def qr_page(request: HttpRequest, session_pk: int) -> HttpResponse:
    """The classroom's QR code for one session, refreshed every minute."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    session = roll_call_session(request.user, session_pk)
    now = timezone.now()
    opens, closes = checkin_window(starts_at=session.starts_at, ends_at=session.ends_at)
    state = _qr_state(request, session, now)
    early = now < opens
    return render(request, "courses/checkin/qr.html", {
        "session": session, "section": session.section, "opens": opens, "closes": closes,
        "early": early, "total": Enrolment.objects.filter(
            section_id=session.section_id, status=Enrolment.Status.ENROLLED).count(),
        # Reload or fetch the next code while a code shows or is still to come.
        "polling": session.status == ClassSession.Status.SCHEDULED and bool(
            state["svg"] or early),
        "qr_config": {"url": reverse("courses:checkin_qr_code", args=[session.pk]),
                      "seconds": state["seconds"]},
        **state,
    })


@never_cache
@require_GET
def qr_code(request: HttpRequest, session_pk: int) -> HttpResponse:
    """The current code as JSON for the QR page's script: ``svg`` (empty
    when check-in is closed), ``seconds`` until it changes, ``checked_in``."""
    if not request.user.is_authenticated:
        raise Http404
    session = roll_call_session(request.user, session_pk)
    state = _qr_state(request, session, timezone.now())
    return JsonResponse({key: state[key] for key in ("svg", "seconds", "checked_in")})


# --- the student's check-in --------------------------------------------------------

def _scan_time(request: HttpRequest, session_id: int, now: datetime.datetime
               ) -> datetime.datetime | None:
    """When this browser scanned a fresh code of the session, if within
    ``SCAN_GRACE`` of ``now``."""
    stamp = request.session.get(_SCANS_KEY, {}).get(str(session_id))
    if stamp is None:
        return None
    scanned = datetime.datetime.fromtimestamp(stamp, tz=datetime.UTC)
    return scanned if scanned <= now <= scanned + SCAN_GRACE else None


def _remember_scan(request: HttpRequest, session_id: int, now: datetime.datetime) -> None:
    cutoff = (now - SCAN_GRACE).timestamp()
    scans = {key: stamp for key, stamp in request.session.get(_SCANS_KEY, {}).items()
             if stamp >= cutoff}
    scans[str(session_id)] = now.timestamp()
    request.session[_SCANS_KEY] = scans


def _local_time(moment: datetime.datetime) -> str:
    return date_format(timezone.localtime(moment), "G:i")


def _window_message(session: ClassSession, exc: OutsideWindow, now: datetime.datetime) -> str:
    if not exc.early:
        return _("This class is over and check-in has closed. If you were here, please tell "
                 "your teacher.")
    day = timezone.localdate(session.starts_at)
    if day != timezone.localdate(now):
        return _("This class is not today. It is on %(day)s at %(time)s.") % {
            "day": date_format(day, "DATE_FORMAT"), "time": _local_time(session.starts_at)}
    return _("Check-in for this class opens at %(time)s. Please scan the code again then.") % {
        "time": _local_time(session.starts_at - OPENS_BEFORE)}


def _page(request: HttpRequest, session: ClassSession | None, *, state: str,
          message: str = "", record: Attendance | None = None, status: int = 200
          ) -> HttpResponse:
    return render(request, "courses/checkin/checkin.html", {
        "session": session, "section": session.section if session else None,
        "state": state, "message": message, "record": record,
        "late_after": int(LATE_AFTER.total_seconds() // 60),
    }, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the check-in page for a scanned code (log in first, if needed);
    POST: "我已到", which checks the person in and 303s back here, where
    the page confirms it. Refusals, each a sentence on the page: a code
    that is not ours (400), an old code, a class that is cancelled, not
    today, not open yet or over, a person not in the class. A second scan
    shows when they checked in and changes nothing."""
    now = timezone.now()
    try:
        parsed = checkin_token_parse(token)
    except TokenInvalid:
        return _page(request, None, state="refused", status=400, message=_(
            "This code cannot be read. Please scan the QR code in the classroom again."))
    session = (ClassSession.objects.select_related("section__course", "section__campus", "room")
               .filter(pk=parsed.session_id).first())
    if session is None:
        raise Http404

    user = request.user
    if user.is_authenticated:
        record = Attendance.objects.filter(session=session, person=user).first()
        if record is not None and record.status in Attendance.ATTENDED:
            # Just checked in (the POST left a note), or scanned again.
            just_now = request.session.pop(_JUST_KEY, None) == session.pk
            return _page(request, session, state="done" if just_now else "already",
                         record=record)
    if session.status == ClassSession.Status.CANCELLED:
        return _page(request, session, state="refused", message=" ".join(filter(None, [
            _("This class was cancelled, so there is no check-in."), session.change_note])))

    scanned = _scan_time(request, session.pk, now)
    try:
        checkin_token_check(token, session_id=session.pk, starts_at=session.starts_at,
                            ends_at=session.ends_at, now=now, fresh_required=scanned is None)
    except OutsideWindow as exc:
        return _page(request, session, state="refused", message=_window_message(session, exc, now))
    except TokenExpired:
        return _page(request, session, state="refused", message=_(
            "This code has expired. Please scan the latest QR code in the classroom."))
    except TokenError:  # pragma: no cover - parse and session id were checked above
        raise Http404 from None
    if scanned is None:
        scanned = now
        _remember_scan(request, session.pk, now)

    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    enrolled = Enrolment.objects.filter(section_id=session.section_id, person=user,
                                        status=Enrolment.Status.ENROLLED).exists()
    if not enrolled:
        return _page(request, session, state="refused", message=_(
            "You are not a student of this class, so you cannot check in here. If this is "
            "wrong, please tell your teacher."))

    if request.method == "POST":
        try:
            record, changed = attendance_check_in(session=session, person=user,
                                                  arrived_at=scanned, now=now)
        except ValidationError as exc:
            return _page(request, session, state="refused", message=exc.messages[0])
        except LockBusy:
            return _page(request, session, state="ready", status=503, message=_(
                "The system is busy. Please tap the button again."))
        if changed:
            request.session[_JUST_KEY] = session.pk
        return HttpResponseSeeOther(request.path)
    return _page(request, session, state="ready")
