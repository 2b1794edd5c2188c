"""Public views of the teaching side that are not Wagtail pages."""
