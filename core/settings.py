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
    "CITEWISE_LLM_GGUF": ("llm_gguf", "GGUF file for the local chat model"),
    "CITEWISE_INDEX_DIR": ("index_dir", "where index builds and the `current` pointer live"),
    "CITEWISE_DOCS": ("docs_dirs", "folders of .txt/.md articles, separated by ':'"),
    "CITEWISE_CHROMA_HOST": ("chroma_host", "Chroma server host; empty = embedded store"),
    "CITEWISE_CHROMA_PORT": ("chroma_port", "Chroma server port"),
    "CITEWISE_ALLOW_HUB": ("allow_hub", "1 = allow sentence-transformers to download from the hub"),
    "CITEWISE_THREADS": ("threads", "CPU threads for the models"),
    "CITEWISE_LLM_BASE_URL": ("llm_base_url", "OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1; empty = local GGUF"),
    "CITEWISE_LLM_MODEL": ("llm_model", "model name on that server"),
    "CITEWISE_LLM_API_KEY": ("llm_api_key", "API key for that server"),
    "CITEWISE_LLM_TIMEOUT": ("llm_timeout_s", "seconds before a model answer is abandoned for the quick answer"),
    "CITEWISE_HOST": ("host", "address the chat binds to"),
    "CITEWISE_PORT": ("port", "port the chat listens on"),
}


@dataclass(frozen=True)
class Settings:
    """Every setting, with its default.

    Relative paths are taken from the project root, so commands work from any folder.
    """

    models_dir: Path = ROOT / "models"
    # A folder (absolute, or relative to models_dir) or a hub id such as "google/embeddinggemma-300m".
    embed_model: str = "embeddinggemma-300m"
    llm_gguf: str = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
    index_dir: Path = ROOT / "data" / "index"
    docs_dirs: tuple[Path, ...] = (ROOT / "seeds",)
    # Chunker: sentences are packed until a chunk would pass `chunk_chars` characters;
    # `chunk_overlap` trailing sentences are repeated at the start of the next chunk.
    # Chosen by retrieval measurements, see DECISIONS.md.
    chunk_chars: int = 400
    chunk_overlap: int = 1
    max_file_bytes: int = 2_000_000
    retrieve_k: int = 5
    # Below this cosine between the question and its best evidence sentence, nothing is
    # relevant and the answer is a refusal (calibrated on the gold set, DECISIONS.md).
    relevance_floor: float = 0.44
    # When no sentence of the model's answer survives verification, evidence this strong is
    # shown as the quick answer instead of a refusal.
    confident_evidence: float = 0.62
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
    def chunker(self) -> dict[str, int]:
        return {"chunk_chars": self.chunk_chars, "chunk_overlap": self.chunk_overlap}

    def with_(self, **changes) -> Settings:
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
    if kind == "Path":
        return _path(raw)
    if kind == "tuple[Path, ...]":
        return tuple(_path(p) for p in raw.split(":") if p)
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise ConfigError(f"{var}={raw!r} is not a whole number; set it to e.g. {var}=2") from None
    if kind == "bool":
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        raise ConfigError(f"{var}={raw!r} is not a yes/no value; use 1 or 0")
    return raw


def _path(raw: str) -> Path:
    path = Path(raw).expanduser()
    return path if path.is_absolute() else (Path.cwd() / path)
