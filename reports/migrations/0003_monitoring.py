# Monitoring (R2): job runs, alerts, the daily 5xx count, the daily check.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("reports", "0002_usage"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ErrorCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(unique=True, verbose_name='日付')),
                ('errors', models.PositiveIntegerField(default=0, verbose_name='5xx の件数')),
            ],
            options={
                'verbose_name': '日別のサーバーエラー数',
                'verbose_name_plural': '日別のサーバーエラー数',
            },
        ),
        migrations.CreateModel(
            name='Alert',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('key', models.CharField(max_length=200, verbose_name='問題')),
                ('kind', models.CharField(max_length=40, verbose_name='種類')),
                ('message', models.CharField(max_length=500, verbose_name='内容')),
                ('state', models.CharField(choices=[('pending', '様子見'), ('open', '発生中'), ('cleared', '復旧')], default='pending', max_length=10, verbose_name='状態')),
                ('first_seen_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='最初の検知')),
                ('last_seen_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='最後の検知')),
                ('opened_at', models.DateTimeField(blank=True, null=True, verbose_name='通知')),
                ('cleared_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='復旧')),
                ('downtime', models.BooleanField(default=False, verbose_name='停止として数える')),
            ],
            options={
                'verbose_name': 'アラート',
                'verbose_name_plural': 'アラート',
                'ordering': ['-first_seen_at', '-pk'],
                'permissions': [('view_monitoring', '運用状況を見る')],
                'constraints': [models.UniqueConstraint(condition=models.Q(('state', 'cleared'), _negated=True), fields=('key',), name='reports_alert_one_live_per_key')],
            },
        ),
        migrations.CreateModel(
            name='DailyCheck',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField(unique=True, verbose_name='日付')),
                ('checked_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='確認日時')),
                ('checked_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='確認者')),
            ],
            options={
                'verbose_name': '日常確認',
                'verbose_name_plural': '日常確認',
                'ordering': ['-day'],
            },
        ),
        migrations.CreateModel(
            name='JobRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('job', models.CharField(max_length=100, verbose_name='ジョブ')),
                ('task_path', models.CharField(max_length=200, verbose_name='タスク')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='開始')),
                ('finished_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='終了')),
                ('outcome', models.CharField(choices=[('succeeded', '成功'), ('failed', '失敗')], max_length=10, verbose_name='結果')),
                ('summary', models.JSONField(blank=True, default=dict, verbose_name='件数など')),
                ('error', models.CharField(blank=True, max_length=500, verbose_name='エラー')),
            ],
            options={
                'verbose_name': 'ジョブの実行',
                'verbose_name_plural': 'ジョブの実行',
                'ordering': ['-finished_at', '-pk'],
                'indexes': [models.Index(fields=['job', '-finished_at'], name='reports_jobrun_last')],
            },
        ),
    ]
