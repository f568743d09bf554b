"""The live experience: a Binder-like environment, a JupyterLab server, and what a reader's browser
sees after running a reader notebook. Shared by the live tests and by the tests that show the
checks catch what they claim to (test_live_checks_bite.py).

Each ``check_*`` function takes a :class:`NotebookVisit` and returns a list of problems, one
human-readable string each; an empty list means the check passed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "site"))
import sitecheck  # noqa: E402

#: Files repo2docker reads to build Binder's environment; the live environment is rebuilt
#: whenever one of them changes.
BINDER_FILES = ["runtime.txt", "requirements.txt", "postBuild", "pyproject.toml"]
RUN_TIMEOUT_S = 180


# ------------------------------------------------------------------------ the environment
def env_key(root: Path = ROOT) -> str:
    h = hashlib.sha256()
    for name in BINDER_FILES:
        h.update(name.encode() + b"\0" + (root / name).read_bytes())
    return h.hexdigest()[:16]


def runtime_python(root: Path = ROOT) -> str:
    """The Python version of runtime.txt (``python-3.11`` -> ``3.11``)."""
    text = (root / "runtime.txt").read_text().strip()
    m = re.fullmatch(r"python-(\d+\.\d+)", text)
    if not m:
        raise ValueError(f"runtime.txt: expected python-X.Y, got {text!r}")
    return m.group(1)


def stage_tree(tree: Path, root: Path = ROOT) -> None:
    """(Re)write ``tree`` as the launch branch: the repository with the reader notebooks."""
    shutil.rmtree(tree, ignore_errors=True)
    subprocess.run([sys.executable, str(root / "tools" / "reader_notebooks.py"), "--root", str(root),
                    "stage", str(tree)], check=True, stdout=subprocess.DEVNULL)


def build_env(dest: Path, uv: Path, root: Path = ROOT) -> float:
    """Build a Binder-like environment in ``dest``, from nothing; returns the seconds it took.

    What repo2docker does for a ``requirements.txt`` repository, with uv in place of pip for
    speed: a fresh environment (``dest/venv``) with the Python of ``runtime.txt``, seeded with
    pip, which postBuild uses; ``requirements.txt`` installed into it; then ``postBuild`` run in
    the launch branch's tree (``dest/tree``). Its editable install of the package points at that
    tree, which each test session re-stages from the working tree. ``dest/.complete`` marks a
    finished build.
    """
    t0 = time.monotonic()
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    venv = dest / "venv"
    subprocess.run([str(uv), "venv", "--quiet", "--seed", "--python", runtime_python(root), str(venv)],
                   check=True)
    subprocess.run([str(uv), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
                    "--compile-bytecode", "-r", str(root / "requirements.txt")], check=True)
    stage_tree(dest / "tree", root)
    post_build(venv, dest / "tree")
    (dest / ".complete").write_text(env_key(root))
    return time.monotonic() - t0


def env_vars(env_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ATMP_", "JUPYTER", "VIRTUAL_ENV"))}
    env["PATH"] = f"{env_dir / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(env_dir)
    return env


def post_build(env_dir: Path, tree: Path) -> None:
    """Run the repository's ``postBuild`` in ``tree`` with the environment first on PATH."""
    subprocess.run(["bash", str(tree / "postBuild")], cwd=tree, env=env_vars(env_dir), check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# ------------------------------------------------------------------------ the server
@dataclass
class Lab:
    url: str
    token: str
    process: subprocess.Popen
    root: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((sitecheck.LOCAL_HOST, 0))
        return s.getsockname()[1]


def start_lab(env_dir: Path, tree: Path, scratch: Path) -> Lab:
    """Start JupyterLab on 127.0.0.1 serving ``tree``, with a random token; wait until it answers."""
    token = secrets.token_hex(16)
    port = _free_port()
    settings = scratch / "user-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True, exist_ok=True)
    # Render every cell (JupyterLab otherwise renders only the cells near the viewport).
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = env_vars(env_dir)
    env.update(HOME=str(scratch / "home"), JUPYTER_CONFIG_DIR=str(scratch / "config"),
               JUPYTER_RUNTIME_DIR=str(scratch / "runtime"), JUPYTER_PLATFORM_DIRS="1")
    log = open(scratch / "jupyterlab.log", "w")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [str(env_dir / "bin" / "jupyter"), "lab", "--no-browser", f"--ServerApp.ip={sitecheck.LOCAL_HOST}",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={tree}", f"--LabApp.user_settings_dir={scratch / 'user-settings'}",
         f"--LabApp.workspaces_dir={scratch / 'workspaces'}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly", "--LabApp.expose_app_in_browser=True",
         *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
        cwd=tree, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://{sitecheck.LOCAL_HOST}:{port}/"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}; "
                               f"see {scratch / 'jupyterlab.log'}")
        try:
            with urllib.request.urlopen(f"{url}api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    return Lab(url, token, process, tree)
        except OSError:
            time.sleep(0.5)
    stop_lab(Lab(url, token, process, tree))
    raise RuntimeError(f"JupyterLab did not answer within 90 s; see {scratch / 'jupyterlab.log'}")


def stop_lab(lab: Lab) -> None:
    lab.process.terminate()
    try:
        lab.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        lab.process.kill()
        lab.process.wait()


# ------------------------------------------------------------------------ visiting a notebook
@dataclass
class NotebookVisit:
    """What the browser showed after opening a notebook and running all its cells."""

    path: str
    code_cells: int = 0
    executed_cells: int = 0
    errors: list[str] = field(default_factory=list)
    raw_markup: list[str] = field(default_factory=list)
    figures: int = 0
    broken_images: int = 0
    widgets: int = 0
    widget_redraw: str = ""  # "" = redrew; otherwise what went wrong
    quiz_questions: int = 0
    quiz_feedback: str = ""
    seconds: float = 0.0
    phases: dict = field(default_factory=dict)  # seconds: open (app + kernel), run, widget, quiz


# Cells whose input is collapsed show no prompt; cells run in order, so when every visible prompt
# shows a number, nothing shows "*", and the kernel is idle, the run is over. An error output
# also ends it (Run All stops at the first error).
_STATE_JS = """() => {
  const code = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')];
  const prompts = code.map(c => c.querySelector('.jp-InputArea-prompt')).filter(p => p)
      .map(p => p.textContent || '');
  const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return {code: code.length, visible: prompts.length,
          done: prompts.filter(p => /\\[\\d+\\]/.test(p)).length,
          busy: prompts.filter(p => p.includes('*')).length,
          idle: !!indicator && indicator.getAttribute('data-status') === 'idle',
          error: !!document.querySelector(
              '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')};
}"""

_COLLECT_JS = """() => {
  const out = {errors: [], raw: [], figures: 0, broken: 0, widgets: 0, quiz: 0};
  for (const el of document.querySelectorAll('.jp-OutputArea-output')) {
    const mime = el.getAttribute('data-mime-type') || '';
    if (mime === 'application/vnd.jupyter.stderr'
        || el.querySelector('.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]'))
      out.errors.push(el.textContent.trim().slice(0, 300));
  }
  const rendered = [...document.querySelectorAll(
      '.jp-MarkdownCell .jp-RenderedMarkdown, .jp-OutputArea-output .jp-RenderedMarkdown')];
  for (const md of rendered) {
    const html = md.innerHTML;
    const text = md.textContent;
    const m = html.match(/\\{[A-Za-z][\\w:+-]*\\}(<code|`)/) || html.match(/language-\\{[^"]*/)
        || text.match(/\\{glue[^}]*\\}/);
    if (m) out.raw.push(text.trim().slice(0, 120) + ' … [' + m[0].replace(/<code|`/, '') + ']');
  }
  // Figures: images in the text and in outputs, not those a widget draws (counted apart).
  const images = [...document.querySelectorAll(
      '.jp-MarkdownCell .jp-RenderedMarkdown img, .jp-OutputArea-output img')]
      .filter(img => !img.closest('.jupyter-widgets, .widget-output'));
  out.figures = images.length;
  out.broken = images.filter(img => !(img.complete && img.naturalWidth > 0)).length;
  out.widgets = [...document.querySelectorAll('.jp-OutputArea-output')]
      .filter(o => o.querySelector('.jupyter-widgets')).length;
  out.quiz = document.querySelectorAll('.Quiz .MCButton, .Quiz .Input-text').length;
  return out;
}"""


_OPEN_JS = """async (path) => {
  const app = window.jupyterapp;
  for (const w of [...app.shell.widgets('main')]) {
    if (w.context) w.context.model.dirty = false;   // no "save changes?" dialog
    w.dispose();
  }
  await app.serviceManager.sessions.shutdownAll();
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  window.__panel = panel;
  return true;
}"""
_KERNEL_IDLE_JS = """() => {
  const p = window.__panel;
  return !!(p && p.sessionContext.session && p.sessionContext.session.kernel
            && p.sessionContext.session.kernel.connectionStatus === 'connected'
            && p.sessionContext.session.kernel.status === 'idle');
}"""


def open_lab(context, lab: Lab):
    """One JupyterLab page for all notebooks (loading the app once saves seconds per notebook)."""
    page = context.new_page()
    page.goto(f"{lab.url}lab?token={lab.token}&reset")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.started", timeout=120_000)
    page.evaluate("() => window.jupyterapp.started")
    return page


def open_and_run(page, path: str) -> NotebookVisit:
    """Open ``path`` in JupyterLab (closing what was open), run all cells, record what a reader sees."""
    visit = NotebookVisit(path)
    t0 = time.monotonic()
    try:
        page.evaluate(_OPEN_JS, path)
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-Cell", timeout=90_000)
        page.wait_for_function(_KERNEL_IDLE_JS, timeout=90_000)
        visit.phases["open"] = time.monotonic() - t0
        # What the reader does: Run > Run All Cells.
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while True:
            state = page.evaluate(_STATE_JS)
            if state["idle"] and not state["busy"] and (state["error"] or (
                    state["visible"] and state["done"] == state["visible"])):
                page.wait_for_timeout(300)
                if page.evaluate(_STATE_JS) == state:
                    break
            if time.monotonic() > deadline:
                visit.errors.append(f"cells still running after {RUN_TIMEOUT_S} s: {state}")
                break
            page.wait_for_timeout(200)
        visit.code_cells, visit.executed_cells = state["visible"], state["done"]
        visit.phases["run"] = time.monotonic() - t0 - visit.phases["open"]
        page.wait_for_timeout(300)  # let the last outputs and images render
        seen = page.evaluate(_COLLECT_JS)
        visit.errors += seen["errors"]
        visit.raw_markup = seen["raw"]
        visit.figures, visit.broken_images = seen["figures"], seen["broken"]
        visit.widgets, visit.quiz_questions = seen["widgets"], seen["quiz"]
        t1 = time.monotonic()
        visit.widget_redraw = _move_a_widget(page) if visit.widgets else "no widget"
        visit.phases["widget"] = time.monotonic() - t1
        visit.quiz_feedback = _answer_quiz(page) if visit.quiz_questions else ""
    finally:
        visit.seconds = time.monotonic() - t0
    return visit


def _widget_image(page, box) -> str:
    img = box.locator("img").first
    return img.get_attribute("src") if img.count() else ""


def _move_a_widget(page) -> str:
    """Move the first slider of a widget and wait for its figure to be redrawn; "" on success."""
    boxes = page.locator(".jp-OutputArea-output:has(.jupyter-widgets .noUi-handle)")
    if boxes.count() == 0:
        return "no widget with a slider"
    box = boxes.first
    box.scroll_into_view_if_needed()
    before = _widget_image(page, box)
    if not before:
        return "the widget shows no figure before it is moved"
    handle = box.locator(".noUi-handle").last
    # Move towards the end of the range that is further away, so the value surely changes.
    now, low, high = (float(handle.get_attribute(a) or 0)
                      for a in ("aria-valuenow", "aria-valuemin", "aria-valuemax"))
    handle.focus()
    handle.press("End" if high - now >= now - low else "Home")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        after = _widget_image(page, box)
        if after and after != before:
            return ""
        page.wait_for_timeout(100)
    return "moving the slider did not redraw the figure within 20 s"


def _answer_quiz(page) -> str:
    button = page.locator(".Quiz .MCButton").first
    if not button.count():
        return ""
    button.scroll_into_view_if_needed()
    button.click()
    page.wait_for_timeout(300)
    return page.locator(".Quiz .Feedback").first.text_content() or ""


# ------------------------------------------------------------------------ checks
def check_ran(v: NotebookVisit) -> list[str]:
    if not v.code_cells:
        return ["no code cells rendered"]
    if v.executed_cells != v.code_cells:
        return [f"only {v.executed_cells} of {v.code_cells} code cells ran"]
    return []


def check_errors(v: NotebookVisit) -> list[str]:
    return [f"error output: {e}" for e in v.errors]


def check_raw_markup(v: NotebookVisit) -> list[str]:
    return [f"raw MyST in rendered text: {r}" for r in v.raw_markup]


def check_figures(v: NotebookVisit, expected: int) -> list[str]:
    problems = []
    if v.figures != expected:
        problems.append(f"{v.figures} figures shown, the chapter page has {expected}")
    if v.broken_images:
        problems.append(f"{v.broken_images} images failed to load")
    return problems


def check_widget(v: NotebookVisit) -> list[str]:
    if not v.widgets:
        return ["no live widget"]
    return [f"widget: {v.widget_redraw}"] if v.widget_redraw else []


def check_quiz(v: NotebookVisit) -> list[str]:
    if not v.quiz_questions:
        return ["the quiz did not render"]
    return [] if v.quiz_feedback.strip() else ["the quiz gave no feedback when answered"]


def page_figures(html_file: Path) -> int:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html_file.read_text(encoding="utf-8"), "html.parser")
    return len((soup.find("main") or soup).select("figure img"))
