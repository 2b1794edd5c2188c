"""The Wagtail admin's user screens, extended with the mobile number (the
login most of our people use) and the person's photo (kept on their
profile, shown to their teachers on the roll call)."""

from django.utils.translation import gettext_lazy as _
from wagtail.images.widgets import AdminImageChooser
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import CreateView as WagtailUserCreateView
from wagtail.users.views.users import EditView as WagtailUserEditView
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .models import Profile
from .phone import PhoneNumberField
from .services import profile_update


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


class PhotoFieldMixin:
    """The profile's photo, chosen from (or uploaded to) Wagtail's images;
    the view saves it on the profile (``PhotoSaveMixin``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile = getattr(self.instance, "profile", None) if self.instance.pk else None
        self.fields["photo"] = Profile._meta.get_field("photo").formfield(
            widget=AdminImageChooser(),
            initial=profile.photo_id if profile is not None else None,
        )


class UserCreationWithPhoneForm(PhotoFieldMixin, PhoneFieldMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = UserCreationForm.Meta.fields | {"phone"}


class UserEditWithPhoneForm(PhotoFieldMixin, PhoneFieldMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = UserEditForm.Meta.fields | {"phone"}


class PhotoSaveMixin:
    def save_instance(self):
        # Inside the view's transaction: the user and the photo are saved
        # together or not at all.
        user = super().save_instance()
        if "photo" in self.form.changed_data:
            profile_update(user=user, photo=self.form.cleaned_data["photo"])
        return user


class UserCreateView(PhotoSaveMixin, WagtailUserCreateView):
    pass


class UserEditView(PhotoSaveMixin, WagtailUserEditView):
    pass


class UserViewSet(WagtailUserViewSet):
    add_view_class = UserCreateView
    edit_view_class = UserEditView

    def get_form_class(self, for_update=False):
        return UserEditWithPhoneForm if for_update else UserCreationWithPhoneForm
