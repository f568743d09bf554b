"""Reader notebooks: the chapter notebooks as a reader opens them on Binder or Colab.

The source notebooks (``notebooks/*.ipynb``) are written in MyST for Jupyter Book: ``{glue:text}``
roles, ``{glue:figure}`` directives, ``{exercise}``/``{solution}`` blocks, citations, glossary terms
and cross-references. JupyterLab and Colab show all of these as raw text. This tool writes, for
every notebook in ``_toc.yml``, a *reader notebook* that reads like the chapter page:

* numbers and dates where the page has them: each glue role becomes the value the page shows
  (read from the notebook executed by the book build, formatted by myst-nb's own function);
* every figure, with its number, caption and alt text: each ``{glue:figure}`` becomes the glued
  image, embedded in the Markdown as a data URI (Colab does not render cell attachments);
* citations, glossary terms, figure and exercise references as the page renders them (read from
  the built HTML page), linking to the published book;
* each exercise followed by an empty answer cell, and its solution collapsed in ``<details>``;
* code cells as in the source, outputs cleared; cells the page hides are collapsed.

Widgets and the quiz run live when the reader runs the cells. The source notebooks stay the only
thing people edit: the reader notebooks are build products (``make book`` writes them).

Usage (after ``jupyter-book build``)::

    python tools/reader_notebooks.py build        # _build/reader/notebooks/*.ipynb, and copies
                                                  # them where the download button points
    python tools/reader_notebooks.py stage DEST   # DEST = the tree published to the launch branch

A notebook that cannot be converted stops the tool with one line naming the notebook and the
cell, exit status 1, and nothing written.
"""

from __future__ import annotations

import argparse
import base64
import html
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
GLUE_PREFIX = "application/papermill.record/"
ROLE = re.compile(r"\{([A-Za-z][\w:+-]*)\}`([^`]*)`")
FENCE_OPEN = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|:{3,})\{(?P<name>[A-Za-z][\w:+-]*)\}[ \t]*(?P<arg>.*)$")
CODE_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
LOCAL_LINK = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#|/)([^)\s]+?)\.(?:md|ipynb)(#[^)\s]*)?\)")
TARGET_LINE = re.compile(r"^\s*\([\w:.-]+\)=\s*$")
ADMONITIONS = {"admonition", "note", "tip", "hint", "important", "warning", "caution", "attention",
               "danger", "error", "seealso"}
BANNER = (
    "> **Running this chapter live.** This notebook is generated from the chapter of the book "
    "*{title}* ([read it online]({page})). Numbers, figures and references in the text are those "
    "of the book. Run all cells (JupyterLab: *Run ▸ Run All Cells*; Colab: *Runtime ▸ Run all*) "
    "to bring the widgets and the self-check quiz to life. On Colab the first, hidden cell "
    "installs the course package (about a minute); elsewhere it does nothing."
)


class GenerateError(Exception):
    """A notebook could not be converted; the message names the notebook and the cell."""


# ------------------------------------------------------------------------------ configuration
def config(root: Path) -> dict:
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8")) or {}


def site_url(cfg: dict) -> str:
    """Address of the published book: ``html.baseurl`` or the GitHub Pages site of the repository."""
    base = (cfg.get("html") or {}).get("baseurl")
    if base:
        return base.rstrip("/") + "/"
    url = cfg["repository"]["url"].rstrip("/")
    m = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", url)
    if not m:
        raise GenerateError(f"_config.yml: cannot derive the book's address from {url}; set html.baseurl")
    return f"https://{m.group(1).lower()}.github.io/{m.group(2)}/"


def chapter_docnames(root: Path) -> list[str]:
    """Documents of ``_toc.yml`` that are notebooks, in reading order."""
    from atmp import book

    return [d for d in book.toc_docnames(root / "_toc.yml") if (root / f"{d}.ipynb").is_file()]


# ------------------------------------------------------------------------------ the built page
@dataclass
class Page:
    """What the built HTML page of a chapter says: rendered citations, numbers and titles."""

    citations: list[str] = field(default_factory=list)
    numbers: dict[str, str] = field(default_factory=dict)  # element id -> "Fig. 6" / "Exercise 3"
    ref_texts: dict[str, str] = field(default_factory=dict)  # '#label' link -> its text


def _text(node) -> str:
    return re.sub(r"\s+", " ", node.get_text()).strip()


def read_page(path: Path) -> Page:
    from bs4 import BeautifulSoup

    if not path.is_file():
        raise GenerateError(f"{path} is missing: build the book first (make book)")
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    main = soup.find("main") or soup
    page = Page()
    page.citations = [_text(s) for s in main.select("span.bibtex-citation")]
    for num in main.select(".caption-number"):
        owner = num.find_parent(id=True)
        if owner is not None:
            page.numbers.setdefault(owner["id"], _text(num))
    for a in main.select("a.reference.internal[href]"):
        href = a["href"]
        if "#" in href:
            page.ref_texts.setdefault(href.split("#", 1)[1], _text(a))
    return page


def read_titles_and_terms(html_dir: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Page titles by docname, and glossary anchors by term, from the built site."""
    from bs4 import BeautifulSoup

    titles = {}
    for f in html_dir.rglob("*.html"):
        rel = f.relative_to(html_dir).with_suffix("").as_posix()
        if rel.startswith("_"):
            continue
        soup = BeautifulSoup(f.read_text(encoding="utf-8"), "html.parser")
        h1 = soup.select_one("main h1") or soup.find("h1")
        if h1 is not None:
            for a in h1.select("a.headerlink"):
                a.decompose()
            titles[rel] = _text(h1)
    terms = {}
    glossary = html_dir / "book" / "glossary.html"
    if glossary.is_file():
        soup = BeautifulSoup(glossary.read_text(encoding="utf-8"), "html.parser")
        for dt in soup.select("dt[id]"):
            for a in dt.select("a.headerlink"):
                a.decompose()
            terms[_text(dt).lower()] = dt["id"]
    return titles, terms


# ------------------------------------------------------------------------------ glued values
def glue_data(executed: Path, source: nbformat.NotebookNode) -> dict[str, dict]:
    """Glue key -> mime bundle, from the notebook the book build executed.

    myst-nb moves the glued outputs (mime types ``application/papermill.record/...``) out of the
    executed notebook into ``<name>.glue.json`` beside it; any left in the notebook count too.
    """
    if not executed.is_file():
        raise GenerateError(f"{executed} is missing: build the book first (make book)")
    nb = nbformat.read(executed, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    if code != [c.source for c in source.cells if c.cell_type == "code"]:
        raise GenerateError(f"{executed} does not match the source notebook's code: rebuild the book")
    data = {}
    stored = executed.with_name(executed.stem + ".glue.json")
    if stored.is_file():
        for key, out in json.loads(stored.read_text(encoding="utf-8")).items():
            data[key] = {k.removeprefix(GLUE_PREFIX): v for k, v in out.get("data", {}).items()}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook")
            if out.get("output_type") != "display_data" or not meta:
                continue
            data[meta["name"]] = {k.removeprefix(GLUE_PREFIX): v for k, v in out.get("data", {}).items()}
    return data


def format_text(bundle: dict, fmt: str) -> str:
    from myst_nb.core.variables import format_plain_text

    return format_plain_text(bundle["text/plain"], fmt)


# ------------------------------------------------------------------------------ conversion
@dataclass
class Context:
    docname: str
    glue: dict
    page: Page
    titles: dict
    terms: dict
    site: str
    cite_index: int = 0


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


def _split_target(content: str) -> tuple[str | None, str]:
    m = re.fullmatch(r"(.*?)\s*<([^<>]+)>", content.strip(), re.S)
    return (m.group(1), m.group(2)) if m else (None, content.strip())


def resolve_role(name: str, content: str, ctx: Context) -> str:
    if name in ("glue", "glue:text", "glue:md", "glue:"):
        key, _, fmt = content.partition(":")
        if key not in ctx.glue:
            raise GenerateError(f"no glued value {key!r}")
        bundle = ctx.glue[key]
        if name == "glue:md" and "text/markdown" in bundle:
            return bundle["text/markdown"]
        if name == "glue" and "image/png" in bundle:
            return f"![{key}](data:image/png;base64,{_b64(bundle['image/png'])})"
        if "text/plain" not in bundle:
            raise GenerateError(f"glued value {key!r} has no text")
        try:
            return _md_escape(format_text(bundle, fmt or "s"))
        except Exception as exc:  # noqa: BLE001 - reported with the notebook and cell
            raise GenerateError(f"cannot format glued value {key!r} with {fmt!r}: {exc}") from None
    if name.startswith("cite"):
        if ctx.cite_index >= len(ctx.page.citations):
            raise GenerateError(f"citation {content!r} has no rendered counterpart on the page")
        text = ctx.page.citations[ctx.cite_index]
        ctx.cite_index += 1
        return _md_escape(text)
    if name == "term":
        text, target = _split_target(content)
        text = text or target
        anchor = ctx.terms.get(target.lower())
        if anchor is None:
            raise GenerateError(f"glossary term {target!r} not found in book/glossary.html")
        return f"[{_md_escape(text)}]({ctx.site}book/glossary.html#{anchor})"
    if name == "doc":
        text, target = _split_target(content)
        if target.startswith("/"):
            doc = target.lstrip("/")
        else:
            doc = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.docname), target))
        doc = re.sub(r"\.(md|ipynb)$", "", doc)
        if doc not in ctx.titles:
            raise GenerateError(f"document {target!r} not found in the built book")
        return f"[{_md_escape(text or ctx.titles[doc])}]({ctx.site}{doc}.html)"
    if name in ("numref", "ref"):
        text, label = _split_target(content)
        number = ctx.page.numbers.get(label)
        if name == "numref" and text and number:
            return _md_escape(text.replace("%s", number.split()[-1]).replace("{number}", number.split()[-1]))
        if text:
            return _md_escape(text)
        rendered = ctx.page.ref_texts.get(label) or number
        if not rendered:
            raise GenerateError(f"reference target {label!r} not found on the page")
        return _md_escape(rendered)
    if name == "math":
        return f"${content}$"
    raise GenerateError(f"unsupported role {{{name}}}")


def _b64(data) -> str:
    return data if isinstance(data, str) else base64.b64encode(data).decode()


def _site_link(target: str, anchor: str | None, ctx: Context) -> str:
    """A link to another page of the book, as its address on the published site."""
    doc = posixpath.normpath(posixpath.join(posixpath.dirname(ctx.docname), target))
    if doc not in ctx.titles:
        raise GenerateError(f"link to {target!r}: no such page in the built book")
    return f"{ctx.site}{doc}.html{anchor or ''}"


def resolve_roles(text: str, ctx: Context) -> str:
    """Replace the roles in ``text`` (outside code fences and inline code spans)."""
    out, in_code, fence = [], False, ""
    for line in text.split("\n"):
        m = CODE_FENCE.match(line)
        if m and (not in_code or m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)):
            in_code, fence = (not in_code), m.group(1)
            out.append(line)
            continue
        if in_code or TARGET_LINE.match(line):
            if not in_code:
                continue
            out.append(line)
            continue
        line = ROLE.sub(lambda m: resolve_role(m.group(1), m.group(2), ctx), line)
        out.append(LOCAL_LINK.sub(lambda m: f"]({_site_link(m.group(1), m.group(2), ctx)})", line))
    return "\n".join(out)


@dataclass
class Block:
    """A piece of a converted Markdown cell: Markdown, or an (empty) answer code cell."""

    kind: str  # "markdown" | "answer"
    text: str = ""


def _parse_options(body: list[str]) -> tuple[dict, list[str]]:
    opts, i = {}, 0
    while i < len(body) and re.match(r"^\s*:[\w-]+:", body[i]):
        k, _, v = body[i].strip()[1:].partition(":")
        opts[k.strip()] = v.strip()
        i += 1
    return opts, body[i:]


def convert_markdown(text: str, ctx: Context) -> list[Block]:
    """Convert the MyST of one Markdown cell into Markdown that JupyterLab and Colab render."""
    lines, blocks, buf, i = text.split("\n"), [], [], 0

    def flush():
        if buf:
            blocks.append(Block("markdown", resolve_roles("\n".join(buf), ctx)))
            buf.clear()

    in_code, code_fence = False, ""
    while i < len(lines):
        line = lines[i]
        m = None if in_code else FENCE_OPEN.match(line)
        if m is None:
            c = CODE_FENCE.match(line)
            if c and (not in_code or c.group(1)[0] == code_fence[0] and len(c.group(1)) >= len(code_fence)):
                in_code, code_fence = (not in_code), c.group(1)
            buf.append(line)
            i += 1
            continue
        fence, name, arg = m.group("fence"), m.group("name"), m.group("arg").strip()
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        j = i + 1
        while j < len(lines) and not close.match(lines[j]):
            j += 1
        if j == len(lines):
            raise GenerateError(f"{{{name}}} block opened with {fence} is never closed")
        opts, body = _parse_options(lines[i + 1:j])
        flush()
        blocks.extend(convert_directive(name, arg, opts, "\n".join(body).strip("\n"), ctx))
        i = j + 1
    flush()
    return [b for b in blocks if b.kind != "markdown" or b.text.strip()]


def _inner(body: str, ctx: Context) -> str:
    return "\n\n".join(b.text for b in convert_markdown(body, ctx) if b.kind == "markdown")


def _quote(text: str) -> str:
    return "\n".join(("> " + ln) if ln.strip() else ">" for ln in text.split("\n"))


def convert_directive(name: str, arg: str, opts: dict, body: str, ctx: Context) -> list[Block]:
    classes = opts.get("class", "").split()
    if name == "glue:figure":
        bundle = ctx.glue.get(arg)
        if bundle is None:
            raise GenerateError(f"no glued figure {arg!r}")
        if "image/png" not in bundle:
            raise GenerateError(f"glued value {arg!r} is not a PNG image")
        alt = opts.get("alt") or ""
        if not alt:
            raise GenerateError(f"figure {arg!r} has no :alt: text")
        number = ctx.page.numbers.get(opts.get("name", ""), "")
        caption = _inner(body, ctx)
        head = f"**{number}.** " if number else ""
        img = f"![{_md_escape(alt)}](data:image/png;base64,{_b64(bundle['image/png'])})"
        return [Block("markdown", f"{img}\n\n{head}{caption}".rstrip())]
    if name == "exercise":
        number = ctx.page.numbers.get(opts.get("label", ""), "Exercise")
        title = f" — {resolve_roles(arg, ctx)}" if arg else ""
        return [Block("markdown", f"**{number}**{title}\n\n{_inner(body, ctx)}"),
                Block("answer", f"# Your answer to {number}\n")]
    if name == "solution":
        number = ctx.page.numbers.get(arg, "the exercise")
        summary = f"Solution to {number}"
        content = _inner(body, ctx)
        if "dropdown" in classes:
            return [Block("markdown", f"<details>\n<summary><b>{summary}</b> (click to show)</summary>"
                                      f"\n\n{content}\n\n</details>")]
        return [Block("markdown", f"**{summary}**\n\n{content}")]
    if name in ADMONITIONS:
        title = resolve_roles(arg, ctx) if name == "admonition" else (arg or name.capitalize())
        content = _inner(body, ctx)
        if "dropdown" in classes:
            return [Block("markdown", f"<details>\n<summary><b>{html.escape(title)}</b></summary>"
                                      f"\n\n{content}\n\n</details>")]
        return [Block("markdown", _quote(f"**{title}**\n\n{content}"))]
    if name == "math":
        return [Block("markdown", f"$$\n{body}\n$$")]
    raise GenerateError(f"unsupported directive {{{name}}}")


def _hidden(cell) -> bool:
    tags = set(cell.metadata.get("tags", []))
    return bool(tags & {"remove-cell", "remove-input", "hide-input", "hide-cell"})


def convert(docname: str, source: nbformat.NotebookNode, ctx: Context,
            path_label: str) -> nbformat.NotebookNode:
    """The reader notebook of one chapter."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {k: v for k, v in source.metadata.items() if k in ("kernelspec", "language_info")}
    nb.metadata["colab"] = {"provenance": []}
    title = ctx.titles.get(docname, docname)
    nb.cells.append(nbformat.v4.new_markdown_cell(
        BANNER.format(title=title, page=f"{ctx.site}{docname}.html"), id="reader-banner"))
    answers = 0
    for index, cell in enumerate(source.cells):
        where = f"{path_label}, cell {index} (id {cell.get('id', '?')})"
        try:
            if cell.cell_type == "code":
                new = nbformat.v4.new_code_cell(cell.source, id=cell.get("id"))
                new.metadata = dict(cell.metadata)
                if _hidden(cell):
                    new.metadata["jupyter"] = {"source_hidden": True}
                    if re.match(r"#\s?@title", cell.source):
                        new.metadata["cellView"] = "form"
                nb.cells.append(new)
            elif cell.cell_type == "markdown":
                if "remove-cell" in cell.metadata.get("tags", []):
                    continue
                for k, block in enumerate(convert_markdown(cell.source, ctx)):
                    if block.kind == "answer":
                        answers += 1
                        nb.cells.append(nbformat.v4.new_code_cell(block.text, id=f"answer-{answers}"))
                    else:
                        nb.cells.append(nbformat.v4.new_markdown_cell(
                            block.text, id=cell.get("id") if k == 0 else f"{cell.get('id')}-{k}"))
        except GenerateError as exc:
            raise GenerateError(f"{where}: {exc}") from None
        except Exception as exc:  # noqa: BLE001 - one line, with the notebook and cell named
            raise GenerateError(f"{where}: {type(exc).__name__}: {exc}") from None
    if ctx.cite_index != len(ctx.page.citations):
        raise GenerateError(f"{path_label}: {ctx.cite_index} citations in the notebook but "
                            f"{len(ctx.page.citations)} on its page")
    nbformat.validate(nb)
    return nb


def build(root: Path, out: Path, html_dir: Path, executed_dir: Path) -> list[Path]:
    """Write every reader notebook into ``out`` (all or nothing) and into the site's _sources."""
    cfg = config(root)
    site = site_url(cfg)
    titles, terms = read_titles_and_terms(html_dir)
    docnames = chapter_docnames(root)
    if not docnames:
        raise GenerateError("_toc.yml lists no notebooks")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".reader-", dir=out.parent))
    tmp.chmod(0o755)
    try:
        written = []
        for doc in docnames:
            label = f"{doc}.ipynb"
            try:
                source = nbformat.read(root / label, as_version=4)
                glue = glue_data(executed_dir / label, source)
                page = read_page(html_dir / f"{doc}.html")
            except GenerateError as exc:
                raise GenerateError(f"{label}: {exc}") from None
            except Exception as exc:  # noqa: BLE001
                raise GenerateError(f"{label}: {type(exc).__name__}: {exc}") from None
            ctx = Context(doc, glue, page, titles, terms, site)
            nb = convert(doc, source, ctx, label)
            dest = tmp / label
            dest.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nb, dest)
            written.append(label)
        if out.exists():
            shutil.rmtree(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.rename(out)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # The page's download button offers _sources/<doc>.ipynb: make it the reader notebook.
    for label in written:
        target = html_dir / "_sources" / label
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(out / label, target)
    return [out / label for label in written]


def stage(root: Path, reader: Path, dest: Path) -> None:
    """The launch branch's tree: the repository's files (tracked, or new and not ignored, as they
    are in the working tree), with the reader notebooks in place of the sources."""
    if dest.exists() and any(dest.iterdir()):
        raise GenerateError(f"{dest} is not empty")
    notebooks = sorted(reader.rglob("*.ipynb"))
    if not notebooks:
        raise GenerateError(f"{reader} has no reader notebooks: run `make book` first")
    listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], check=True, capture_output=True).stdout
    for rel in sorted(set(filter(None, listed.decode().split("\0")))):
        src = root / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    for nb in notebooks:
        shutil.copyfile(nb, dest / nb.relative_to(reader))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the book's root folder")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("build", help="write the reader notebooks (after jupyter-book build)")
    p = sub.add_parser("stage", help="assemble the launch branch's tree in DEST")
    p.add_argument("dest", type=Path)
    args = parser.parse_args(argv)
    root = args.root.resolve()
    out, html_dir = root / "_build" / "reader", root / "_build" / "html"
    try:
        if args.command == "build":
            paths = build(root, out, html_dir, root / "_build" / "jupyter_execute")
            print(f"reader notebooks: {len(paths)} written to {os.path.relpath(out)}/ "
                  "and the site's download links")
        else:
            stage(root, out, args.dest)
            print(f"launch branch tree staged in {args.dest}")
    except GenerateError as exc:
        print(f"reader notebooks: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
