"""Export the verified embedding model for OpenVINO, once, at provisioning time (D32).

The whole sentence-transformers pipeline after the tokenizer (Gemma encoder, mean pooling, the
two Dense layers, normalisation) becomes one graph: torch → ONNX (torch's own exporter; the
optimum exporters need an older transformers) → OpenVINO IR. OpenVINO runs it in fp32, about twice
as fast as torch on this machine with the same vectors (bf16 was four times as fast but moved
passages and top results: D32).

Nothing is downloaded: the source is the folder `provision` verified. The export is checked
against torch on probe sentences before it is moved into place, and stamped with what it was
made from, so a later run re-uses it and a changed source or recipe makes it again.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from core.errors import ConfigError, ProvisionError
from core.lock import FileLock
from core.settings import Settings
from provision.fetch import sha256_file
from provision.specs import EMBEDDER, STAMP, ModelSpec

RECIPE = 1  # raise when the export's steps change, so every stamped export is made again
FILES = ("model.xml", "model.bin")
# Probe sentences compared with torch before the export is accepted, run as the embedder runs it
# (fp32): a whole export gives 1.0 to rounding, a broken graph falls far below.
PROBES = ("英伟达周二股价上涨3.5%，市值再创新高。", "The library budget was cut by 12 percent this year.", "数据中心")
MIN_COSINE = 0.999


# "openvino" runs the export in bf16 where the CPU has bf16 instructions (D35). In f32 it gave
# torch's vectors exactly but indexed no faster than torch, so torch is the exact choice.
BACKENDS = ("openvino", "torch")


def backend(settings: Settings) -> str:
    """The backend that runs the embedder: OpenVINO when asked for and the model is the provisioned
    default (the export is made from it), torch otherwise (another folder or a hub id).

    >>> backend(Settings()), backend(Settings(embed_backend="torch")), backend(Settings(embed_model="BAAI/bge-m3"))
    ('openvino', 'torch', 'torch')
    """
    if settings.embed_backend not in BACKENDS:
        raise ConfigError(f"CITEWISE_EMBED_BACKEND={settings.embed_backend!r} is not one of {', '.join(BACKENDS)}.")
    default = settings.models_dir / EMBEDDER.target
    return settings.embed_backend if settings.embed_path == default else "torch"


def export_dir(models_dir: Path, spec: ModelSpec) -> Path:
    return models_dir / f"{spec.target}-openvino"


def _stamp_path(models_dir: Path, spec: ModelSpec) -> Path:
    return models_dir / f".{spec.target}-openvino{STAMP}"


def _fingerprint(folder: Path) -> dict[str, list[int]]:
    return {name: [(folder / name).stat().st_size, (folder / name).stat().st_mtime_ns] for name in FILES}


def _source(spec: ModelSpec) -> dict[str, object]:
    """What an export is made from: the verified weights and the recipe."""
    return {"id": spec.id, "sha256": spec.sha256["model.safetensors"], "recipe": RECIPE}


def is_exported(models_dir: Path, spec: ModelSpec) -> bool:
    """True when the export is in place, made from this source and recipe, and unchanged since."""
    folder, stamp = export_dir(models_dir, spec), _stamp_path(models_dir, spec)
    if not stamp.is_file() or not all((folder / name).is_file() for name in FILES):
        return False
    try:
        recorded = json.loads(stamp.read_text())
        return recorded["source"] == _source(spec) and recorded["files"] == _fingerprint(folder)
    except (OSError, ValueError, KeyError):
        return False


def _pipeline(source: Path):
    """The sentence-transformers model after its tokenizer, as one torch module of (ids, mask)."""
    import torch
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(source), device="cpu", local_files_only=True)

    class Pipeline(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = model[0].model
            self.dense = torch.nn.ModuleList([model[2], model[3]])

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            vector = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)  # the model's mean pooling
            for layer in self.dense:
                vector = layer({"sentence_embedding": vector})["sentence_embedding"]
            return torch.nn.functional.normalize(vector, dim=-1)

    return model, Pipeline().eval()


def _export(source: Path, out: Path) -> float:
    """Write model.xml/.bin into `out`; return the lowest cosine to torch on the probes."""
    import numpy as np
    import openvino as ov
    import torch

    model, pipeline = _pipeline(source)
    batch = model.tokenizer([model.prompts["document"] + p for p in PROBES], padding=True, return_tensors="pt")
    ids, mask = batch["input_ids"], batch["attention_mask"]
    with torch.no_grad():
        expected = pipeline(ids, mask).numpy()
    onnx_dir = out / "onnx"
    onnx_dir.mkdir()
    dims = {0: torch.export.Dim("batch"), 1: torch.export.Dim("length")}
    # "vector", not "embedding": the exporter names the token lookup's output "embedding" too
    torch.onnx.export(pipeline, (ids, mask), str(onnx_dir / "model.onnx"), input_names=["input_ids", "attention_mask"],
                      output_names=["vector"], dynamic_shapes={"input_ids": dims, "attention_mask": dims},
                      dynamo=True, external_data=True, verbose=False)
    core = ov.Core()
    # read_model, not convert_model: the runtime reads ONNX itself and sends no telemetry
    ov.save_model(core.read_model(str(onnx_dir / "model.onnx")), str(out / "model.xml"), compress_to_fp16=False)
    shutil.rmtree(onnx_dir)
    compiled = core.compile_model(str(out / "model.xml"), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    got = compiled({"input_ids": ids.numpy(), "attention_mask": mask.numpy()})[0]
    return float(np.min(np.sum(got * expected, axis=1)))


def export_openvino(spec: ModelSpec, models_dir: Path, log: Callable[[str], None] = print) -> Path:
    """Make `models_dir/<target>-openvino` hold the checked export of the provisioned model.

    Re-running when the stamped export is in place does nothing.
    """
    target = export_dir(models_dir, spec)
    with FileLock(models_dir / ".provision.lock", what="model provisioning"):
        if is_exported(models_dir, spec):
            log(f"{spec.id}: OpenVINO export ready at {target}")
            return target
        source = models_dir / spec.target
        if not source.is_dir():
            raise ProvisionError(f"No {spec.id} at {source} to export: run `python -m provision` first.")
        log(f"{spec.id}: exporting for OpenVINO (a few minutes, once) …")
        scratch = Path(tempfile.mkdtemp(prefix=".provision-", dir=models_dir))
        try:
            built = scratch / "built"
            built.mkdir()
            cosine = _export(source, built)
            if cosine < MIN_COSINE:
                raise ProvisionError(f"{spec.id}: the OpenVINO export disagrees with torch (cosine {cosine:.4f} "
                                     f"< {MIN_COSINE}); nothing was installed")
            if target.exists():
                target.rename(scratch / "old")
            built.rename(target)
            stamp = _stamp_path(models_dir, spec)
            record = {"source": _source(spec), "sha256": {name: sha256_file(target / name) for name in FILES},
                      "files": _fingerprint(target), "probe_cosine": round(cosine, 5)}
            stamp.with_suffix(".tmp").write_text(json.dumps(record, indent=1))
            stamp.with_suffix(".tmp").replace(stamp)
            log(f"{spec.id}: OpenVINO export checked (cosine to torch {cosine:.5f}) and installed at {target}")
            return target
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
