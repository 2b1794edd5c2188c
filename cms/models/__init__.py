"""Models of the cms app: page types (``pages``) and per-site settings
(``site_settings``). Import from ``cms.models``."""

from .pages import HOME_PAGE_CHILDREN, HomePage, NewsIndexPage, NewsPage, StandardPage
from .site_settings import MenuItem, NavigationSettings, SchoolSettings

__all__ = [
    "HOME_PAGE_CHILDREN",
    "HomePage",
    "MenuItem",
    "NavigationSettings",
    "NewsIndexPage",
    "NewsPage",
    "SchoolSettings",
    "StandardPage",
]
