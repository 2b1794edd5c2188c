"""django-allauth customised for seniors: phone numbers typed any way they
like, codes sent by SMS through our pluggable backend, messages in Chinese."""

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from lms.sms import send_sms

from .phone import PhoneNumberField, normalize_phone
from .services import profile_ensure


class AccountAdapter(DefaultAccountAdapter):
    def phone_form_field(self, **kwargs):
        # allauth's own field insists on "+<country code>"; ours accepts what
        # people type (spaces, dashes, full-width digits, with or without +86).
        kwargs.pop("validators", None)
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
        try:
            phone = normalize_phone(phone)
        except Exception:
            return None
        return get_user_model().objects.filter(phone=phone, is_active=True).first()

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
