from django.conf import settings

TEXT_SIZES = ("normal", "large", "x-large")


def preferences(request):
    """Expose the reader's text-size choice so the first paint uses it."""
    size = request.COOKIES.get(settings.TEXT_SIZE_COOKIE, "normal")
    if size not in TEXT_SIZES:
        size = "normal"
    return {"text_size": size}
