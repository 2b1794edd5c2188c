"""Public URLs of the teaching side that are not Wagtail pages."""

from django.urls import path

app_name = "courses"

urlpatterns: list = []
