"""
Builds queries.json from queries_written.tsv (the queries as written before any document was
collected) and the judgements below, made by reading each document of documents.json: every
document carries the topics a reader finds in it (``topics``), and each query's intent names the
topics that make a document relevant (``a&b``: both; ``=id``: that document). Run once with
``python tests/search/realtext/make_set.py``; the split into halves is fixed (seed 17, per class).

Nothing here looks at what the analyser does with a word: a document is relevant because of what
it is about, whether it spells the query's word the same way, in another script, inside a longer
word or not at all.
"""

import json
import random
from pathlib import Path

HERE = Path(__file__).parent
SEED = 17

# Query -> intent (alternatives). Queries absent from this table had no relevant document among
# the ones collected and are dropped (listed in README.md).
INTENTS = {
    # reading
    "ほいくえん": ["nursery"], "としょかん": ["library"], "ひなんじょ": ["shelter"], "じどうかん": ["jidokan"],
    "ボウサイ": ["bousai"], "けんしん": ["kenshin"], "よぼうせっしゅ": ["vaccination"],
    "しょうてんがい": ["shotengai"], "まつり": ["festival"], "じゅうみんひょう": ["juminhyo"],
    "こくみんけんこうほけん": ["kokuho"], "じしん": ["quake"], "そだいごみ": ["sodai"], "がくどう": ["gakudo"],
    "ジュウミンゼイ": ["=hojokin-okaya", "=hojokin-miki", "=wakakusa"], "びょういん": ["hospital"],
    "しんじゅくぎょえん": ["gyoen"], "かいご": ["kaigo"], "ちゅうりんじょう": ["churinjo"], "ゴミ": ["garbage"],
    "こども": ["kosodate", "child-medical", "jidokan", "gakudo", "kids-play"],
    "かぶきちょう": ["kabukicho"], "オオクボ": ["okubo"], "たかだのばば": ["takadanobaba"], "わせだ": ["waseda"],
    "かぐらざか": ["kagurazaka"], "じんじゃ": ["shrine"], "こうれいしゃ": ["elderly"],
    "ケンコウ": ["kenshin", "kokuho", "hokencenter"],
    # compound
    "保育": ["nursery"], "認可保育園": ["nursery"], "子育て支援": ["kosodate"], "粗大": ["sodai"],
    "避難": ["shelter"], "医療費助成": ["child-medical"], "図書館": ["library"], "予防接種": ["vaccination"],
    "高齢者福祉": ["elderly"], "資源回収": ["recycle"], "放課後": ["gakudo", "jidokan"], "防災訓練": ["bousai"],
    "地域包括": ["houkatsu"], "保健センター": ["hokencenter"], "西新宿": ["nishishinjuku"], "新大久保": ["okubo"],
    "中央公園": ["chuo-park"], "歴史博物館": ["rekihaku"], "戸山": ["toyama-park"], "商店街振興": ["shotengai"],
    "地域センター": ["=okubo-library"], "子ども医療": ["child-medical"], "ごみ収集": ["garbage"], "御苑": ["gyoen"],
    "家庭ごみ": ["garbage"], "総合防災": ["bousai"],
    # variant
    "市ケ谷": ["ichigaya"], "市谷": ["ichigaya"], "四ッ谷": ["yotsuya"], "四ツ谷": ["yotsuya"],
    "高田の馬場": ["takadanobaba"], "霞ケ丘": ["kasumigaoka"], "髙田馬場": ["takadanobaba"],
    "神樂坂": ["kagurazaka"], "早稻田": ["waseda"], "保険センター": ["hokencenter"], "検診": ["kenshin"],
    "花見 鑑賞": ["sakura"], "市が谷": ["ichigaya"], "ｺﾞﾐ": ["garbage"],
    "千駄ケ谷": ["=officecourt-gyoen", "=catespotr-gyoen", "=allabout-gyoen", "=jmedia-kasumigaoka",
              "=kampuspedia-kasumigaoka", "=deepannai-kasumigaoka", "=shibuya-houchi"],
    "子供": ["kosodate", "child-medical", "jidokan", "gakudo", "kids-play"], "四っ谷": ["yotsuya"],
    # two-word
    "保育園 申し込み": ["nursery-apply"], "ごみ 出し方": ["garbage"], "新宿 祭り": ["festival"],
    "高齢者 見守り": ["mimamori"], "子ども 遊び場": ["kids-play", "jidokan"], "避難所 場所": ["shelter"],
    "図書館 休館日": ["library&library-hours"],
    "粗大ごみ 料金": ["=torreypines-sodai", "=foreign-gomi", "=pinaclub-sodai", "=foreign-seikatsu"],
    "自転車 放置": ["bicycle-abandoned"], "引っ越し 手続き": ["moving"], "花見 公園": ["sakura"],
    "商店街 イベント": ["shotengai-event"], "地震 備え": ["quake"], "介護 相談": ["houkatsu"],
    "予防接種 子ども": ["vaccination"], "健診 無料": ["kenshin"],
    "外国人 相談": ["=asahi-plaza", "=mpken-plaza", "=srshinjuku-plaza", "=kobayashi-plaza", "=nerima-tabunka",
                "=network-renrakukai", "=tabunka-oshirase"],
    "ボランティア 募集": ["volunteer"], "大久保 韓国": ["korea"], "ラーメン 高田馬場": ["ramen-baba"],
    "神社 新宿": ["shrine"], "桜 新宿御苑": ["gyoen&sakura"], "歌舞伎町 安全": ["safety"],
    "ごみ 英語": ["garbage&foreign-support"], "夏 祭り": ["matsuri-summer"],
    # plain
    "新宿御苑": ["gyoen"], "歌舞伎町": ["kabukicho"], "都庁": ["tocho"], "花園神社": ["hanazono"],
    "住民票": ["juminhyo"], "マイナンバーカード": ["mynumber"], "児童手当": ["child-allowance"],
    "リサイクル": ["recycle"], "熊野神社": ["kumano"], "おとめ山公園": ["=matsuri-nenkan"],
    "箱根山": ["hakoneyama"], "林芙美子記念館": ["hayashi-fumiko"], "ハザードマップ": ["hazardmap"],
    "神楽坂": ["kagurazaka"], "早稲田大学": ["waseda-univ"], "ゴールデン街": ["goldengai"], "都営大江戸線": ["oedo"],
    "牛込": ["ushigome"], "落合": ["ochiai"], "角筈": ["tsunohazu"],
}


def _relevant(intent, documents):
    found = []
    for doc in documents:
        for alternative in intent:
            if alternative.startswith("="):
                ok = doc["id"] == alternative[1:]
            else:
                ok = all(topic in doc["topics"] for topic in alternative.split("&"))
            if ok:
                found.append(doc["id"])
                break
    return found


def build():
    documents = json.loads((HERE / "documents.json").read_text(encoding="utf-8"))
    items, seen = [], set()
    for line in (HERE / "queries_written.tsv").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        kind, query, meaning = line.split("\t")
        if query in seen or query not in INTENTS:
            continue
        seen.add(query)
        relevant = _relevant(INTENTS[query], documents)
        assert relevant, query
        items.append({"query": query, "class": kind, "meaning": meaning, "relevant": relevant})
    rng = random.Random(SEED)
    for kind in sorted({item["class"] for item in items}):
        group = [item for item in items if item["class"] == kind]
        rng.shuffle(group)
        for n, item in enumerate(group):
            item["half"] = "dev" if n < len(group) // 2 else "test"
    (HERE / "queries.json").write_text(json.dumps(items, ensure_ascii=False, indent=1), encoding="utf-8")
    return items


if __name__ == "__main__":
    built = build()
    print(len(built), "queries;", {h: sum(1 for i in built if i["half"] == h) for h in ("dev", "test")})
