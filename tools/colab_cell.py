"""The Colab set-up cell every chapter notebook starts with (tagged ``remove-cell``).

On Colab only, it clones the course repository (the address in ``_config.yml``
``repository.url``), installs the ``atmp`` package with its data, and moves into ``notebooks/``.
Elsewhere (Binder, a local checkout, the book build, the tests) it does nothing.
``tests/unit/test_notebooks_anatomy.py`` checks every notebook carries this exact cell.
"""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def repository_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def source(url: str | None = None) -> str:
    url = url or repository_url()
    return f'''# Colab set-up (hidden in the book): fetch the course and install its package and data.
import os
import subprocess
import sys

if "google.colab" in sys.modules and not os.path.exists("/content/course"):
    REPO = "{url}"
    subprocess.run(["git", "clone", "--depth", "1", REPO, "/content/course"], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-e", "/content/course"],
                   check=True)
    os.chdir("/content/course/notebooks")
    sys.path.insert(0, "/content/course")'''


if __name__ == "__main__":
    print(source())
