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


def make_renditions(video, heights=(360, 720), *, poster=False):
    """Stored MP4 renditions of `video` (`{height}p-1.mp4`, of 3 × height bytes), and a
    poster (`poster-1.jpg`) if asked: what processing leaves."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from video_share.models import Rendition

    for height in heights:
        data = b"mp4" * height
        name = default_storage.save(f"{video.media_dir}/{height}p-1.mp4", ContentFile(data))
        Rendition.objects.create(
            video=video,
            height=height,
            width=height * 16 // 9,
            frame_height=height,
            file=name,
            size=len(data),
        )
    if poster:
        video.poster.name = default_storage.save(
            f"{video.media_dir}/poster-1.jpg", ContentFile(b"jpeg")
        )
        video.save()
    return video
