"""Compiled templates are kept between runs, never served once their source has changed, and never required."""

import jinja2

from policygen.render import _TemplateCache


def _render(loader_dir, cache_dir) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(loader_dir)), bytecode_cache=_TemplateCache(str(cache_dir)))
    return env.get_template("t.jinja").render(x=1)


def test_an_edited_template_is_compiled_again(tmp_path):
    src, cache = tmp_path / "src", tmp_path / "cache"
    src.mkdir()
    cache.mkdir()
    (src / "t.jinja").write_text("one {{ x }}")
    assert _render(src, cache) == "one 1"
    assert list(cache.iterdir())
    (src / "t.jinja").write_text("two {{ x }}")
    assert _render(src, cache) == "two 1"


def test_a_cache_that_cannot_be_used_is_none(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "t.jinja").write_text("{{ x }}")
    # A folder that does not exist: nothing can be read or written, and rendering goes on.
    assert _render(src, tmp_path / "missing") == "1"
    cache = tmp_path / "cache"
    cache.mkdir()
    assert _render(src, cache) == "1"
    for f in cache.iterdir():
        f.write_bytes(b"not bytecode")
    assert _render(src, cache) == "1"
