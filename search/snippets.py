"""A short excerpt of a result's text around the matched words, the words marked with <mark>."""

from django.utils.html import escape

from .analysis import morphemes

WIDTH = 120
SCAN = 1500  # characters analysed when no query word occurs literally (a variant spelling)


def _window(text, first):
    start = max(0, first - 30)
    end = min(len(text), start + WIDTH)
    start = max(0, min(start, end - WIDTH))
    return start, end


def snippet(text, terms, surfaces=()):
    """HTML: ``text`` cut around the first match, every word matching ``terms`` marked."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    termset = set(terms)
    positions = [text.find(word) for word in {*surfaces, *terms} if word and len(word) > 0]
    positions = [p for p in positions if p >= 0]
    if positions:
        start, end = _window(text, min(positions))
    else:
        found = [b for _s, term, b, _e, _pos in morphemes(text[:SCAN]) if term in termset]
        start, end = _window(text, found[0]) if found else (0, min(len(text), WIDTH))
    piece = text[start:end]
    marks = []
    for _s, term, b, e, _pos in morphemes(piece):
        if term in termset:
            if marks and marks[-1][1] == b:  # adjacent words form one mark (避難 + 所)
                marks[-1] = (marks[-1][0], e)
            else:
                marks.append((b, e))
    out, at = [], 0
    for b, e in marks:
        if b < at:
            continue
        out.append(escape(piece[at:b]))
        out.append("<mark>" + escape(piece[b:e]) + "</mark>")
        at = e
    out.append(escape(piece[at:]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(text) else "")
