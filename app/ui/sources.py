"""The sources panel: each cited passage in the original text, its supporting sentence highlighted.

All document text goes through html.escape, so a passage holding `<script>` shows it as text.
Ids are `src-<turn>-<n>`: the answer's [n] links point at them (see CLICK_JS).
"""

from __future__ import annotations

import html

from app.ui.strings import message
from core.records import Answer, Citation, Passage

CSS = """
.cw-sources { font-size: 0.92rem; line-height: 1.55; }
.cw-source { border: 1px solid rgba(128,128,128,.35); border-radius: 8px; padding: 8px 10px; margin: 0 0 10px 0; }
.cw-source.cw-flash { outline: 3px solid rgba(255,170,0,.9); }
.cw-source h4 { margin: 0 0 4px 0; font-size: 0.95rem; }
.cw-meta { opacity: .75; font-size: 0.82rem; margin-bottom: 4px; }
.cw-source mark { background: rgba(255,210,0,.55); color: inherit; padding: 0 1px; }
.cw-n { font-weight: 700; margin-right: 4px; }
.cw-status { min-height: 1.6em; }
details.cw-turn > summary, details.cw-also > summary { cursor: pointer; margin: 6px 0; }
"""

# A click on an answer's [n] link scrolls its source into view (opening a collapsed earlier turn).
CLICK_JS = """
<script>
document.addEventListener('click', function (event) {
  const link = event.target.closest('a[href^="#src-"]');
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const target = document.getElementById(link.getAttribute('href').slice(1));
  if (!target) return;
  const turn = target.closest('details');
  if (turn) turn.open = true;
  target.scrollIntoView({behavior: 'smooth', block: 'center'});
  target.classList.add('cw-flash');
  setTimeout(function () { target.classList.remove('cw-flash'); }, 1500);
}, true);
</script>
"""


def highlighted(passage: Passage, start: int, end: int) -> str:
    """The passage as HTML with document offsets [start, end) marked; the whole passage when they fall outside.

    >>> p = Passage("c1", "a.txt", "A", None, "One <b>. Two.", 10, 23, 0.9)
    >>> highlighted(p, 19, 23)
    'One &lt;b&gt;. <mark>Two.</mark>'
    """
    lo, hi = start - passage.start, end - passage.start
    text = passage.text
    if not (0 <= lo < hi <= len(text)):
        return html.escape(text)
    return f"{html.escape(text[:lo])}<mark>{html.escape(text[lo:hi])}</mark>{html.escape(text[hi:])}"


def _meta(passage: Passage) -> str:
    parts = [passage.date or "", passage.source]
    return html.escape(" · ".join(p for p in parts if p))


def citation_card(turn: int, citation: Citation) -> str:
    p = citation.passage
    return (f'<section class="cw-source" id="src-{turn}-{citation.n}">'
            f'<h4><span class="cw-n">[{citation.n}]</span>{html.escape(p.title)}</h4>'
            f'<div class="cw-meta">{_meta(p)}</div>'
            f'<div class="cw-text">{highlighted(p, citation.quote_start, citation.quote_end)}</div></section>')


def passage_card(passage: Passage) -> str:
    return (f'<section class="cw-source cw-plain"><h4>{html.escape(passage.title)}</h4>'
            f'<div class="cw-meta">{_meta(passage)}</div><div class="cw-text">{html.escape(passage.text)}</div>'
            f'</section>')


def turn_html(turn: int, answer: Answer, lang: str) -> str:
    """One answer's sources: cited passages in citation order, then the rest collapsed."""
    if answer.refused or not answer.citations:
        cards = "".join(passage_card(p) for p in answer.retrieved[:3])
        return f"<h3>{html.escape(message(lang, 'related'))}</h3>{cards}" if cards else ""
    cited = {c.passage.chunk_id for c in answer.citations}
    rest = [p for p in answer.retrieved if p.chunk_id not in cited]
    out = [f"<h3>{html.escape(message(lang, 'cited'))}</h3>"]
    out += [citation_card(turn, c) for c in answer.citations]
    if rest:
        out.append(f'<details class="cw-also"><summary>{html.escape(message(lang, "also", n=len(rest)))}</summary>'
                   + "".join(passage_card(p) for p in rest) + "</details>")
    return "".join(out)


def sources_html(turns: list[Answer], lang: str, found: list[Passage] | None = None) -> str:
    """The latest answer's sources open; earlier answers' sources collapsed below, newest first.

    `found`: the passages of a turn still being answered, shown first.
    """
    if not turns and found is None:
        return f'<div class="cw-sources"><p>{html.escape(message(lang, "no_sources"))}</p></div>'
    out = []
    if found is not None:
        out.append(f"<h3>{html.escape(message(lang, 'found', n=len(found)))}</h3>"
                   + "".join(passage_card(p) for p in found))
    last = len(turns) - 1
    if turns and found is None:
        out.append(turn_html(last, turns[last], lang))
        last -= 1
    for t in range(last, -1, -1):
        summary = html.escape(message(lang, "earlier", q=turns[t].question))
        out.append(f'<details class="cw-turn"><summary>{summary}</summary>{turn_html(t, turns[t], lang)}</details>')
    return f'<div class="cw-sources">{"".join(out)}</div>'
