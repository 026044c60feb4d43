"""
Our Japanese relevance test set: fictional documents (no real people, places only as the ward's
district names), queries, and the documents judged relevant to each.

Built deterministically from the tables below:

- ``TOPICS``: each topic is a word (with its spelling variants) written into three documents of
  different kinds, in running text (no spaces around it), each document using another variant.
  All three are relevant to the topic's queries: the word as usually written, and every variant
  (送り仮名, 全角/半角, かな/漢字, katakana long vowels).
- two-word queries: a topic word and the district one of its documents is about; only that
  document is relevant.
- ``TRAPS``: words that occur *inside* other words all over the corpus (京都 in 東京都, 大和 in
  大和田, 区長 in 地区長会) but are relevant only where they are the word itself.
- distractors: documents on other matters that share the corpus's common words (新宿区, 地域,
  センター, お知らせ, 開催).

``documents()`` returns [{id, type, title, body, district, days_ago}], ``queries()`` returns
[{query, relevant: set of ids, kind}].
"""

import random

DISTRICTS = ["四谷", "箪笥町", "榎町", "若松町", "大久保", "戸塚", "落合第一", "落合第二", "柏木", "角筈"]

# (word variants, the first is the usual spelling). Each topic gets three documents.
TOPICS = [
    ["子育て"], ["避難所"], ["申し込み", "申込み", "申込"], ["AED", "ＡＥＤ", "ａｅｄ"],
    ["子ども食堂", "こども食堂", "子供食堂"], ["コンピューター教室", "コンピュータ教室", "ｺﾝﾋﾟｭｰﾀｰ教室"],
    ["図書館"], ["高齢者"], ["介護保険"], ["防災訓練"], ["ボランティア", "ﾎﾞﾗﾝﾃｨｱ"], ["予防接種"],
    ["粗大ごみ", "粗大ゴミ"], ["保育園"], ["商店街"], ["花火大会"], ["健康診断"], ["熱中症"], ["地震"],
    ["感染症"], ["外国人"], ["日本語教室"], ["駐輪場"], ["児童館"], ["認知症"],
    ["2026年度", "２０２６年度"], ["防犯カメラ"], ["落書き", "落書"], ["引っ越し", "引越し", "引越"],
    ["受け付け", "受付け", "受付"], ["取り扱い", "取扱い", "取扱"], ["ウォーキング", "ウオーキング"],
    ["パーティー", "パーティ"], ["エレベーター", "エレベータ"], ["リサイクル"], ["古本市"], ["朝市"],
    ["子供服", "子ども服"], ["給付金"], ["住民税"], ["町会"], ["盲導犬"], ["手話"], ["点字"], ["落語"],
    ["書道"], ["茶道"], ["陶芸"], ["将棋"], ["囲碁"], ["献血"], ["問い合わせ", "問合せ", "問合わせ"],
    ["打ち合わせ", "打合せ"], ["ヨガ", "ヨーガ"], ["キャンセル待ち", "ｷｬﾝｾﾙ待ち"],
    # Known miss of the dictionary: 盆踊り is one word, 盆おどり two (盆 + 踊り); kept to stay honest.
    ["盆踊り", "盆おどり"],
]

# Templates: {w} the topic word, {d} a district. Title templates may leave the word out (body only).
TEMPLATES = [
    ("notice", "{w}についてのお知らせ", "区では{d}地域を中心に{w}に関する相談に応じています。詳しくは担当の窓口へどうぞ。"),
    ("article", "{d}の取り組みを取材しました", "{d}で続いている活動について話を聞きました。地域の人たちが集まり、{w}を通して交流を深めています。写真は活動の様子です。"),
    ("event", "{d}で{w}の説明会", "{w}について学べる説明会を{d}地域センターで開きます。参加費は無料、定員は三十人です。"),
    ("shop", "{d}の店舗紹介", "{d}駅から歩いて五分の店です。店主は長年この街で{w}にかかわってきました。営業時間は十時から十八時です。"),
]

# Words found inside other words everywhere in the corpus; relevant only as words of their own.
TRAPS = [
    ("京都", "京都の寺を巡る歴史講座", "京都の寺院を訪ねた経験をもとに、古都の歴史を紹介する講座です。"),
    ("大和", "大和の国の成り立ちを学ぶ", "大和の国がどのように成り立ったのか、資料を読みながら学びます。"),
    ("区長", "区長と語る会を開きます", "区長が地域の皆さんと直接話し合う会です。事前の登録は要りません。"),
]
TRAP_NOISE = [
    "会場の住所は東京都新宿区{d}です。",
    "大和田さん（仮名）が地区長会で報告しました。",
    "東京都の補助を受けて実施します。",
]

NEUTRAL = [
    "新宿区の地域センターで季節の催しを開きます。",
    "会場は{d}地域センターの二階の集会室です。",
    "参加をご希望の方は当日会場へお越しください。",
    "地域の皆さんが気軽に立ち寄れる場所を目指しています。",
    "毎月第二土曜日の午前中に開いています。",
    "雨天の場合は中止します。",
    "詳しくは区のお知らせをご覧ください。",
    "駅から近く、車いすでも利用できます。",
    "地元の野菜や果物を扱っています。",
    "新しい遊具が設置されました。",
    "清掃活動に協力していただいた方に感謝します。",
    "夏休みの自由研究に役立つ展示です。",
    "写真の展示は入場無料です。",
    "地域の歴史を伝える資料を集めています。",
    "本日の開館時間は十七時までです。",
    "新宿の街並みを歩いて楽しむ催しです。",
]
NEUTRAL_TITLES = ["季節の催しのご案内", "地域センターからのお知らせ", "街歩きの会", "写真展のご案内", "清掃活動の報告",
                  "新しい遊具について", "資料展示のお知らせ", "駅前の花壇づくり"]

TWO_WORD = 12  # how many topics also get a two-word query (topic word + district)
DISTRACTORS = 150


def _topic_documents():
    docs = []
    for t, variants in enumerate(TOPICS):
        for j in range(3):
            kind, title, body = TEMPLATES[(t + j) % len(TEMPLATES)]
            word = variants[j % len(variants)]
            district = DISTRICTS[(t * 3 + j) % len(DISTRICTS)]
            docs.append({
                "id": f"t{t}-{j}", "type": kind, "topic": t, "district": district,
                "title": title.format(w=word, d=district), "body": body.format(w=word, d=district),
                "days_ago": (t * 7 + j * 3) % 400,
            })
    return docs


def _trap_documents():
    docs = []
    rng = random.Random(7)
    for n, (word, title, body) in enumerate(TRAPS):
        docs.append({"id": f"trap{n}", "type": "article", "topic": None, "district": DISTRICTS[n], "title": title,
                     "body": body, "days_ago": 30 + n, "trap": word})
    for n in range(30):  # documents with the trap words inside other words
        district = DISTRICTS[n % len(DISTRICTS)]
        body = " ".join(s.format(d=district) for s in rng.sample(TRAP_NOISE, 2)) + NEUTRAL[n % len(NEUTRAL)].format(d=district)
        docs.append({"id": f"noise{n}", "type": "notice", "topic": None, "district": district,
                     "title": NEUTRAL_TITLES[n % len(NEUTRAL_TITLES)], "body": body, "days_ago": n})
    return docs


def _distractors():
    rng = random.Random(42)
    docs = []
    for n in range(DISTRACTORS):
        district = rng.choice(DISTRICTS)
        body = "".join(s.format(d=district) for s in rng.sample(NEUTRAL, 4))
        docs.append({"id": f"d{n}", "type": rng.choice(["article", "notice", "event", "shop"]), "topic": None,
                     "district": district, "title": f"{district}の{rng.choice(NEUTRAL_TITLES)}", "body": body,
                     "days_ago": rng.randrange(0, 500)})
    return docs


def documents():
    return _topic_documents() + _trap_documents() + _distractors()


def queries():
    docs = _topic_documents()
    by_topic = {}
    for doc in docs:
        by_topic.setdefault(doc["topic"], []).append(doc)
    out = []
    for t, variants in enumerate(TOPICS):
        relevant = {doc["id"] for doc in by_topic[t]}
        out.append({"query": variants[0], "relevant": relevant, "kind": "word"})
        for variant in variants[1:]:
            out.append({"query": variant, "relevant": relevant, "kind": "variant"})
    for t in range(0, len(TOPICS), max(1, len(TOPICS) // TWO_WORD))[:TWO_WORD]:
        doc = by_topic[t][1]
        out.append({"query": f"{TOPICS[t][0]} {doc['district']}", "relevant": {doc["id"]}, "kind": "two-word"})
    for n, (word, _title, _body) in enumerate(TRAPS):
        out.append({"query": word, "relevant": {f"trap{n}"}, "kind": "inside-word"})
    return out


# --- loading and measuring (used by tests/search/test_relevance.py and the benchmark) ----------

SOURCE = "relevance"


def rows(docs, strategy=None):
    """SearchDocument rows (unsaved) for the documents, analysed as the index does it."""
    import datetime

    from django.utils import timezone

    from search.analysis import index_fields
    from search.models import SearchDocument

    now = timezone.now()
    out = []
    for doc in docs:
        out.append(SearchDocument(
            key=f"{SOURCE}:{doc['id']}", source=SOURCE, object_id=doc["id"], type=doc["type"], locale="ja",
            title=doc["title"], url=f"/relevance/{doc['id']}/", body=doc["body"],
            date=now - datetime.timedelta(days=doc["days_ago"]), districts=SearchDocument.pack([doc["district"]]),
            **index_fields(doc["title"], doc["body"], strategy),
        ))
    return out


def measure(run_query, query_set=None, k=10):
    """
    recall@k (mean over queries of the share of relevant documents in the first k) and MRR (mean
    reciprocal rank of the first relevant document), with the queries that missed.
    ``run_query(text) -> [document id, ...]`` best first.
    """
    query_set = query_set or queries()
    recall_sum = rr_sum = 0.0
    misses = []
    for item in query_set:
        found = run_query(item["query"])[:k]
        hit = [doc_id for doc_id in found if doc_id in item["relevant"]]
        recall = len(hit) / len(item["relevant"])
        rank = next((n for n, doc_id in enumerate(found, 1) if doc_id in item["relevant"]), None)
        recall_sum += recall
        rr_sum += 1 / rank if rank else 0.0
        if recall < 1 or rank != 1:
            misses.append((item["kind"], item["query"], round(recall, 2), rank))
    n = len(query_set)
    return {"queries": n, "recall@10": recall_sum / n, "mrr": rr_sum / n, "misses": misses}
