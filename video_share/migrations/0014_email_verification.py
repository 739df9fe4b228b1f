import django.db.models.functions.text
from django.db import migrations, models


def keep_each_address_on_its_oldest_account(apps, schema_editor):
    """Before addresses were unique, anyone could sign up with someone else's. Where several
    accounts share one (in any case), the oldest keeps it, unverified, and the others lose it:
    whose it really is, only opening a link will tell. An address no other account had stays
    as trusted as it was (password resets went to it), so that nobody who has forgotten their
    password is locked out by this change."""
    User = apps.get_model("video_share", "User")
    accounts: dict[str, list] = {}
    for user in User.objects.exclude(email="").order_by("date_joined", "pk").iterator():
        # Python's lower() folds at least what the database's LOWER() folds.
        accounts.setdefault(user.email.lower(), []).append(user)
    for users in accounts.values():
        if len(users) == 1:
            User.objects.filter(pk=users[0].pk).update(verified_email=users[0].email)
        else:
            User.objects.filter(pk__in=[u.pk for u in users[1:]]).update(email="")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("video_share", "0013_view_identities"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="verified_email",
            field=models.EmailField(blank=True, default="", editable=False, max_length=254),
        ),
        migrations.RunPython(keep_each_address_on_its_oldest_account, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="user",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower("email"),
                condition=models.Q(("email", ""), _negated=True),
                name="unique_email_any_case",
                violation_error_message="An account already uses this email address.",
            ),
        ),
    ]
