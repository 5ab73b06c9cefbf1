"""The bench results as a printed table and a PNG plot of retrieval latency against corpus size."""

from __future__ import annotations

from pathlib import Path


def _ms(d: dict | None) -> str:
    if not d or d.get("p50") is None:
        return "—"
    return f"{d['p50']:g} / {d['p95']:g}"


def _s(v) -> str:
    return "—" if v is None else f"{v:.2f}"


def table(results: dict) -> str:
    """Markdown tables: index, query stages, answer path vs peer and raw llama.cpp, scaling, memory."""
    out: list[str] = []
    ix = results.get("index")
    if ix:
        out += ["## Index (seeds, empty vector cache)", "",
                "| chunks | sentences | chunks/s | sentences/s | build s | peak RSS MB |", "| --- | --- | --- | --- | --- | --- |",
                f"| {ix['chunks']} | {ix['sentences']} | {ix['chunks_per_s']} | {ix['sentences_per_s']} | "
                f"{ix['build_s']} | {ix['peak_rss_mb']} |", ""]
    backends = results.get("backends")
    if backends:
        out += ["## Embedding backends, the seeds side by side in this run", "",
                "| backend | chunks/s | × torch | sentences/s | × torch | embed s | build s | load at start |",
                "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        out += [f"| {r['backend']} | {r['chunks_per_s']} | {r['chunks_per_s_x_torch']} | {r['sentences_per_s']} | "
                f"{r['sentences_per_s_x_torch']} | {r['embed_s']} | {r['build_s']} | {r['load_before']} |" for r in backends]
        out.append("")
    articles = results.get("articles")
    if articles:
        out += ["## Indexing a library of synthetic articles (empty vector cache)", "",
                "| articles | build s | chunks | sentences | how |", "| --- | --- | --- | --- | --- |"]
        out += [f"| {r['articles']:,} | {r.get('build_s', '—')} | {r.get('chunks', '—')} | {r.get('sentences', '—')} | "
                f"{r['how']} |" for r in articles]
        out.append("")
    q = results.get("query")
    if q:
        out += [f"## Query path per stage, ms p50 / p95 ({q['questions']} gold questions)", "",
                "| stage | p50 / p95 ms |", "| --- | --- |"]
        out += [f"| {name} | {_ms(v)} |" for name, v in q["stages"].items()] + [""]
    a, peer = results.get("answer"), results.get("peer")
    if a:
        out += [f"## Answer path, local model ({a['questions']} questions, p50)", "",
                "| | this app | peer (LangChain tutorial) | ratio peer / app |", "| --- | --- | --- | --- |"]
        p = peer or {}

        def row(label, key, fmt=_s):
            mine, theirs = a.get(key), p.get(key)
            ratio = f"{theirs / mine:.1f}x" if mine and theirs else "—"
            out.append(f"| {label} | {fmt(mine)} | {fmt(theirs)} | {ratio} |")

        row("passages shown, s", "passages_s")
        row("quick answer, s", "quick_s")
        row("first token, s", "first_token_s")
        row("full answer, s", "total_s")
        row("prompt tokens", "prompt_tokens", lambda v: "—" if v is None else f"{v:.0f}")
        row("generated tokens", "generated_tokens", lambda v: "—" if v is None else f"{v:.0f}")
        raw = results.get("raw_llama") or {}
        out += ["", "| tokens/s | answer path | raw llama.cpp | answer path / raw |", "| --- | --- | --- | --- |"]
        for label, mine, theirs in (("read (prompt)", a.get("read_tok_s"), raw.get("read_tok_s")),
                                    ("written", a.get("write_tok_s"), raw.get("write_tok_s"))):
            ratio = f"{mine / theirs:.2f}" if mine and theirs else "—"
            out.append(f"| {label} | {mine if mine is not None else '—'} | {theirs if theirs is not None else '—'} | {ratio} |")
        out.append("")
    sc = results.get("scaling")
    if sc:
        out += ["## Retrieval against corpus size (synthetic), ms p50 / p95", "",
                "| chunks | build s | memory MB | disk MB | embed | dense | BM25 | sentences | fusion | retrieval |",
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in sc:
            if not r["fits"]:
                out.append(f"| {r['chunks']:,} | does not fit: needs ~{r['estimated_mb'] / 1024:.1f} GB, "
                           f"{r['available_mb'] / 1024:.1f} GB available | | | | | | | | |")
                continue
            out.append(f"| {r['chunks']:,} | {r['build_s']} | {r['memory_mb']} | {r['disk_mb']} | {_ms(r['embed'])} | {_ms(r['dense'])} | "
                       f"{_ms(r['bm25'])} | {_ms(r['sentences'])} | {_ms(r['fusion'])} | {_ms(r['retrieval'])} |")
        out.append("")
    app = results.get("app")
    if app:
        out += ["## The running app", "", f"Peak RSS {app['peak_rss_mb']} MB after {app['answers']} answers "
                f"(started in {app['ready_s']} s).", ""]
    targets = results.get("targets")
    if targets:
        out += ["## Targets", "", "| target | measured | met |", "| --- | --- | --- |"]
        out += [f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else 'NO'} |" for t in targets] + [""]
    return "\n".join(out)


def plot(results: dict, path: Path) -> Path | None:
    """Retrieval p50/p95 (and its stages' p95) against corpus size, log-log."""
    rows = [r for r in results.get("scaling", []) if r["fits"]]
    if not rows:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = [r["chunks"] for r in rows]
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    ax.plot(sizes, [r["retrieval"]["p95"] for r in rows], "o-", color="black", lw=2, label="retrieval p95")
    ax.plot(sizes, [r["retrieval"]["p50"] for r in rows], "o--", color="black", lw=1, label="retrieval p50")
    for stage, color in (("dense", "tab:blue"), ("bm25", "tab:orange"), ("sentences", "tab:green"),
                         ("embed", "tab:gray")):
        values = [r[stage]["p95"] for r in rows]
        if all(v is not None for v in values):
            ax.plot(sizes, values, ".-", color=color, lw=1, label=f"{stage} p95")
    ax.axhline(250, color="tab:red", lw=0.8, ls=":", label="target at 10^5: 250 ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("chunks in the corpus (synthetic)")
    ax.set_ylabel("ms per question")
    ax.set_title("Retrieval latency against corpus size (2 CPU cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path
