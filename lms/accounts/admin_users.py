"""The Wagtail admin's user screens, extended with the mobile number (the
login most of our people use) and the person's photo (kept on their
profile, shown to their teachers on the roll call).

Photos live in their own collection (``roles.PROFILE_PHOTOS``), on which only
school admins and superusers hold image permissions; the photo field's
chooser lists and uploads into that collection only, and the field accepts
nothing else, so a face never lands where teachers choose lesson images."""

from django.core.exceptions import PermissionDenied
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.images import get_image_model
from wagtail.images.views.chooser import ImageChooseResultsView as WagtailChooseResultsView
from wagtail.images.views.chooser import ImageChooserViewSet
from wagtail.images.views.chooser import ImageChooseView as WagtailChooseView
from wagtail.images.views.chooser import ImageUploadView as WagtailUploadView
from wagtail.images.widgets import AdminImageChooser
from wagtail.permissions import policy_registry
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import CreateView as WagtailUserCreateView
from wagtail.users.views.users import EditView as WagtailUserEditView
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from .models import Profile
from .phone import PhoneNumberField
from .roles import profile_photo_collection
from .services import profile_update


def _may(user, action: str, collection) -> bool:
    policy = policy_registry.get_by_type(get_image_model())
    return policy.collections_user_has_permission_for(user, action).filter(
        pk=collection.pk
    ).exists()


class PhotoCollectionMixin:
    """Restricts Wagtail's image chooser views to the profile-photo
    collection: lists only its images, uploads only into it, and refuses
    (PermissionDenied, Wagtail's redirect to the dashboard) anyone without
    the permission on it."""

    @cached_property
    def photo_collection(self):
        return profile_photo_collection()

    def dispatch(self, request, *args, **kwargs):
        if not _may(request.user, "choose", self.photo_collection):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_object_list(self):
        return super().get_object_list().filter(collection=self.photo_collection)

    @cached_property
    def collections(self):
        return None  # one collection: no collection filter in the modal

    def can_create(self):
        return _may(self.request.user, "add", self.photo_collection)

    def get_creation_form_class(self):
        form_class = super().get_creation_form_class()
        collection = self.photo_collection

        class PhotoUploadForm(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.fields.pop("collection", None)
                self.instance.collection = collection

        return PhotoUploadForm


class PhotoChooseView(PhotoCollectionMixin, WagtailChooseView):
    pass


class PhotoChooseResultsView(PhotoCollectionMixin, WagtailChooseResultsView):
    pass


class PhotoUploadView(PhotoCollectionMixin, WagtailUploadView):
    pass


class PhotoChooserViewSet(ImageChooserViewSet):
    """The photo field's chooser (registered in wagtail_hooks.py); choosing
    goes through Wagtail's own "chosen" view, which checks the permission
    on the image."""

    choose_view_class = PhotoChooseView
    choose_results_view_class = PhotoChooseResultsView
    create_view_class = PhotoUploadView
    choose_one_text = _("Choose a photo")
    choose_another_text = _("Choose another photo")


photo_chooser_viewset = PhotoChooserViewSet(
    "profile_photo_chooser", model=get_image_model(), url_prefix="accounts/photos/chooser"
)


class PhotoChooser(AdminImageChooser):
    chooser_modal_url_name = "profile_photo_chooser:choose"
    choose_one_text = _("Choose a photo")
    choose_another_text = _("Change photo")


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
            queryset=get_image_model().objects.filter(collection=profile_photo_collection()),
            widget=PhotoChooser(),
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
