"""The answering path (D30): every shown line is a sentence of an article.

    candidates.py  the sentences the model may point at, numbered <s1>…
    point.py       the pointing prompt and the numbers in the model's reply
    quote.py       is a line a quote of its passage? (no language rules)
    decide.py      the checks each picked sentence passes, from one list (CHECKS)
    render.py      lines in the reader's language: one model call, each line checked
    names.py       names in both scripts, from the articles themselves (and pypinyin)

app.pipeline runs them as named steps.
"""
