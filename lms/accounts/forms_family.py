"""Forms of "My family": asking for a link and typing the consent code.
Writes go through ``lms.accounts.proxies`` (the views call it)."""

import unicodedata

from django import forms
from django.utils.translation import gettext_lazy as _

from .phone import PhoneNumberField
from .proxies import RELATIONS


class ProxyRequestForm(forms.Form):
    """The student's mobile number (typed any way) and what the family
    member is to them, as large radio buttons."""

    phone = PhoneNumberField(
        label=_("Your family member's mobile number"),
        help_text=_("The number they use for the senior university. We will text them a code."),
    )
    relation = forms.ChoiceField(
        label=_("You are their"),
        choices=list(RELATIONS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": _("Please choose what you are to them.")},
    )


class ProxyCodeForm(forms.Form):
    """The six digits the student received, as they read them out."""

    code = forms.CharField(
        label=_("Code from your family member's text message"),
        max_length=20,
        error_messages={"required": _("Please type the 6-digit code.")},
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                   "placeholder": _("6 digits")}
        ),
    )

    def clean_code(self):
        # Full-width digits and spaces ("123 456") are the same code.
        code = "".join(unicodedata.normalize("NFKC", self.cleaned_data["code"]).split())
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("The code has 6 digits, for example 123456."))
        return code
