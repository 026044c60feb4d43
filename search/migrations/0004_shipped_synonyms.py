"""
The synonym list the portal ships with: the ward's place names (the ten districts, stations and
町名 with their spellings) and the common names of its services, some with English. Editors
change it in the admin; a list they already have is left alone.
"""

from django.db import migrations

SHIPPED = [
    # Districts (特別出張所の地域) and their other names
    ("四谷, 四ッ谷, 四ツ谷, 四谷地域", "地域・駅"), ("箪笥町, 箪笥町地域, 牛込箪笥町", "地域"),
    ("榎町, 榎町地域", "地域"), ("若松町, 若松町地域", "地域"), ("大久保, 大久保地域", "地域"),
    ("戸塚, 戸塚地域", "地域"), ("落合第一, 落合第1, 落合第一地域", "地域"), ("落合第二, 落合第2, 落合第二地域", "地域"),
    ("柏木, 柏木地域", "地域"), ("角筈, 角筈地域", "地域"),
    # Stations and 町名 written several ways
    ("市ヶ谷, 市ケ谷, 市谷, 市が谷", "駅・町名"), ("高田馬場, 高田の馬場, 髙田馬場", "駅・町名"),
    ("千駄ヶ谷, 千駄ケ谷", "駅・町名"), ("霞ヶ丘町, 霞ケ丘町, 霞ヶ丘, 霞ケ丘", "町名"),
    ("新宿御苑, 御苑", "公園"), ("新宿区役所, 区役所, 本庁舎, ward office, city hall", "施設"),
    ("特別出張所, 出張所", "施設"),
    # Services
    ("ごみ, ゴミ, 廃棄物, garbage, trash, waste", "清掃"), ("資源, リサイクル, 資源回収, recycling", "清掃"),
    ("粗大ごみ, 粗大ゴミ, 大型ごみ, oversized waste", "清掃"),
    ("保育園, 保育所, 認可保育所, nursery, daycare", "子育て"), ("子ども, 子供, こども, children, kids", "子育て"),
    ("幼稚園, kindergarten", "子育て"), ("学童クラブ, 学童保育, 学童, after-school care", "子育て"),
    ("児童館, children's hall", "子育て"), ("図書館, library", "施設"),
    ("避難所, 避難場所, shelter, evacuation", "防災"), ("防災, disaster prevention", "防災"),
    ("ハザードマップ, 防災マップ, hazard map", "防災"), ("地震, 震災, earthquake", "防災"),
    ("住民票, 住民票の写し, certificate of residence", "手続き"),
    ("マイナンバーカード, 個人番号カード, my number card", "手続き"),
    ("引っ越し, 引越し, 転居, moving", "手続き"), ("国民健康保険, 国保, national health insurance", "健康"),
    ("高齢者総合相談センター, 地域包括支援センター", "高齢者"), ("高齢者, お年寄り, シニア, elderly", "高齢者"),
    ("介護, 介護保険, nursing care", "高齢者"), ("健診, 健康診断, health check", "健康"),
    ("予防接種, ワクチン, vaccination", "健康"), ("病院, 医療機関, hospital", "健康"),
    ("駐輪場, 自転車置き場, bicycle parking", "交通"), ("自転車, bicycle", "交通"),
    ("祭り, まつり, 祭, 祭礼, festival", "催し"), ("花見, お花見", "催し"),
    ("外国人, 外国籍, foreign residents", "多文化"), ("ボランティア, volunteer", "地域活動"),
    ("商店街, 商店会, shopping street", "商店"), ("神社, shrine", "名所"),
]


def ship(apps, schema_editor):
    SynonymGroup = apps.get_model("portal_search", "SynonymGroup")
    if SynonymGroup.objects.exists():
        return
    SynonymGroup.objects.bulk_create([SynonymGroup(terms=terms, note=note) for terms, note in SHIPPED])


class Migration(migrations.Migration):
    dependencies = [("portal_search", "0003_synonym_groups")]
    operations = [migrations.RunPython(ship, migrations.RunPython.noop)]
