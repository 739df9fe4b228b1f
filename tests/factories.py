from video_share.models import User

PASSWORD = "correct horse battery"


def make_user(username="alice", password=PASSWORD, **fields) -> User:
    fields.setdefault("email", f"{username}@example.com")
    return User.objects.create_user(username=username, password=password, **fields)
