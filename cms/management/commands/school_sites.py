"""``manage.py school_sites``: the two school Sites and their empty home
pages, for a production install (no demo pages, news or accounts).

    SCHOOL_SITE_PORT=443 UNIVERSITY_HOST=lnu.example.cn \\
    PARTY_SCHOOL_HOST=dx.example.cn manage.py school_sites \\
        --help-phone university=0578-2123456 --help-phone party_school=0578-2135678

Safe to run again: sites are found by host and moved to the configured port,
home pages are found by slug, nothing editors wrote is touched. A help phone
given on the command line replaces the school's current one.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cms.models import SchoolSettings
from cms.sites import school_sites_ensure


class Command(BaseCommand):
    help = (
        "Create or update the school Sites and their home pages (no demo content). "
        "Hosts from UNIVERSITY_HOST / PARTY_SCHOOL_HOST, port from SCHOOL_SITE_PORT."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--help-phone", action="append", default=[], metavar="SCHOOL=NUMBER",
            help=f"The help line shown on every page of a school; SCHOOL is one of "
                 f"{', '.join(settings.SCHOOL_HOSTS)}. Repeat for each school.",
        )

    def handle(self, *args, help_phone, **options):
        phones = self._parse_phones(help_phone)
        with transaction.atomic():
            sites = school_sites_ensure()
            for key, site in sites.items():
                school = SchoolSettings.for_site(site)
                if key in phones and school.help_phone != phones[key]:
                    school.help_phone = phones[key]
                    school.full_clean()
                    school.save()
                self.stdout.write(
                    f"{site.site_name}: {site.root_url}/ (home page #{site.root_page_id}"
                    f"{', default site' if site.is_default_site else ''})"
                )
                if not school.help_phone:
                    self.stderr.write(self.style.WARNING(
                        f"{site.site_name} has no help phone: pass --help-phone {key}=… "
                        f"or fill it in under Settings › School settings."
                    ))
        self.stdout.write(self.style.SUCCESS("School sites ready."))

    def _parse_phones(self, values: list[str]) -> dict[str, str]:
        phones = {}
        for value in values:
            key, sep, number = value.partition("=")
            key, number = key.strip(), number.strip()
            if not sep or not number or key not in settings.SCHOOL_HOSTS:
                raise CommandError(
                    f"--help-phone {value!r}: expected SCHOOL=NUMBER with SCHOOL one of "
                    f"{', '.join(settings.SCHOOL_HOSTS)}."
                )
            phones[key] = number
        return phones
