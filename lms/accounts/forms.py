from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Profile
from .phone import PhoneNumberField


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
