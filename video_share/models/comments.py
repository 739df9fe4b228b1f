from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CommentQuerySet(models.QuerySet):
    def visible(self):
        """What the watch page shows: not hidden by staff, not held for the video owner's
        review, and not a reply in a hidden thread."""
        return self.filter(hidden=False, held=False).exclude(parent__hidden=True)

    def top_level(self):
        return self.filter(parent__isnull=True)

    def with_replies(self, *, hiding_authors=()):
        """With each comment's visible replies (but those of `hiding_authors`: people the
        reader blocked) read in one query (see `visible_replies`)."""
        replies = _replies(self.model).exclude(author__in=hiding_authors)
        return self.prefetch_related(
            models.Prefetch("replies", queryset=replies, to_attr="prefetched_replies")
        )

    def sorted_by(self, sort: str):
        """ "top": pinned, then most liked; "newest": pinned, then newest."""
        if sort == "top":
            return self.order_by("-pinned", "-like_count", "-created_at", "-pk")
        return self.order_by("-pinned", "-created_at", "-pk")


def _replies(model):
    return model.objects.visible().select_related("author").order_by("created_at", "pk")


# Who gets each control of a comment, by what they are to it (Comment.roles_of): the one rule
# that the comment's buttons (comments.html), the shared pages (who sees a comment as visitors
# do) and the comment views follow. The browser applies it too, to the broadcast copies of
# comments, which are rendered for nobody and show a visitor's controls: each control names
# its roles (data-for) and static/js/comments.js shows it to a reader who has one of them.
# Staff have no control of their own: they moderate through reports (hide, delete, ban in the
# admin), and a pin or a heart speaks for the video's owner ("Loved by the creator").
CONTROL_ROLES = {
    "edit": ("author",),
    "delete": ("author", "owner"),
    "pin": ("owner",),
    "heart": ("owner",),
    "report": ("not-author",),
    # Visitors too: using it (or Report) asks them to log in first.
    "like": ("anyone",),
}


@dataclass(frozen=True)
class CommentControls:
    """What one person may do to one comment (Comment.controls_for)."""

    edit: bool = False
    delete: bool = False
    pin: bool = False
    heart: bool = False
    report: bool = False
    like: bool = False
    liked: bool = False  # their Like is pressed


class Comment(models.Model):
    video = models.ForeignKey(
        "video_share.Video", on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments"
    )
    # One level of replies: a reply's parent is always a top-level comment.
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    pinned = models.BooleanField(default=False)
    hearted = models.BooleanField(default=False)  # by the video's owner
    hidden = models.BooleanField(default=False)  # by a moderator
    # Waiting for the video owner's approval (Video.comment_policy "held"): shown to nobody
    # else, counted nowhere, sent to no stream until approved.
    held = models.BooleanField(default=False)
    like_count = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    # Set by the form that posted it: a double submit of the same form posts once.
    client_token = models.CharField(max_length=40, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["video", "parent", "-created_at"]),
            models.Index(fields=["author", "-created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "client_token"],
                condition=~models.Q(client_token=""),
                name="one_comment_per_form",
            )
        ]

    def __str__(self):
        return self.body[:50]

    @property
    def dom_id(self) -> str:
        return f"comment-{self.pk}"

    @property
    def control_roles(self) -> dict[str, str]:
        """The controls this comment has, each with the roles it is for, space-separated (as
        its element's data-for says): a reply is not pinned, a hidden comment has none."""
        if self.hidden:
            return {}
        return {
            name: " ".join(roles)
            for name, roles in CONTROL_ROLES.items()
            if name != "pin" or self.parent_id is None
        }

    def roles_of(self, user, video) -> set[str]:
        """What `user` is to this comment on `video`: "anyone", "author" or "not-author", and
        "owner" of the video. `user` None, or not signed in: a visitor."""
        person = user.pk if user is not None and user.is_authenticated else None
        roles = {"anyone", "author" if person and person == self.author_id else "not-author"}
        if person and person == video.owner_id:
            roles.add("owner")
        return roles

    def controls_for(self, user, video, *, liked: bool = False) -> CommentControls:
        """What `user` (None: a visitor) may do to this comment on `video`, whose page they
        may see; `liked`: whether they like it (a visitor likes nothing)."""
        roles = self.roles_of(user, video)
        offered = {
            name: not roles.isdisjoint(for_roles.split())
            for name, for_roles in self.control_roles.items()
        }
        signed_in = user is not None and user.is_authenticated
        return CommentControls(**offered, liked=liked and signed_in)

    @property
    def visible_replies(self) -> list["Comment"]:
        """The replies anyone may see: the only way replies reach a template (staff hide
        some), read once whether or not `with_replies()` prefetched them."""
        if not hasattr(self, "prefetched_replies"):
            self.prefetched_replies = list(_replies(Comment).filter(parent=self))
        return self.prefetched_replies


class CommentLike(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_like_per_comment")
        ]

    def __str__(self):
        return f"{self.user_id} likes {self.comment_id}"
