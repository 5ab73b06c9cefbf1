"""All configuration in one place.

`Settings` holds every knob with its default. Code receives a `Settings`; only entry
points (`python -m index`, `python -m app`, ...) call `Settings.from_env()`, which reads
the `CITEWISE_*` variables listed in `ENV_VARS`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from core.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

# Environment variable -> (Settings field, description). The README table is made from this.
ENV_VARS: dict[str, tuple[str, str]] = {
    "CITEWISE_MODELS_DIR": ("models_dir", "folder holding provisioned model weights"),
    "CITEWISE_EMBED_MODEL": ("embed_model", "sentence-transformers folder or hub id"),
    "CITEWISE_EMBED_BACKEND": ("embed_backend", "openvino (its export, in bf16) or torch: what runs the provisioned embedding model (D35)"),
    "CITEWISE_LLM_GGUF": ("llm_gguf", "GGUF file for the local chat model"),
    "CITEWISE_INDEX_DIR": ("index_dir", "where index builds and the `current` pointer live"),
    "CITEWISE_DOCS": ("docs_dirs", "folders of .txt/.md articles, separated by ':'"),
    "CITEWISE_UPLOADS_DIR": ("uploads_dir", "where articles added in the page are kept; default: beside the index"),
    "CITEWISE_UPLOADS": ("uploads", "1/0 = people may (not) add and remove articles in the page; default: only on loopback"),
    "CITEWISE_CHROMA_HOST": ("chroma_host", "Chroma server host; empty = embedded store"),
    "CITEWISE_CHROMA_PORT": ("chroma_port", "Chroma server port"),
    "CITEWISE_ALLOW_HUB": ("allow_hub", "1 = allow sentence-transformers to download from the hub"),
    "CITEWISE_THREADS": ("threads", "CPU threads for the models"),
    "CITEWISE_LLM_BASE_URL": ("llm_base_url", "OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1; empty = local GGUF"),
    "CITEWISE_LLM_MODEL": ("llm_model", "model name on that server"),
    "CITEWISE_LLM_API_KEY": ("llm_api_key", "API key for that server"),
    "CITEWISE_LLM_TIMEOUT": ("llm_timeout_s", "seconds before a model answer is abandoned for the quick answer"),
    "CITEWISE_WARM": ("warm_start", "1/0: answer one question at start so the first person's is not slower"),
    "CITEWISE_HOST": ("host", "address the chat binds to"),
    "CITEWISE_PORT": ("port", "port the chat listens on"),
}


@dataclass(frozen=True)
class Fusion:
    """Weights of the dense, keyword and best-sentence rankings in reciprocal-rank fusion, per language."""

    dense: dict[str, float] = field(default_factory=lambda: {"zh": 1.0, "en": 1.0})
    keyword: dict[str, float] = field(default_factory=lambda: {"zh": 2.0, "en": 0.0})  # D1
    # Chunks ranked by their best sentence: a long passage whose one sentence answers
    # the question is diluted in the chunk vector but not here (D6).
    sentence: dict[str, float] = field(default_factory=lambda: {"zh": 1.0, "en": 1.0})
    candidates: int = 30  # taken from each side before fusing
    # Above this many chunks the sentence ranking scores only the dense and BM25 candidates'
    # sentences: a full scan is ~100 ms at 10^5 chunks (D17), and the vectors stay on disk.
    sentence_scan_max: int = 20_000


@dataclass(frozen=True)
class Policy:
    """Every tuned threshold of answering, each with the DECISIONS.md entry that chose it.

    Cosines are between embedding vectors of the local embedding model; a change of model
    means measuring these again (`python -m eval --split tune`).
    """

    fusion: Fusion = field(default_factory=Fusion)
    # Below this cosine between the question and its best evidence sentence nothing is
    # relevant: a refusal without a model call (D8; lowered for pointing in D30).
    relevance_floor: float = 0.35
    # The quick answer: a second sentence only within `quick_margin` of the best (D8).
    quick_margin: float = 0.05
    quick_sentences: int = 2
    # Answering by pointing (D30): the model sees at most `candidates` sentences within
    # `candidate_budget` tokens (app.answering.candidates.cost), each part's best
    # `candidate_part_first` first, and names at most `pick_most`.
    candidates: int = 6
    candidate_budget: int = 360
    candidate_part_first: int = 2
    pick_most: int = 4
    # The model's first written token, read as probabilities over "0" and the tags (D31): the
    # answer is a refusal when "0" has at least `none_share` of them; otherwise every tag with
    # at least `pick_share` of the likeliest tag's probability is picked besides the reply's own.
    none_share: float = 0.35
    pick_share: float = 0.5
    # A picked sentence is shown when its cosine to the question reaches `pick_floor` (D30, D31).
    pick_floor: float = 0.40
    # Conflicts: both sides within `conflict_margin` of the best evidence, saying nearly the
    # same thing (cosine >= `conflict_same_thing`) (D8).
    conflict_margin: float = 0.06
    conflict_same_thing: float = 0.75
    # Scope: a question closer by `scope_margin` to an out-of-scope example (off-topic,
    # instructions, predictions) than to any in-scope one gets the scope reply (D20: 1.0 = never
    # for a relevant question; an irrelevant one gets it whenever its closest example is out of scope).
    scope_margin: float = 1.0
    # An article sentence whose instruction probe score (log-odds, app.planted) exceeds this is
    # an instruction to a machine reader and never evidence (D25).
    instruction_score: float = 0.8
    # When the model fails (down, hanging, none configured) nothing says the articles lack the
    # answer: the quick answer stands in when its evidence is this strong (D11, D20).
    quick_min_evidence: float = 0.62


POLICY_FIELDS = frozenset(f.name for f in fields(Policy))


@dataclass(frozen=True)
class Settings:
    """Every setting, with its default.

    Relative paths are taken from the project root, so commands work from any folder.
    """

    models_dir: Path = ROOT / "models"
    # A folder (absolute, or relative to models_dir) or a hub id such as "google/embeddinggemma-300m".
    embed_model: str = "embeddinggemma-300m"
    # "openvino": the provisioned model's OpenVINO export, made by `python -m provision`, run in bf16
    # (D35); another embed_model always runs on torch, as does "torch".
    embed_backend: str = "openvino"
    llm_gguf: str = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    index_dir: Path = ROOT / "data" / "index"
    docs_dirs: tuple[Path, ...] = (ROOT / "seeds",)
    # Chunker: sentences are packed until a chunk would pass `chunk_chars` characters;
    # `chunk_overlap` trailing sentences are repeated at the start of the next chunk.
    # Chosen by retrieval measurements, see DECISIONS.md.
    chunk_chars: int = 400
    chunk_overlap: int = 1
    max_file_bytes: int = 2_000_000
    # Articles added in the page: kept as text in `upload_folder`, indexed with the folders above.
    uploads_dir: Path | None = None
    uploads: bool | None = None  # None: allowed only while the chat listens on loopback (README, "Adding articles")
    max_upload_bytes: int = 20_000_000  # an uploaded file (a PDF is mostly not text); its text must fit max_file_bytes
    retrieve_k: int = 5
    policy: Policy = field(default_factory=lambda: Policy())
    embed_batch: int = 16
    chroma_host: str | None = None
    chroma_port: int = 8000
    allow_hub: bool = False
    threads: int = 2
    # Generation: the local GGUF unless a base URL is set (then model and key are used too).
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: int = 45
    llm_max_tokens: int = 200
    llm_ctx: int = 4096
    warm_start: bool = True  # D27
    host: str = "127.0.0.1"
    port: int = 7860
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def embed_path(self) -> Path | str:
        """The embedding model as a local folder if one exists, else the hub id as given."""
        candidate = Path(self.embed_model)
        if not candidate.is_absolute():
            candidate = self.models_dir / candidate
        if candidate.exists() or not _looks_like_hub_id(self.embed_model):
            return candidate
        return self.embed_model

    @property
    def llm_path(self) -> Path:
        path = Path(self.llm_gguf)
        return path if path.is_absolute() else self.models_dir / path

    @property
    def upload_folder(self) -> Path:
        return self.uploads_dir or self.index_dir.parent / "uploads"

    @property
    def corpus_dirs(self) -> tuple[Path, ...]:
        """Every folder indexed: the configured ones and the page's uploads."""
        return (*self.docs_dirs, self.upload_folder)

    @property
    def uploads_allowed(self) -> bool:
        """Whether the page may change the articles: anyone who reaches the page could, so by
        default only when nobody else can reach it."""
        if self.uploads is not None:
            return self.uploads
        return self.host in ("127.0.0.1", "localhost", "::1")

    @property
    def chunker(self) -> dict[str, int]:
        return {"chunk_chars": self.chunk_chars, "chunk_overlap": self.chunk_overlap}

    def with_(self, **changes) -> Settings:
        """A copy with some fields changed; names of `Policy` fields change the policy.

        >>> Settings().with_(relevance_floor=0.2, port=80).policy.relevance_floor
        0.2
        """
        tuned = {k: changes.pop(k) for k in list(changes) if k in POLICY_FIELDS}
        if tuned:
            changes["policy"] = replace(changes.get("policy", self.policy), **tuned)
        return replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides) -> Settings:
        """Settings from `CITEWISE_*` variables, then keyword overrides.

        >>> Settings.from_env({"CITEWISE_PORT": "8080"}).port
        8080
        """
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        types = {f.name: f.type for f in fields(cls)}
        for var, (name, _) in ENV_VARS.items():
            raw = environ.get(var)
            if raw is None or raw.strip() == "":
                continue
            values[name] = _parse(var, types[name], raw.strip())
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _looks_like_hub_id(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and all(parts) and not name.startswith((".", "/"))


def _parse(var: str, kind: str, raw: str) -> object:
    if kind in ("Path", "Path | None"):
        return _path(raw)
    if kind == "tuple[Path, ...]":
        return tuple(_path(p) for p in raw.split(":") if p)
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{var}={raw!r} is not a whole number; set it to e.g. {var}=2") from None
    if kind in ("bool", "bool | None"):
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{var}={raw!r} is not a yes/no value; use 1 or 0")
    return raw


def _path(raw: str) -> Path:
    path = Path(raw).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path)
