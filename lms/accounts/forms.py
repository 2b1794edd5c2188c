import unicodedata

from allauth.account.adapter import get_adapter
from allauth.account.forms import ConfirmLoginCodeForm as AllauthConfirmLoginCodeForm
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.forms import VerifyPhoneForm as AllauthVerifyPhoneForm
from django import forms
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from .models import Profile
from .phone import PhoneNumberField, normalize_phone


class SignupConflict(Exception):
    """The account could not be saved because its number or e-mail was taken
    meanwhile; the form carries the error to show."""


class SignupForm(AllauthSignupForm):
    """Sign up with a mobile number or an e-mail address (at least one) and a
    password; the real name is asked for because classes and party records
    need it."""

    real_name = forms.CharField(
        label=_("Real name"),
        max_length=50,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_("As on your ID card, so teachers can find you on the class list."),
    )

    field_order = ["real_name", "phone", "email", "password1", "password2"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "phone" in self.fields:
            self.fields["phone"].help_text = _("Recommended: you can log in with it.")
        if "email" in self.fields:
            self.fields["email"].required = False
            self.fields["email"].help_text = _("Optional if you give a mobile number.")

    def clean_real_name(self):
        name = " ".join(self.cleaned_data["real_name"].split())
        if not name:
            raise forms.ValidationError(_("Please enter your real name."))
        return name

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and not self.errors:
            raise forms.ValidationError(
                _("Please give a mobile number or an e-mail address, so you can log in."),
                code="no_login",
            )
        return cleaned

    def try_save(self, request):
        """Create the account in one transaction.

        The "already registered" checks in ``clean()`` can be overtaken: two
        people sign up with the same number at the same moment, and the
        second insert hits the database's unique index. Then nothing is kept
        (user, profile, e-mail address roll back together), the form gets the
        same "already registered" error the check would have given, and
        ``SignupConflict`` is raised for the view to show the form again.
        """
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            if not self._add_taken_errors():
                raise
            raise SignupConflict from None

    def _add_taken_errors(self) -> bool:
        adapter = get_adapter()
        found = False
        phone = self.cleaned_data.get("phone")
        if phone and adapter.get_user_by_phone(phone):
            self.add_error("phone", adapter.error_messages["phone_taken"])
            found = True
        email = self.cleaned_data.get("email")
        if email and get_user_model().objects.filter(email__iexact=email).exists():
            self.add_error("email", adapter.error_messages["email_taken"])
            found = True
        return found


class BirthDateField(forms.DateField):
    """A date of birth typed the way people write it: 1956-08-21, 1956/8/21,
    1956.8.21, 1956年8月21日 or 19560821, full-width digits included.

    A plain text box: a phone's date picker starts at today and makes a
    person born in 1950 scroll back seventy years.
    """

    input_formats = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y年%m月%d", "%Y%m%d"]
    default_error_messages = {
        "invalid": _("Please type the date like 1956-08-21 or 1956年8月21日."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%Y-%m-%d",
                attrs={"autocomplete": "bday", "placeholder": _("e.g. 1956-08-21")},
            ),
        )
        kwargs.setdefault("help_text", _("For example 1956-08-21 or 1956年8月21日."))
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            # Full-width digits and punctuation from a Chinese input method.
            value = "".join(unicodedata.normalize("NFKC", value).split())
        return super().to_python(value)


class ProfileForm(forms.ModelForm):
    """The fields of "my details". Saving goes through
    ``services.profile_update`` (the view calls it), never ``save()``."""

    birth_date = BirthDateField(label=_("Date of birth"), required=False)
    emergency_phone = PhoneNumberField(label=_("Emergency contact's mobile number"), required=False)

    class Meta:
        model = Profile
        fields = [
            "real_name",
            "gender",
            "birth_date",
            "former_unit",
            "retiree_type",
            "emergency_contact",
            "emergency_phone",
        ]


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """One box for "mobile number or e-mail" instead of allauth's two, so a
    senior types once; the value is routed to allauth's own checks."""

    login = forms.CharField(
        label=_("Mobile number or e-mail"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "placeholder": _("e.g. 138 1234 5678")}
        ),
    )

    field_order = ["login"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("email", None)
        self.fields.pop("phone", None)

    def clean(self):
        value = (self.cleaned_data.get("login") or "").strip()
        if not value:
            return self.cleaned_data
        try:
            if "@" in value:
                self.cleaned_data["email"] = forms.EmailField().clean(value)
                self.clean_email()
            else:
                self.cleaned_data["phone"] = normalize_phone(value)
                self.clean_phone()
                if self._user is not None and not self._user.is_active:
                    # Found (so not "unknown"), but it may not log in: say so
                    # instead of texting a code that would lead nowhere.
                    raise get_adapter().validation_error("account_inactive")
        except forms.ValidationError as error:
            self.add_error("login", error)
        return self.cleaned_data


class LoginForm(AllauthLoginForm):
    """allauth's login form, with a label that says what to type."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["login"]
        field.label = _("Mobile number or e-mail")
        field.widget.attrs.update(
            {"autocomplete": "username", "placeholder": _("e.g. 138 1234 5678")}
        )


class NumericCodeMixin:
    """The six-digit code box: the phone shows its number pad, and the code
    from the text message can be filled in with one tap."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = _("Code from the text message")
        field.widget.attrs.update(
            {
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "placeholder": _("6 digits"),
            }
        )

    def clean_code(self):
        # Full-width digits and spaces ("123 456") are the same code.
        code = unicodedata.normalize("NFKC", self.cleaned_data.get("code") or "")
        self.cleaned_data["code"] = "".join(code.split())
        return super().clean_code()


class VerifyPhoneForm(NumericCodeMixin, AllauthVerifyPhoneForm):
    """The code that proves a new mobile number belongs to the person."""


class ConfirmLoginCodeForm(NumericCodeMixin, AllauthConfirmLoginCodeForm):
    """The code that logs a person in without a password."""
