""""My family" (我的家人): link a family member who may enrol for a student,
with the student's consent; accept, refuse or end links. Thin views: the
rules live in ``lms.accounts.proxies``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms_family import ProxyCodeForm, ProxyRequestForm
from .models import ProxyLink
from .phone import mask_phone
from .proxies import (
    MAX_ACTIVE_PROXIES,
    ProxyRefused,
    family_links,
    link_for,
    proxy_code_resend,
    proxy_consent,
    proxy_end,
    proxy_request,
    relation_label,
)

Status = ProxyLink.Status

# Refusals that belong to the phone box rather than the whole form.
_PHONE_REFUSALS = {"invalid_phone", "unknown_phone", "self", "already_linked"}


def _other_side(link: ProxyLink, user) -> dict:
    """What the page shows about the other person of ``link``."""
    other = link.proxy if link.student_id == user.pk else link.student
    return {
        "link": link,
        "name": other.display_name,
        "phone": mask_phone(other.phone),
        "relation": relation_label(link.relation) if link.relation else "",
    }


def _open_link(request, pk: int, *, side: str | None = None, status: str | None = None):
    """The open link ``pk`` of the request's user (as ``side``, "student" or
    "proxy", if given, in ``status`` if given), else 404."""
    link = link_for(user=request.user, pk=pk)
    if link is None:
        raise Http404
    if side is not None and getattr(link, f"{side}_id") != request.user.pk:
        raise Http404
    if status is not None and link.status != status:
        raise Http404
    return link


@login_required
def family(request):
    """The page: who may act for me (and who asks to), whom I act for, and
    the form to ask for a new link (POST: ``proxy_request``, then the code
    page)."""
    form = ProxyRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = proxy_request(
                proxy=request.user,
                phone=form.cleaned_data["phone"],
                relation=form.cleaned_data["relation"],
            )
        except ProxyRefused as refusal:
            form.add_error("phone" if refusal.code in _PHONE_REFUSALS else None, refusal.message)
        else:
            return redirect("accounts:family_code", pk=link.pk)
    links = family_links(user=request.user)
    for_me = [_other_side(link, request.user) for link in links["for_me"]]
    by_me = [_other_side(link, request.user) for link in links["by_me"]]
    context = {
        "form": form,
        "asking_me": [item for item in for_me if item["link"].status == Status.PENDING],
        "acting_for_me": [item for item in for_me if item["link"].status == Status.ACTIVE],
        "i_act_for": [item for item in by_me if item["link"].status == Status.ACTIVE],
        "i_asked": [item for item in by_me if item["link"].status == Status.PENDING],
        "max_proxies": MAX_ACTIVE_PROXIES,
    }
    return render(request, "accounts/family.html", context, status=400 if form.errors else 200)


@login_required
def family_code(request, pk: int):
    """The family member types the code the student received
    (``proxy_consent`` with the code)."""
    link = _open_link(request, pk, side="proxy", status=Status.PENDING)
    form = ProxyCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            link = proxy_consent(link=link, actor=request.user, code=form.cleaned_data["code"])
        except ProxyRefused as refusal:
            if refusal.code in ("too_many_tries", "ended"):
                messages.error(request, refusal.message)
                return redirect("accounts:family")
            form.add_error("code", refusal.message)
        else:
            messages.success(request, _(
                "Done. You can now enrol %(name)s in classes, and you will receive their notices."
            ) % {"name": link.student.display_name})
            return redirect("accounts:family")
    context = {"form": form, **_other_side(link, request.user)}
    return render(request, "accounts/family_code.html", context,
                  status=400 if form.errors else 200)


@require_POST
@login_required
def family_resend(request, pk: int):
    """Text the student a new code (the old one stops working)."""
    link = _open_link(request, pk, side="proxy", status=Status.PENDING)
    try:
        proxy_code_resend(link=link, actor=request.user)
    except ProxyRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("A new code has been sent to %(phone)s.")
                         % {"phone": mask_phone(link.student.phone)})
    return redirect("accounts:family_code", pk=link.pk)


@require_POST
@login_required
def family_agree(request, pk: int):
    """The student agrees to a request with one button (no code needed)."""
    link = _open_link(request, pk, side="student", status=Status.PENDING)
    try:
        link = proxy_consent(link=link, actor=request.user)
    except ProxyRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _(
            "Done. %(name)s can now enrol you in classes and will receive your notices."
        ) % {"name": link.proxy.display_name})
    return redirect("accounts:family")


@login_required
def family_end(request, pk: int):
    """End a link or refuse a request (解除). GET asks "are you sure?" for an
    active link; POST ends it (a refusal of a request is posted directly)."""
    link = _open_link(request, pk)
    other = _other_side(link, request.user)
    if request.method == "POST":
        proxy_end(link=link, actor=request.user)
        if link.status == Status.PENDING and link.student_id == request.user.pk:
            text = _("You refused the request of %(name)s.")
        elif link.status == Status.PENDING:
            text = _("Your request to %(name)s has been withdrawn.")
        else:
            text = _("The link with %(name)s has ended.")
        messages.success(request, text % {"name": other["name"]})
        return redirect("accounts:family")
    context = {**other, "is_student": link.student_id == request.user.pk}
    return render(request, "accounts/family_end.html", context)
