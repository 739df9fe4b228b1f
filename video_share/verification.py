"""Links that prove an email address belongs to an account.

Nothing else is written to an address until its link has been opened (password resets and
digests ask `User.email_verified`): anyone can type someone else's address.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from .digests import absolute
from .models import User

logger = logging.getLogger(__name__)

SALT = "video_share.verification.email"
LINK_LIFETIME = timedelta(days=3)
NOT_VALID = _("This link is not valid. Check that you opened all of it, or ask for a new one.")


class LinkError(Exception):
    """A verification link that verifies nothing; its message says why, for the person."""


def address_key(email: str) -> str:
    # Signed values can be read by anyone: the link carries this, not the address itself,
    # which would otherwise end up in access logs.
    return salted_hmac(SALT, email, algorithm="sha256").hexdigest()[:32]


def verification_url(user: User) -> str:
    # The link names the address it was sent to: it verifies that one only, not one the
    # account changed to since.
    token = signing.dumps({"user": user.pk, "email": address_key(user.email)}, salt=SALT)
    return absolute(reverse("verify_email", args=[token]))


def user_for_token(token: str) -> User:
    """The account a link verifies the address of, or LinkError."""
    try:
        claim = signing.loads(token, salt=SALT, max_age=LINK_LIFETIME)
    except signing.SignatureExpired:
        raise LinkError(
            _("This link has expired. Log in and ask for a new one on your profile page.")
        ) from None
    except signing.BadSignature:
        raise LinkError(NOT_VALID) from None
    user = User.objects.filter(pk=claim["user"], is_active=True).first()
    if user is None:
        raise LinkError(NOT_VALID)
    if not constant_time_compare(address_key(user.email), claim["email"]):
        raise LinkError(_("This link is for an address your account no longer uses."))
    return user


def send_verification(user: User) -> None:
    """Email the account's address its verification link. A mail server that is down loses
    this one email, not the request that asked for it: the person can ask again."""
    context = {
        "person": user,
        "url": verification_url(user),
        "days": LINK_LIFETIME.days,
        "site_url": settings.VIDEO_SHARE_SITE_URL.rstrip("/"),
    }
    try:
        with translation.override(user.language):
            subject = render_to_string("email/verify_subject.txt", context).strip()
            text = render_to_string("email/verify.txt", context)
            html = render_to_string("email/verify.html", context)
        message = EmailMultiAlternatives(subject, text, to=[user.email])
        message.attach_alternative(html, "text/html")
        message.send()
    except Exception:
        logger.exception("Could not send the verification email of user %s", user.pk)
