"""What the plugin checks in, adds to and reads from mkdocs' configuration and files."""

from __future__ import annotations

import logging
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from papershelf.site.feeds import Site
from papershelf.site.rendering import TEMPLATES

ASSETS = Path(__file__).parent.parent / "assets"
# Stylesheet and scripts of the reading pages, served under assets/papershelf/, in this
# order (the search in papershelf.js stems words with snowball-english.js).
ASSET_FILES = {
    "papershelf.css": "extra_css",
    "snowball-english.js": "extra_javascript",
    "papershelf.js": "extra_javascript",
}
# Served there too, linked by our overrides of material's partials/javascripts/: the
# theme's small scripts, once as files rather than inline in every page.
THEME_SCRIPTS = ("theme-scope.js", "palette.js")


def require_directory_urls(config: MkDocsConfig) -> None:
    if not config.use_directory_urls:
        raise PluginError("papershelf: set `use_directory_urls: true` in mkdocs.yml")


def feed_site(config: MkDocsConfig, feed_length: int) -> Site:
    """The site as feeds see it; fails early (before site_dir is touched) without a
    ``site_url``, since feed readers need absolute links."""
    if not config.site_url:
        raise PluginError(
            f"papershelf: `site_url` is missing in {config.config_file_path}. Feeds need "
            "absolute links: add the address the site is published at, e.g. "
            "`site_url: https://example.org/papershelf/`"
        )
    if feed_length < 1:
        raise PluginError(
            f"papershelf: `feed_length` is {feed_length} in {config.config_file_path}; "
            "set it to 1 or more (the default is 50)"
        )
    return Site(
        url=config.site_url,
        name=config.site_name,
        description=config.site_description or "",
        language=str(config.theme.get("language") or "en"),
    )


def site_strings(config: MkDocsConfig) -> dict[str, str]:
    """The site's name and description, as page templates print them."""
    return {"site_name": config.site_name, "site_description": config.site_description or ""}


def use_templates_and_assets(config: MkDocsConfig) -> None:
    """Our template overrides, sitemap, stylesheet and script in the theme."""
    # Our overrides sit just above material's templates, below a user's custom_dir.
    position = 1 if config.theme.custom_dir else 0
    config.theme.dirs.insert(position, str(TEMPLATES))
    # The site's sitemap is ours (papershelf.site.sitemaps): mkdocs' dated every URL.
    config.theme.static_templates.discard("sitemap.xml")
    for name, option in ASSET_FILES.items():
        if f"assets/papershelf/{name}" not in config[option]:
            config[option].append(f"assets/papershelf/{name}")


def add_asset_files(files: Files, config: MkDocsConfig) -> None:
    for name in (*ASSET_FILES, *THEME_SCRIPTS):
        files.append(
            File.generated(config, f"assets/papershelf/{name}", abs_src_path=str(ASSETS / name))
        )


def template_files() -> tuple[tuple[str, int, int], ...]:
    """Name, size and time of every template file: a changed template rebuilds all."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        stat = path.stat()
        found.append((str(path), stat.st_size, stat.st_mtime_ns))
    return tuple(found)


class DirtyBuildWarningFilter(logging.Filter):
    """Drops mkdocs' warning that a ``--dirty`` build may leave stale navigation: our
    incremental builds rebuild every page whose inputs changed (generated pages are
    outside the navigation), and under ``--strict`` that warning would abort them."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("A 'dirty' build is being performed")

    @classmethod
    def install(cls) -> None:
        logging.getLogger("mkdocs.commands.build").addFilter(cls())
