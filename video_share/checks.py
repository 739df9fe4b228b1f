from django.conf import settings
from django.core.checks import Error, Tags, register

# Protections whose Django checks are silenced because we use inline equivalents.
REQUIRED_MIDDLEWARE = {
    "video_share.middleware.InlineSecurityMiddleware": "security.W001",
    "video_share.middleware.InlineXFrameOptionsMiddleware": "security.W002",
    "video_share.middleware.InlineCsrfViewMiddleware": "security.W003",
}


@register(Tags.security, deploy=True)
def check_protective_middleware(app_configs, **kwargs):
    return [
        Error(
            f"{path} is missing from MIDDLEWARE; its protection is required "
            f"(Django's {silenced} is silenced in favour of this check).",
            id="video_share.E001",
        )
        for path, silenced in REQUIRED_MIDDLEWARE.items()
        if path not in settings.MIDDLEWARE
    ]


SHARED_PAGES_CSRF = "video_share.context_processors.shared_page_csrf_token"


@register
def check_shared_pages(app_configs, **kwargs):
    """Shared pages are rendered with a placeholder for the CSRF token: without the context
    processor that gives it, the token of whoever renders a page would be served to others."""
    errors = []
    shared_to = getattr(settings, "VIDEO_SHARE_SHARED_PAGES", "everyone")
    if shared_to not in ("everyone", "visitors", "off"):
        errors.append(
            Error(
                f"VIDEO_SHARE_SHARED_PAGES is {shared_to!r}; it is one of "
                '"everyone", "visitors" or "off".',
                id="video_share.E002",
            )
        )
    processors = [
        processor
        for engine in settings.TEMPLATES
        for processor in engine.get("OPTIONS", {}).get("context_processors", [])
    ]
    if shared_to != "off" and SHARED_PAGES_CSRF not in processors:
        errors.append(
            Error(
                f"{SHARED_PAGES_CSRF} is missing from the context processors of TEMPLATES: "
                "shared pages need it.",
                id="video_share.E003",
            )
        )
    return errors
