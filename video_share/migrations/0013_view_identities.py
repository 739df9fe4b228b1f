from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def carry_over_this_hours_viewers(apps, schema_editor):
    """Rows from before keep their old viewer id ("u<id>", "c<cookie>"...) as their address,
    which no address key collides with. Those of the hour still open also say whose account or
    cookie they were, so that nobody counts twice across the change."""
    View = apps.get_model("video_share", "View")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    recent = View.objects.filter(hour__gte=timezone.now() - timedelta(hours=1))
    for view in recent.filter(address__startswith="c"):
        view.cookie = view.address[1:41]
        view.save(update_fields=["cookie"])
    users = set(User.objects.values_list("pk", flat=True))
    for view in recent.filter(address__startswith="u"):
        user_id = view.address[1:]
        if user_id.isdigit() and int(user_id) in users:
            view.user_id = int(user_id)
            view.save(update_fields=["user"])


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("video_share", "0012_username_skeleton"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="view", name="one_view_per_hour"),
        migrations.RenameField(model_name="view", old_name="viewer", new_name="address"),
        migrations.AddField(
            model_name="view",
            name="cookie",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.AddField(
            model_name="view",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="view",
            name="address",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(carry_over_this_hours_viewers, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="view",
            constraint=models.UniqueConstraint(
                condition=models.Q(("address", ""), _negated=True),
                fields=("video", "hour", "address"),
                name="one_view_per_address_per_hour",
            ),
        ),
        migrations.AddConstraint(
            model_name="view",
            constraint=models.UniqueConstraint(
                condition=models.Q(("cookie", ""), _negated=True),
                fields=("video", "hour", "cookie"),
                name="one_view_per_cookie_per_hour",
            ),
        ),
        migrations.AddConstraint(
            model_name="view",
            constraint=models.UniqueConstraint(
                fields=("video", "hour", "user"), name="one_view_per_user_per_hour"
            ),
        ),
    ]
