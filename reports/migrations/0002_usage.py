# Usage counting and the monthly report (R1): daily page views, daily visitors, ward contacts, archived reports.

import django.utils.timezone
import members.crypto
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='UsageReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(help_text='月の初日', unique=True, verbose_name='対象月')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='作成日時')),
                ('pdf', models.BinaryField(verbose_name='PDF')),
                ('csv', models.BinaryField(verbose_name='CSV')),
                ('xlsx', models.BinaryField(verbose_name='Excel')),
                ('mailed_to', models.PositiveSmallIntegerField(default=0, verbose_name='送付先の数')),
            ],
            options={
                'verbose_name': '利用状況報告',
                'verbose_name_plural': '利用状況報告',
                'ordering': ['-month'],
                'permissions': [('download_usagereport', '利用状況報告をダウンロードできる')],
            },
        ),
        migrations.CreateModel(
            name='VisitorDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(unique=True, verbose_name='日付')),
                ('visitors', models.PositiveIntegerField(default=0, verbose_name='訪問者数（推定）')),
            ],
            options={
                'verbose_name': '日別訪問者数',
                'verbose_name_plural': '日別訪問者数',
            },
        ),
        migrations.CreateModel(
            name='WardContact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', members.crypto.EncryptedCharField(max_length=100, verbose_name='氏名')),
                ('email', members.crypto.EncryptedEmailField(max_length=254, verbose_name='メールアドレス')),
                ('active', models.BooleanField(default=True, verbose_name='送付する')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='登録日時')),
            ],
            options={
                'verbose_name': '区の報告先',
                'verbose_name_plural': '区の報告先',
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='PageViewDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(db_index=True, verbose_name='日付')),
                ('path', models.CharField(max_length=500, verbose_name='パス')),
                ('page_id', models.PositiveIntegerField(default=0, help_text='0: Wagtail のページではない', verbose_name='ページID')),
                ('language', models.CharField(blank=True, max_length=10, verbose_name='言語')),
                ('referrer_domain', models.CharField(blank=True, max_length=253, verbose_name='参照元ドメイン')),
                ('device', models.CharField(choices=[('mobile', 'スマートフォン'), ('tablet', 'タブレット'), ('desktop', 'パソコン')], max_length=10, verbose_name='端末')),
                ('views', models.PositiveIntegerField(default=0, verbose_name='閲覧数')),
            ],
            options={
                'verbose_name': '日別閲覧数',
                'verbose_name_plural': '日別閲覧数',
                'constraints': [models.UniqueConstraint(fields=('day', 'path', 'page_id', 'language', 'referrer_domain', 'device'), name='reports_pageview_one_row')],
            },
        ),
    ]
