from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Profile
from .phone import PhoneNumberField, normalize_phone


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


class ProfileForm(forms.ModelForm):
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
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"})}


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
