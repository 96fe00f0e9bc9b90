from django.db import migrations

DEFAULT_RULES = [
    ("police_force", "force_all"),
    ("local_authority", "placing_authority"),
    ("local_authority", "host_authority_children"),
    ("local_authority", "home_authority_children"),
    ("care_provider", "missing_from_premises"),
    ("nhs_trust", "missing_from_premises"),
]


def add_defaults(apps, schema_editor):
    SharingRule = apps.get_model("identity", "SharingRule")
    for kind, basis in DEFAULT_RULES:
        SharingRule.objects.get_or_create(organisation_kind=kind, organisation=None, basis=basis)


def remove_defaults(apps, schema_editor):
    SharingRule = apps.get_model("identity", "SharingRule")
    for kind, basis in DEFAULT_RULES:
        SharingRule.objects.filter(organisation_kind=kind, organisation=None, basis=basis).delete()


class Migration(migrations.Migration):
    dependencies = [("identity", "0003_sharing_rule")]
    operations = [migrations.RunPython(add_defaults, remove_defaults)]
