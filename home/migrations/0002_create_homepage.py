from django.db import migrations

BODY = (
    "<h2>Learning that leaves the hospital</h2>"
    "<p>Reflect is where medical students and trainees write about community placements, work "
    "with voluntary and third-sector organisations, attachments in low- and middle-income "
    "countries and sessions led by people with lived experience; where tutors mark that "
    "writing against social-accountability rubrics; where patient representatives give "
    "feedback without needing an account; and where ARCP panels read the evidence.</p>"
    "<h2>Who it is for</h2><ul><li>Learners: write, submit and revise reflections.</li>"
    "<li>Tutors: review, sign off and mark.</li><li>Patient representatives: give feedback "
    "through a one-time link.</li><li>Examiners: read the evidence and record outcomes.</li>"
    "<li>Programme admins: run cohorts, allocations, panels and rubrics.</li></ul>"
)


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("home.HomePage")

    # Replace Wagtail's default welcome page (created by wagtailcore's initial data).
    page_ct = ContentType.objects.get(model="page", app_label="wagtailcore")
    Page.objects.filter(content_type=page_ct, slug="home", depth=2).delete()
    homepage_ct, _ = ContentType.objects.get_or_create(model="homepage", app_label="home")
    locale = Locale.objects.order_by("pk").first()
    homepage = HomePage.objects.create(
        title="Reflect: a portfolio for socially accountable doctors",
        draft_title="Reflect: a portfolio for socially accountable doctors",
        slug="home",
        content_type=homepage_ct,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=locale,
        lead="A reflective portfolio for learning that leaves the hospital.",
        body=BODY,
        live=True,
    )
    root = Page.objects.get(depth=1)
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.filter(is_default_site=True).delete()
    Site.objects.create(hostname="localhost", port=80, root_page=homepage, is_default_site=True,
                        site_name="Reflect")


def remove_homepage(apps, schema_editor):
    apps.get_model("home.HomePage").objects.filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [("home", "0001_initial")]
    operations = [migrations.RunPython(create_homepage, remove_homepage)]
