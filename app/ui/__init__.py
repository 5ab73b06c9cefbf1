"""The chat in the browser: `build_ui(engine)` makes the Gradio app, `serve(demo, settings)` runs it."""

from app.ui.layout import build_ui, serve

__all__ = ["build_ui", "serve"]
