"""The Wagtail admin's user screens, extended with the mobile number (the
login most of our people use)."""

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
        # An empty box means "no number" (NULL), so that many people may have
        # none; a number someone else has is refused by the model's unique
        # check (User.phone's "unique" error message).
        return self.cleaned_data.get("phone") or None


class UserCreationWithPhoneForm(PhoneFieldMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | {"phone"}


class UserEditWithPhoneForm(PhoneFieldMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | {"phone"}


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return UserEditWithPhoneForm if for_update else UserCreationWithPhoneForm
