from django.urls import path

from . import views, views_family

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile_edit, name="profile"),
    path("family/", views_family.family, name="family"),
    path("family/<int:pk>/code/", views_family.family_code, name="family_code"),
    path("family/<int:pk>/resend/", views_family.family_resend, name="family_resend"),
    path("family/<int:pk>/agree/", views_family.family_agree, name="family_agree"),
    path("family/<int:pk>/end/", views_family.family_end, name="family_end"),
]
