"""The Wagtail admin's user screens, extended with the mobile number (the
login most of our people use)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .phone import PhoneNumberField


class PhoneFieldMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"] = PhoneNumberField(
            required=False,
            initial=self.instance.phone if self.instance.pk else None,
            help_text=_("Spaces, dashes and full-width digits are fine."),
        )

    def clean_phone(self):
        phone = self.cleaned_data.get("phone") or None
        if phone and type(self.instance)._default_manager.filter(phone=phone).exclude(
            pk=self.instance.pk
        ).exists():
            raise ValidationError(
                _("This mobile number is already registered."), code="phone_taken"
            )
        return phone


class UserCreationWithPhoneForm(PhoneFieldMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | {"phone"}


class UserEditWithPhoneForm(PhoneFieldMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | {"phone"}


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return UserEditWithPhoneForm if for_update else UserCreationWithPhoneForm
