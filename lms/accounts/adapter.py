"""django-allauth customised for seniors: phone numbers typed any way they
like, codes sent by SMS through our pluggable backend, messages in Chinese."""

import secrets

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.sms import send_sms

from .phone import PhoneNumberField, normalize_phone
from .services import profile_ensure


def _digits_code(length: int = 6) -> str:
    # Digits only: seniors type them on the phone keypad, letters are hard.
    return "".join(secrets.choice("0123456789") for _ in range(length))


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "phone_taken": gettext_lazy("This mobile number is already registered. Please log in instead."),
        "unknown_phone": gettext_lazy(
            "No account uses this mobile number yet. Please sign up first, or use your e-mail."
        ),
        "phone_password_mismatch": gettext_lazy(
            "The mobile number or the password is not correct. Please check and try again."
        ),
        "incorrect_code": gettext_lazy(
            "This code is not correct. Please look at the text message again and type its 6 digits."
        ),
    }

    def get_login_stages(self) -> list[str]:
        # Phone verification at sign-up only; see lms/accounts/stages.py.
        return [
            "lms.accounts.stages.SignupPhoneVerificationStage"
            if stage == "allauth.account.stages.PhoneVerificationStage"
            else stage
            for stage in super().get_login_stages()
        ]

    def generate_login_code(self) -> str:
        return _digits_code()

    def generate_phone_verification_code(self, *, user, phone: str) -> str:
        return _digits_code()

    def phone_form_field(self, **kwargs):
        # allauth's own field insists on "+<country code>"; ours accepts what
        # people type (spaces, dashes, full-width digits, with or without +86).
        kwargs.pop("validators", None)
        kwargs["label"] = gettext_lazy("Mobile number")
        return PhoneNumberField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        return normalize_phone(phone)

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified = verified
        user.save(update_fields=["phone", "phone_verified"])

    def get_phone(self, user):
        if not user.phone:
            return None
        return user.phone, user.phone_verified

    def set_phone_verified(self, user, phone: str) -> None:
        user.phone_verified = True
        user.save(update_fields=["phone_verified"])

    def get_user_by_phone(self, phone: str):
        """The account holding ``phone``, active or not.

        Inactive accounts must be found too: allauth's sign-up and
        change-number checks use this to say "already registered" (the number
        is unique in the database, deactivated or not), and its login paths
        refuse an inactive user themselves (``AuthenticationBackend`` checks
        ``user_can_authenticate``; the login flow sends the person to the
        "account inactive" page).
        """
        try:
            phone = normalize_phone(phone)
        except ValidationError:
            return None
        return get_user_model().objects.filter(phone=phone).first()

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        send_sms(
            phone=phone,
            message=_("Your code is %(code)s. It is valid for 10 minutes; do not tell anyone.")
            % {"code": code},
        )

    def send_unknown_account_sms(self, phone: str, **kwargs) -> None:
        send_sms(
            phone=phone,
            message=_("Someone asked for a login code, but no account uses this number."),
        )

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            profile_ensure(user=user, real_name=form.cleaned_data.get("real_name", ""))
        return user
