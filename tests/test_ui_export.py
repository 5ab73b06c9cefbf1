"""The Markdown export: what a person keeps, exactly, and nothing in it renders live."""

from __future__ import annotations

from app.ui.export import conversation_markdown
from core.records import Answer, Citation, Note, Passage

XSS = "<img src=x onerror=alert(1)>"
IMAGE = "![x](http://127.0.0.2/p.png)"


def passage(source: str, title: str, text: str, date: str | None = None) -> Passage:
    return Passage(chunk_id=f"{source}:0", source=source, title=title, date=date, text=text,
                   start=0, end=len(text), score=0.9)


def answer(question: str, text: str, citations=(), retrieved=(), notes=(), refused=False) -> Answer:
    return Answer(question=question, language="en", text=text, refused=refused, citations=list(citations),
                  retrieved=list(retrieved), notes=list(notes), timings={}, source="model")


ORACLE = passage("oracle.txt", "Oracle's debt", "Oracle's ratio is 427%.\nMicrosoft's is 32.7%.", "2025-10-01")
NVIDIA = passage("nvidia.txt", "Nvidia and OpenAI", "Nvidia invests in tranches. Each is $10 billion.")


def test_a_conversation_keeps_markers_quotes_and_whole_passages():
    turns = [
        answer("What is Oracle's ratio?", "It is 427% [1], against 32.7% for Microsoft [1].",
               citations=[Citation(1, ORACLE, "Oracle's ratio is 427%.", 0, 23)]),
        answer("How does Nvidia invest?", "In tranches [1] of $10 billion [2].",
               citations=[Citation(1, NVIDIA, "Nvidia invests in tranches.", 0, 27),
                          Citation(2, NVIDIA, "Each is $10 billion.", 28, 48)],
               notes=[Note("sources_differ")]),
    ]
    assert conversation_markdown(turns, title="Oracle & Nvidia") == (
        "# Oracle &amp; Nvidia\n"
        "\n"
        "### Q1. What is Oracle's ratio?\n"
        "\n"
        "It is 427% [1], against 32.7% for Microsoft [1].\n"
        "\n"
        "**Sources**\n"
        "\n"
        "[1] Oracle's debt — oracle.txt, 2025-10-01\n"
        "\n"
        "> Oracle's ratio is 427%.\n"
        "\n"
        "Passage:\n"
        "\n"
        "> Oracle's ratio is 427%.\n"
        "> Microsoft's is 32.7%.\n"
        "\n"
        "---\n"
        "\n"
        "### Q2. How does Nvidia invest?\n"
        "\n"
        "In tranches [1] of $10 billion [2].\n"
        "\n"
        "**Sources**\n"
        "\n"
        "[1] Nvidia and OpenAI — nvidia.txt\n"
        "\n"
        "> Nvidia invests in tranches.\n"
        "\n"
        "Passage:\n"
        "\n"
        "> Nvidia invests in tranches. Each is $10 billion.\n"
        "\n"
        "[2] Nvidia and OpenAI — nvidia.txt\n"
        "\n"
        "> Each is $10 billion.\n"
        "\n"
        "Passage:\n"
        "\n"
        "> Nvidia invests in tranches. Each is $10 billion.\n"
        "\n"
        "**Notes**\n"
        "\n"
        "- _The sources differ on this point; both are cited._\n"
    )


def test_document_and_model_text_is_inert_but_markers_stay():
    hostile = passage("evil.txt", f"Title {XSS}", f"Body {IMAGE}", date=XSS)
    turn = answer(f"Q {XSS}?", f"Answer {XSS} {IMAGE} [1]. [2](http://127.0.0.2/) [3]: http://127.0.0.2/",
                  citations=[Citation(1, hostile, f"Quote {IMAGE}", 0, 10)],
                    notes=[Note("off_question", {"sentence": f"Warn {IMAGE}"})])
    assert conversation_markdown([turn]).splitlines() == [
        "# Citewise conversation",
        "",
        "### Q1. Q &lt;img src=x onerror=alert\\(1\\)&gt;?",
        "",
        "Answer &lt;img src=x onerror=alert\\(1\\)&gt; \\!\\[x\\]\\(http://127.0.0.2/p.png\\) [1]. "
        "[2]\\(http://127.0.0.2/\\) \\[3\\]: http://127.0.0.2/",
        "",
        "**Sources**",
        "",
        "[1] Title &lt;img src=x onerror=alert\\(1\\)&gt; — evil.txt, &lt;img src=x onerror=alert\\(1\\)&gt;",
        "",
        "> Quote \\!\\[x\\]\\(http://127.0.0.2/p.png\\)",
        "",
        "Passage:",
        "",
        "> Body \\!\\[x\\]\\(http://127.0.0.2/p.png\\)",
        "",
        "**Notes**",
        "",
        "- _Left out “Warn \\!\\[x\\]\\(http://127.0.0.2/p.png\\)”: it is about something other than the question._",
    ]


def test_a_refused_answer_lists_the_first_three_related_passages():
    related = [passage(f"{i}.txt", f"Article {i}", "text") for i in range(1, 5)]
    turn = answer("Who won the 1998 World Cup?", "The articles do not say.", retrieved=related, refused=True)
    assert conversation_markdown([turn]) == (
        "# Citewise conversation\n"
        "\n"
        "### Q1. Who won the 1998 World Cup?\n"
        "\n"
        "The articles do not say.\n"
        "\n"
        "**Related passages**\n"
        "\n"
        "- Article 1 — 1.txt\n"
        "- Article 2 — 2.txt\n"
        "- Article 3 — 3.txt\n"
    )


def test_a_multi_line_question_stays_one_heading():
    turn = answer("What\n# is this?", "Nothing.")
    assert conversation_markdown([turn]).splitlines()[2] == "### Q1. What \\# is this?"
