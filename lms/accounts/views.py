from allauth.account.views import SignupView as AllauthSignupView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from .forms import ProfileForm, SignupConflict
from .phone import display_phone
from .services import profile_ensure, profile_update


class SignupView(AllauthSignupView):
    """allauth's sign-up, showing the form again (with "already registered")
    when the number or e-mail was taken between the check and the insert."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except SignupConflict:
            return self.form_invalid(form)


signup = SignupView.as_view()


@login_required
def profile_edit(request):
    """Show and save "my details" through ``profile_update``; nothing is
    saved unless every field is valid."""
    profile = profile_ensure(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your details have been saved."))
            return redirect("accounts:profile")
    user = request.user
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "phone": display_phone(user.phone), "email": user.email},
    )


def csrf_failure(request, reason: str = ""):
    """``CSRF_FAILURE_VIEW``: a form that sat open too long (its security
    token expired, or the session ended) gets plain words and a way back,
    not Django's technical page. Status 403, nothing was done."""
    referer = request.META.get("HTTP_REFERER", "")
    back = (
        referer
        if referer
        and url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else "/"
    )
    # The words live here (the accounts catalogue) so that the project
    # template stays a plain layout.
    context = {
        "title": _("This page was open too long"),
        "explanation": _(
            "For your safety, a form stops working when it has been open for a long "
            "time. Nothing was sent and nothing was changed."
        ),
        "advice": _("Please go back, and fill in the form again."),
        "help": _("If this keeps happening, please call the help line below."),
        "back_url": back,
        "back_label": _("Go back and try again"),
    }
    return render(request, "csrf_failure.html", context, status=403)
