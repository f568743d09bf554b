"""The Colab set-up cell every chapter notebook starts with (tagged ``remove-cell``).

On Colab only, it clones the course repository (``_config.yml`` ``repository.url``, at the launch
branch ``repository.branch`` that holds the reader notebooks), installs the ``atmp`` package with
its data, and moves into ``notebooks/``. It first says what it installs, because pip then works
silently for about a minute. pip adds only what Colab lacks or has in a version older than the
loose lower bounds of ``pyproject.toml``; nothing is upgraded for its own sake. Elsewhere (Binder,
a local checkout, the book build, the tests) the cell does nothing. In the reader notebooks it is
collapsed, and its ``@title`` line makes Colab show it as one line.
``tests/unit/test_notebooks_anatomy.py`` checks every notebook carries this exact cell.
"""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def repository() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]


def repository_url() -> str:
    return repository()["url"]


def source(url: str | None = None, branch: str | None = None) -> str:
    url = url or repository_url()
    branch = branch or repository()["branch"]
    return f'''# @title Colab set-up: installs the course package (runs only on Colab)
# Colab set-up (hidden in the book): fetch the course and install its package and data.
import os
import subprocess
import sys

if "google.colab" in sys.modules and not os.path.exists("/content/course"):
    REPO, BRANCH = "{url}", "{branch}"
    print(f"Colab set-up: cloning {{REPO}} ({{BRANCH}}) and installing the course package atmp.\\n"
          "pip adds only what Colab lacks (typically lifelines, jupyterquiz, itables, myst-nb)\\n"
          "and upgrades nothing Colab already has in a usable version. About a minute...")
    subprocess.run(["git", "clone", "-q", "--depth", "1", "--branch", BRANCH, REPO, "/content/course"],
                   check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "/content/course"],
                   check=True)
    os.chdir("/content/course/notebooks")
    sys.path.insert(0, "/content/course")
    print("Colab set-up done: run the remaining cells.")'''


if __name__ == "__main__":
    print(source())
