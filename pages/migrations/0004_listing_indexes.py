"""
Indexes for the orders the listings use (issue 18, part 4): articles by 掲載日, events by start and
end, shops by reading, and every page by first publication (district and theme pages, specials,
recent articles sort Wagtail's page table by it; Wagtail has no index there, so one is added here,
by name, and dropped with this migration).
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pages', '0003_map_image'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        ('wagtailimages', '0027_image_description'),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='articlepage',
            index=models.Index(fields=['-date'], name='pages_article_date_idx'),
        ),
        migrations.AddIndex(
            model_name='eventpage',
            index=models.Index(fields=['start'], name='pages_event_start_idx'),
        ),
        migrations.AddIndex(
            model_name='eventpage',
            index=models.Index(fields=['end'], name='pages_event_end_idx'),
        ),
        migrations.AddIndex(
            model_name='shoppage',
            index=models.Index(fields=['title_reading'], name='pages_shop_reading_idx'),
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS pages_page_first_published_idx "
            "ON wagtailcore_page (first_published_at DESC, id DESC)",
            "DROP INDEX IF EXISTS pages_page_first_published_idx",
        ),
    ]
