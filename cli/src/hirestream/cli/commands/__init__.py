"""Command groups of the ``hirestream`` CLI, one module per area.

Each module here defines ``register(app: typer.Typer) -> None``; ``main`` calls every one, so an
area adds its commands without editing the others'.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer


def register_all(app: typer.Typer) -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        register = getattr(loaded, "register", None)
        if callable(register):
            register(app)
