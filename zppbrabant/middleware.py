class DutchByDefaultMiddleware:
    """Dutch is the default whatever the browser asks for; English is a
    choice the person makes with the language switch (stored in a cookie).
    Runs before ``LocaleMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
