from newsletter.management.commands.process_bounces import Command as ProcessBounces


class Command(ProcessBounces):
    help = "苦情（ARF の迷惑メール報告）を読み取ります。process_bounces と同じ処理です（不達通知も一緒に読みます）。"
