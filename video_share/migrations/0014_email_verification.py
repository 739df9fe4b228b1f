import django.db.models.functions.text
from django.db import migrations, models


def keep_each_address_on_its_oldest_account(apps, schema_editor):
    """Before addresses were unique, anyone could sign up with someone else's. Where several
    accounts share one (in any case), the oldest keeps it; the others lose it and are asked
    for an address again, which they will have to verify like everyone."""
    User = apps.get_model("video_share", "User")
    seen = set()
    for user in User.objects.exclude(email="").order_by("date_joined", "pk").iterator():
        # Python's lower() folds at least what the database's LOWER() folds.
        key = user.email.lower()
        if key in seen:
            User.objects.filter(pk=user.pk).update(email="")
        seen.add(key)


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
