# The rate limits' counters in the database (members.ratelimit), shared by every process.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0006_outbox_mail'),
    ]

    operations = [
        migrations.CreateModel(
            name='RateCounter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=200, unique=True, verbose_name='キー')),
                ('count', models.PositiveIntegerField(default=0, verbose_name='回数')),
                ('expires_at', models.DateTimeField(db_index=True, verbose_name='期限')),
            ],
            options={
                'verbose_name': '回数制限の記録',
                'verbose_name_plural': '回数制限の記録',
            },
        ),
    ]
