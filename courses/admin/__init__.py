"""Wagtail admin for the teaching side: viewsets, forms, views and the
campus scoping every one of them uses. Registered in ``courses/wagtail_hooks.py``."""
