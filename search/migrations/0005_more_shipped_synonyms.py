"""
More of the ward's own equivalences for the shipped synonym list: the official names of services
beside the words residents use (健診 = 健康診査, 学童クラブ = 放課後児童クラブ, 住民税 = 特別区民税),
and the notifications a move is made of (引っ越し = 転入・転出・転居). Each entry joins the group
that already has its first term (an editor's group keeps its other terms); an entry whose group
an editor deleted is added as a group of its own. Reversing removes only the terms added here.
"""

from django.db import migrations

MORE = [
    # (a term of an existing shipped group, terms added to it, note for a new group)
    ("引っ越し", ["転入", "転出", "転入届", "転出届", "住所変更"], "手続き"),
    ("健診", ["健康診査"], "健康"),
    ("学童クラブ", ["放課後児童クラブ"], "子育て"),
    ("マイナンバーカード", ["マイナカード"], "手続き"),
    ("予防接種", ["定期接種", "予防注射"], "健康"),
    ("高齢者", ["老人"], "高齢者"),
    ("住民税", ["特別区民税", "区民税", "resident tax"], "税"),
    ("母子健康手帳", ["母子手帳", "親子健康手帳"], "子育て"),
    ("児童手当", ["子ども手当"], "子育て"),
]


def _split(terms):
    import re

    return [t.strip() for t in re.split(r"[\n,、，;；=＝]+", terms or "") if t.strip()]


def add(apps, schema_editor):
    SynonymGroup = apps.get_model("portal_search", "SynonymGroup")
    groups = list(SynonymGroup.objects.all())
    for anchor, extra, note in MORE:
        group = next((g for g in groups if anchor in _split(g.terms)), None)
        if group is None:
            group = SynonymGroup(terms=anchor, note=note)
            groups.append(group)
        present = _split(group.terms)
        group.terms = ", ".join(present + [t for t in extra if t not in present])
        group.save()


def remove(apps, schema_editor):
    SynonymGroup = apps.get_model("portal_search", "SynonymGroup")
    added = {term for _anchor, extra, _note in MORE for term in extra}
    for group in SynonymGroup.objects.all():
        kept = [t for t in _split(group.terms) if t not in added]
        if len(kept) < 2:
            group.delete()
        else:
            group.terms = ", ".join(kept)
            group.save()


class Migration(migrations.Migration):
    dependencies = [("portal_search", "0004_shipped_synonyms")]
    operations = [migrations.RunPython(add, remove)]
