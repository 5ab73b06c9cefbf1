"""The sources panel: each cited passage in the original text, its supporting sentence highlighted.

Passages are shown clean (app.display: no Markdown marks, no glossary parentheses); the highlight
is found on stored offsets, then mapped. All document text goes through html.escape, so a passage
holding `<script>` shows it as text.
Ids are `src-<turn>-<n>`: the answer's [n] links point at them (see CLICK_JS).
"""

from __future__ import annotations

import html

from app.display import plain, shown
from app.ui.strings import figures_differ, message
from core.records import Answer, Citation, Passage, Rendering

CSS = """
.cw-sources { font-size: 0.92rem; line-height: 1.55; }
/* The sources stay in view while the page scrolls to the question box (a 1366x768 laptop cannot
   show the chat, the box and the buttons at once), and scroll on their own when long. */
#cw-sources { position: sticky; top: 8px; max-height: calc(100vh - 16px); overflow-y: auto; }
.cw-source { border: 1px solid rgba(128,128,128,.35); border-radius: 8px; padding: 8px 10px; margin: 0 0 10px 0; }
.cw-source.cw-flash { outline: 3px solid rgba(255,170,0,.9); }
.cw-source h4 { margin: 0 0 4px 0; font-size: 0.95rem; }
.cw-meta { opacity: .75; font-size: 0.82rem; margin-bottom: 4px; }
.cw-source mark { background: rgba(255,210,0,.55); color: inherit; padding: 0 1px; }
.cw-n { font-weight: 700; margin-right: 4px; }
.cw-status { min-height: 1.6em; }
details.cw-turn > summary, details.cw-also > summary { cursor: pointer; margin: 6px 0; }
.cw-translation { margin-top: 6px; padding: 4px 8px; border-left: 3px solid rgba(128,128,128,.5); }
.cw-mt { font-size: 0.78rem; font-weight: 600; opacity: .75; margin-right: 6px; }
.cw-mt-warn { margin-top: 4px; font-size: 0.85rem; color: #b45309; }
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
    """The clean passage as HTML with document offsets [start, end) marked; the whole passage when
    they fall outside.

    >>> p = Passage("c1", "a.txt", "A", None, "One <b>. Two.", 10, 23, 0.9)
    >>> highlighted(p, 19, 23)
    'One &lt;b&gt;. <mark>Two.</mark>'
    >>> highlighted(Passage("c2", "b.txt", "B", None, "吸引**英伟达**（NVIDIA: 芯片公司）撒钱。", 0, 27, 0.9), 4, 7)
    '吸引<mark>英伟达</mark>撒钱。'
    """
    lo, hi = start - passage.start, end - passage.start
    view = shown(passage.text)
    if not (0 <= lo < hi <= len(passage.text)):
        return html.escape(view.text)
    s, e = view.span(lo, hi)
    text = view.text
    return f"{html.escape(text[:s])}<mark>{html.escape(text[s:e])}</mark>{html.escape(text[e:])}"


def _meta(passage: Passage) -> str:
    parts = [passage.date or "", passage.source]
    return html.escape(" · ".join(p for p in parts if p))


def rendering_html(rendering: Rendering | None, lang: str) -> str:
    """The machine translation under a highlighted sentence, labelled as one, with a warning when
    its figures differ from the original's.

    >>> rendering = Rendering("Valued at US$157 million.", "zh", "en", ("1570亿美元",))
    >>> print(rendering_html(rendering, "en").replace("><", ">\\n<").replace(": ", ":\\n"))
    <div class="cw-translation" lang="en">
    <span class="cw-mt">Machine translation</span>Valued at US$157 million.<div class="cw-mt-warn">⚠ Figures differ from the original:
    1570亿美元 is not in the translation.</div>
    </div>
    """
    if rendering is None:
        return ""
    label = html.escape(message(lang, "machine_translation"))
    if rendering.failure:
        why = html.escape(message(lang, "translation_failed", why=rendering.failure))
        return f'<div class="cw-translation cw-mt-failed"><span class="cw-mt">{label}</span>{why}</div>'
    warning = ""
    if not rendering.figures_match:
        warning = (f'<div class="cw-mt-warn">⚠ {html.escape(figures_differ(lang, rendering.missing, rendering.added))}'
                   '</div>')
    if rendering.untranslated:
        words = html.escape(message(lang, "untranslated", words=", ".join(rendering.untranslated)))
        warning += f'<div class="cw-mt-warn">⚠ {words}</div>'
    return (f'<div class="cw-translation" lang="{rendering.target_language}"><span class="cw-mt">{label}</span>'
            f'{html.escape(rendering.text)}{warning}</div>')


def citation_card(turn: int, citation: Citation, lang: str = "en") -> str:
    p = citation.passage
    return (f'<section class="cw-source" id="src-{turn}-{citation.n}">'
            f'<h4><span class="cw-n">[{citation.n}]</span>{html.escape(p.title)}</h4>'
            f'<div class="cw-meta">{_meta(p)}</div>'
            f'<div class="cw-text">{highlighted(p, citation.quote_start, citation.quote_end)}</div>'
            f'{rendering_html(citation.rendering, lang)}</section>')


def passage_card(passage: Passage) -> str:
    return (f'<section class="cw-source cw-plain"><h4>{html.escape(passage.title)}</h4>'
            f'<div class="cw-meta">{_meta(passage)}</div><div class="cw-text">{html.escape(plain(passage.text))}</div>'
            f'</section>')


def turn_html(turn: int, answer: Answer, lang: str) -> str:
    """One answer's sources: cited passages in citation order, then the rest collapsed."""
    if answer.refused or not answer.citations:
        cards = "".join(passage_card(p) for p in answer.retrieved[:3])
        return f"<h3>{html.escape(message(lang, 'related'))}</h3>{cards}" if cards else ""
    cited = {c.passage.chunk_id for c in answer.citations}
    rest = [p for p in answer.retrieved if p.chunk_id not in cited]
    out = [f"<h3>{html.escape(message(lang, 'cited'))}</h3>"]
    out += [citation_card(turn, c, lang) for c in answer.citations]
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
