"""``manage.py lottery_verify [draw id …]``: recompute drawn lotteries from
their stored seed and inputs and compare with the stored result
(``courses.services.lottery.lottery_verify``). Without ids: every drawn or
published draw. Exits 1 if any does not match."""

from django.core.management.base import BaseCommand, CommandError

from courses.models import LotteryDraw
from courses.services.lottery import lottery_problems


class Command(BaseCommand):
    help = "Recompute lottery draws and compare them with the stored results."

    def add_arguments(self, parser):
        parser.add_argument("draw_ids", nargs="*", type=int)

    def handle(self, *args, draw_ids, **options):
        draws = LotteryDraw.objects.exclude(status=LotteryDraw.Status.ANNOUNCED)
        if draw_ids:
            draws = LotteryDraw.objects.filter(pk__in=draw_ids)
        failed = 0
        for draw in draws.select_related("term").order_by("pk"):
            problems = lottery_problems(draw=draw)
            if problems:
                failed += 1
                self.stdout.write(f"draw {draw.pk} ({draw.term}): " + "; ".join(problems))
            else:
                self.stdout.write(f"draw {draw.pk} ({draw.term}): verified, "
                                  f"{draw.entries_count} requests")
        if failed:
            raise CommandError(f"{failed} draw(s) do not match their stored result.")
