from video_share.models import User

PASSWORD = "correct horse battery"


def make_user(username="alice", password=PASSWORD, **fields) -> User:
    fields.setdefault("email", f"{username}@example.com")
    # Verified unless a test says otherwise: most tests are about what a verified account does.
    fields.setdefault("verified_email", fields["email"])
    return User.objects.create_user(username=username, password=password, **fields)


def make_video(owner, *, title="A video", status="ready", visibility="public", **fields):
    from video_share.models import Video

    fields.setdefault("duration", 2.0)
    fields.setdefault("width", 640)
    fields.setdefault("height", 360)
    fields.setdefault("demuxer", "mov")
    return Video.objects.create(
        owner=owner, title=title, status=status, visibility=visibility, **fields
    )
