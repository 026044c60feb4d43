"""
Indexes in the listings' full orders (issue 18, part 4: queries that do not grow with the number
of pages): articles by (date, id) newest first, so the newest articles and related articles read
the index in order and stop after a few rows; events by (start, id), read from the earliest event
still running, and by (end, start), which finds that earliest start among the events not ended
(``pages.selectors.not_ended``). They replace 0004's one-column indexes, their prefixes.

And Wagtail's page table by (depth, path): the children of a page are asked for as its depth
plus a range of paths, which Wagtail's index on the path alone reads over every descendant (the
site's menu, the sections under the home page: 23 ms at 100,000 pages on SQLite); created by name,
dropped with this migration.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pages', '0004_listing_indexes'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        ('wagtailimages', '0027_image_description'),
        migrations.swappable_dependency(settings.WAGTAIL_PAGE_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='articlepage',
            name='pages_article_date_idx',
        ),
        migrations.RemoveIndex(
            model_name='eventpage',
            name='pages_event_start_idx',
        ),
        migrations.RemoveIndex(
            model_name='eventpage',
            name='pages_event_end_idx',
        ),
        migrations.AddIndex(
            model_name='articlepage',
            index=models.Index(fields=['-date', '-page_ptr'], name='pages_article_date_id_idx'),
        ),
        migrations.AddIndex(
            model_name='eventpage',
            index=models.Index(fields=['start', 'page_ptr'], name='pages_event_start_id_idx'),
        ),
        migrations.AddIndex(
            model_name='eventpage',
            index=models.Index(fields=['end', 'start'], name='pages_event_end_start_idx'),
        ),
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS pages_page_depth_path_idx ON wagtailcore_page (depth, path)",
            "DROP INDEX IF EXISTS pages_page_depth_path_idx",
        ),
    ]
