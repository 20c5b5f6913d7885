"""Warn a fork that would publish under the upstream project's addresses.

mkdocs.yml reads ``site_url`` and ``repo_url`` from ``PAPERSHELF_SITE_URL`` and
``PAPERSHELF_REPO_URL`` (``!ENV``), which the deploy workflow sets; without them a build
keeps the shipped defaults, right for ``papershelf/papershelf`` only. On GitHub Actions
in any other repository, a build with those defaults would give feeds, canonical links
and "edit" links pointing at the upstream site: ``shipped_defaults_warnings`` says so,
and what to do.

Nothing here imports mkdocs (``papershelf build`` must start without it):
``config_urls`` reads the two values with PyYAML, resolving ``!ENV`` and ``INHERIT`` the
way mkdocs does.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import yaml

# mkdocs.yml's defaults (tests/cli/test_deploy_check.py checks that they agree).
SHIPPED_SITE_URL = "https://papershelf.github.io/papershelf/"
SHIPPED_REPO_URL = "https://github.com/papershelf/papershelf"
SHIPPED_REPOSITORY = "papershelf/papershelf"
SITE_URL_VARIABLE = "PAPERSHELF_SITE_URL"
REPO_URL_VARIABLE = "PAPERSHELF_REPO_URL"


def shipped_defaults_warnings(
    site_url: str | None, repo_url: str | None, environ: Mapping[str, str]
) -> list[str]:
    """Warning lines when a build on GitHub Actions, in a repository other than
    papershelf/papershelf, still has the shipped ``site_url`` or ``repo_url``; else []."""
    if environ.get("GITHUB_ACTIONS") != "true":
        return []
    repository = environ.get("GITHUB_REPOSITORY", "")
    if not repository or repository.casefold() == SHIPPED_REPOSITORY:
        return []
    warnings = []
    if _same_url(site_url, SHIPPED_SITE_URL):
        warnings.append(
            f"warning: site_url is still {SHIPPED_SITE_URL}, papershelf's own address, "
            f"so this site's feeds and links would point there instead of {repository}'s "
            f"site: the deploy workflow (.github/workflows/deploy.yml) sets "
            f"{SITE_URL_VARIABLE} to the address of this repository's GitHub Pages; or "
            f"set site_url in mkdocs.yml."
        )
    if _same_url(repo_url, SHIPPED_REPO_URL):
        warnings.append(
            f"warning: repo_url is still {SHIPPED_REPO_URL}, so the site's repository "
            f"and edit links would open papershelf's repository instead of {repository}: "
            f"the deploy workflow sets {REPO_URL_VARIABLE} to this repository's URL; or "
            f"set repo_url in mkdocs.yml."
        )
    return warnings


def _same_url(url: str | None, shipped: str) -> bool:
    return url is not None and url.rstrip("/").casefold() == shipped.rstrip("/").casefold()


def config_urls(config_file: Path, environ: Mapping[str, str]) -> tuple[str | None, str | None]:
    """``site_url`` and ``repo_url`` as mkdocs would resolve them from ``config_file``
    with these environment variables: ``!ENV`` tags, keys inherited with ``INHERIT``,
    and a ``/`` added to a site_url that has none. A value that is not a string (or is
    missing) gives None, and so does a configuration that cannot be read: mkdocs
    reports that itself when it builds."""
    try:
        config = _load(config_file, environ, seen=())
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None, None
    site_url, repo_url = config.get("site_url"), config.get("repo_url")
    site_url = _as_directory(site_url) if isinstance(site_url, str) else None
    return site_url, repo_url if isinstance(repo_url, str) else None


def _as_directory(url: str) -> str:
    """mkdocs' ``URL(is_dir=True)``: a URL with a host gets a path ending with ``/``."""
    parts = urlsplit(url)
    if parts.scheme and parts.netloc and not parts.path.endswith("/"):
        return urlunsplit(parts._replace(path=parts.path + "/"))
    return url


def _load(path: Path, environ: Mapping[str, str], seen: tuple[Path, ...]) -> dict[str, Any]:
    """The top-level keys of one configuration file over those it inherits from."""
    resolved = path.resolve()
    if resolved in seen:  # mkdocs would never finish; nothing more to read
        return {}
    loader = _loader(environ)
    with path.open(encoding="utf-8") as stream:
        data = yaml.load(stream, Loader=loader)  # a SafeLoader with !ENV
    if not isinstance(data, dict):
        return {}
    inherit = data.pop("INHERIT", None)
    if not isinstance(inherit, str):
        return data
    # Top-level values of the file itself win over inherited ones (mkdocs deep-merges;
    # for the two plain strings read here that comes to the same).
    parent = _load(path.parent / inherit, environ, (*seen, resolved))
    return {**parent, **data}


def _loader(environ: Mapping[str, str]) -> type[yaml.SafeLoader]:
    """A safe loader with mkdocs' ``!ENV`` tag (pyyaml_env_tag's rules) reading
    ``environ``; any other tag (``!relative``, ``!!python/name:``) reads as None."""

    class Loader(yaml.SafeLoader):
        pass

    def env_tag(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        default = None
        if isinstance(node, yaml.ScalarNode):
            names = [loader.construct_scalar(node)]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
            if len(children) > 1:  # the last item is the default, with YAML's types
                default = loader.construct_object(children[-1])
                children = children[:-1]
            names = [loader.construct_scalar(child) for child in children]
        else:
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a scalar or sequence node, found {node.id}", node.start_mark
            )
        for name in names:
            if name in environ:  # the value gets YAML's implicit types, as with mkdocs
                value = environ[name]
                tag = loader.resolve(yaml.ScalarNode, value, (True, False))
                return loader.construct_object(yaml.ScalarNode(tag, value))
        return default

    def other_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> None:
        return None

    Loader.add_constructor("!ENV", env_tag)
    Loader.add_multi_constructor("", other_tag)
    return Loader
