"""The audit trail of family-member links (代报名关系, DESIGN rule 9), on
Wagtail's audit log: asking, a new consent code, consenting and ending a
``ProxyLink`` each write a ``ModelLogEntry`` in the same transaction, saying
who acted (``user``), for whom (``data``: the student and the family
member), what (``action``) and when. Entries show in the admin's Site
history report (Reports), filtered by the type "family member link", to
whoever may see the links.

Names are written into ``data`` as they were at the time (a masked mobile
number for someone without a name), never a full mobile number, nor the
consent code."""

from django.contrib.auth.models import Permission
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter, log
from wagtail.models import ModelLogEntry

from .models import ProxyLink, User
from .phone import mask_phone

REQUEST = "accounts.proxy.request"
RESEND = "accounts.proxy.resend"
CONSENT = "accounts.proxy.consent"
END = "accounts.proxy.end"

# Why a link ended (``data["reason"]``).
BY_STUDENT, BY_PROXY, DECLINED, TOO_MANY_TRIES = (
    "by_student", "by_proxy", "declined", "too_many_tries")


def who(user: User | None) -> str:
    """A person as the audit row names them: their name, else their masked
    mobile number, e-mail or user name."""
    if user is None:
        return ""
    profile = getattr(user, "profile", None)
    name = (profile.real_name if profile is not None else "") or user.get_full_name()
    return name or mask_phone(user.phone) or user.email or user.username


def proxy_log(*, link: ProxyLink, action: str, actor: User | None, **data) -> None:
    """Write the audit row of ``action`` on ``link`` by ``actor`` (None: the
    system). Call it inside the service's transaction. Raises ``KeyError``
    for an unknown action."""
    if action not in FORMATTERS:
        raise KeyError(action)
    data = {
        "student": link.student_id, "student_name": who(link.student),
        "proxy": link.proxy_id, "proxy_name": who(link.proxy),
        "relation": link.relation, **data,
    }
    entry = log(link, action, user=actor, data=data,
                title=f"{data['proxy_name']} → {data['student_name']}")
    if entry is None:  # Wagtail skips models without a registered log model
        raise RuntimeError("No audit log model for ProxyLink")


class _ProxyFormatter(LogFormatter):
    def names(self, log_entry) -> dict:
        from .proxies import relation_label

        data = log_entry.data or {}
        return {"student": data.get("student_name", ""), "proxy": data.get("proxy_name", ""),
                "relation": relation_label(data.get("relation") or "other")}


class RequestFormatter(_ProxyFormatter):
    label = gettext_lazy("Family member asked to enrol for a student")

    def format_message(self, log_entry):
        return _("%(proxy)s (%(relation)s) asked to enrol for %(student)s; a consent code "
                 "was texted to %(student)s") % self.names(log_entry)


class ResendFormatter(_ProxyFormatter):
    label = gettext_lazy("New consent code")

    def format_message(self, log_entry):
        return _("A new consent code was texted to %(student)s for %(proxy)s's "
                 "request") % self.names(log_entry)


class ConsentFormatter(_ProxyFormatter):
    label = gettext_lazy("Student agreed to a family member")

    def format_message(self, log_entry):
        if (log_entry.data or {}).get("by") == "code":
            return _("%(proxy)s typed the code %(student)s gave them: %(proxy)s may now "
                     "enrol for %(student)s") % self.names(log_entry)
        return _("%(student)s agreed: %(proxy)s may now enrol for "
                 "%(student)s") % self.names(log_entry)


class EndFormatter(_ProxyFormatter):
    label = gettext_lazy("Family member link ended")

    def format_message(self, log_entry):
        names = self.names(log_entry)
        reason = (log_entry.data or {}).get("reason")
        if reason == DECLINED:
            return _("%(student)s said no to %(proxy)s's request") % names
        if reason == TOO_MANY_TRIES:
            return _("%(proxy)s's request ended after too many wrong codes") % names
        if reason == BY_PROXY:
            return _("%(proxy)s stopped enrolling for %(student)s") % names
        return _("%(student)s ended the link: %(proxy)s no longer enrols for "
                 "%(student)s") % names


FORMATTERS = {REQUEST: RequestFormatter, RESEND: ResendFormatter,
              CONSENT: ConsentFormatter, END: EndFormatter}


def register_proxy_log_actions(actions) -> None:
    """The ``register_log_actions`` hook (lms/accounts/wagtail_hooks.py).
    ProxyLink's entries are Wagtail's ``ModelLogEntry`` (registered by
    Wagtail for every model)."""
    for action, formatter in FORMATTERS.items():
        actions.register_action(action)(formatter)


def site_history_content_types(user) -> set[int]:
    """The content types whose log entries ``user`` may read in the Site
    history: Wagtail's rule (a type of a logged entry on which the user
    holds any permission), over Wagtail's own ``ModelLogEntry`` (family
    links, sections, terms…).

    Wagtail keeps this set on the user under one name for all log models,
    computed from the entries of whichever model asks first, so with our
    own log models next to its ``ModelLogEntry`` a school admin saw the
    family-link entries or not depending on the order of a set.
    ``AdminAccessMiddleware`` puts this set on the user before the report
    runs. Our own log models (enrolments, attendance) hold rows about
    people that only their campus's staff may read, which a permission on
    the type cannot say: unless their manager scopes its own
    ``viewable_by_user``, they stay out of the report for everyone but
    superusers (DESIGN rule 6), and their history shows on each record's
    admin page."""
    used = set(ModelLogEntry.objects.order_by().values_list("content_type_id", flat=True)
               .distinct())
    allowed: set[int] = set()
    for permission in (Permission.objects.filter(content_type_id__in=used)
                       .select_related("content_type")):
        if permission.content_type_id in allowed:
            continue
        if user.has_perm(f"{permission.content_type.app_label}.{permission.codename}"):
            allowed.add(permission.content_type_id)
    return allowed
