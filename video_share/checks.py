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
