"""build_tools.deploy_check: a fork built on GitHub Actions with papershelf's own
site_url or repo_url is warned, and the two values are read as mkdocs reads them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from mkdocs.config import load_config

from build_tools.deploy_check import (
    REPO_URL_VARIABLE,
    SHIPPED_REPO_URL,
    SHIPPED_SITE_URL,
    SITE_URL_VARIABLE,
    config_urls,
    shipped_defaults_warnings,
)

ROOT = Path(__file__).resolve().parents[2]
MKDOCS_YML = ROOT / "mkdocs.yml"
FORK = {"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "octo/reading-list"}
FORK_SITE = "https://octo.github.io/reading-list/"
FORK_REPO = "https://github.com/octo/reading-list"


# --- the shipped mkdocs.yml --------------------------------------------------------


def test_mkdocs_yml_defaults_are_the_modules_constants():
    assert config_urls(MKDOCS_YML, {}) == (SHIPPED_SITE_URL, SHIPPED_REPO_URL)


def test_mkdocs_yml_reads_both_urls_from_the_variables_the_deploy_workflow_sets():
    text = MKDOCS_YML.read_text(encoding="utf-8")
    assert f'site_url: !ENV [{SITE_URL_VARIABLE}, "{SHIPPED_SITE_URL}"]' in text
    assert f'repo_url: !ENV [{REPO_URL_VARIABLE}, "{SHIPPED_REPO_URL}"]' in text


def test_setting_the_variables_changes_the_resolved_urls():
    environ = {SITE_URL_VARIABLE: FORK_SITE, REPO_URL_VARIABLE: FORK_REPO}
    assert config_urls(MKDOCS_YML, environ) == (FORK_SITE, FORK_REPO)
    only_site = {SITE_URL_VARIABLE: "https://shelf.example.org/"}
    assert config_urls(MKDOCS_YML, only_site) == ("https://shelf.example.org/", SHIPPED_REPO_URL)


@pytest.mark.parametrize(
    "environ",
    [
        {},
        {SITE_URL_VARIABLE: FORK_SITE, REPO_URL_VARIABLE: FORK_REPO},
        # configure-pages gives base_url without the slash; mkdocs adds one.
        {SITE_URL_VARIABLE: "https://octo.github.io/reading-list"},
        {SITE_URL_VARIABLE: "https://shelf.example.org"},
    ],
    ids=["defaults", "fork", "no-slash", "custom-domain"],
)
def test_the_urls_are_those_mkdocs_itself_resolves(environ, monkeypatch):
    for name in (SITE_URL_VARIABLE, REPO_URL_VARIABLE):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    config = load_config(str(MKDOCS_YML))
    assert config_urls(MKDOCS_YML, environ) == (config.site_url, config.repo_url)


# --- how the configuration is read ------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_inherited_values_and_env_tags_in_the_parent_are_resolved(tmp_path):
    write(tmp_path, "base.yml", "site_name: B\nsite_url: !ENV [SHELF_URL, https://a.org/x]\n")
    child = write(tmp_path, "mkdocs.yml", "INHERIT: base.yml\nrepo_url: https://git.org/r\n")
    assert config_urls(child, {}) == ("https://a.org/x/", "https://git.org/r")
    assert config_urls(child, {"SHELF_URL": "https://b.org/"}) == (
        "https://b.org/",
        "https://git.org/r",
    )


def test_the_inheriting_file_wins_over_its_parent(tmp_path, monkeypatch):
    (tmp_path / "docs").mkdir()
    write(
        tmp_path, "base.yml", "site_name: B\nsite_url: https://a.org/\nrepo_url: https://a.org/r\n"
    )
    child = write(tmp_path, "mkdocs.yml", "INHERIT: base.yml\nsite_url: https://c.org/\n")
    assert config_urls(child, {}) == ("https://c.org/", "https://a.org/r")
    config = load_config(str(child))
    assert (config.site_url, config.repo_url) == ("https://c.org/", "https://a.org/r")


def test_env_tag_rules_match_mkdocs(tmp_path):
    config = write(
        tmp_path,
        "mkdocs.yml",
        "site_url: !ENV [FIRST, SECOND, https://default.org/]\nrepo_url: !ENV NO_DEFAULT\n",
    )
    assert config_urls(config, {}) == ("https://default.org/", None)
    assert config_urls(config, {"SECOND": "https://second.org/"})[0] == "https://second.org/"
    both = {"FIRST": "https://first.org/", "SECOND": "https://second.org/"}
    assert config_urls(config, both)[0] == "https://first.org/"
    assert config_urls(config, {"NO_DEFAULT": "https://r.org/x"})[1] == "https://r.org/x"
    assert config_urls(config, {"FIRST": ""})[0] is None  # empty reads as null in YAML


def test_other_tags_of_a_real_configuration_do_not_get_in_the_way(tmp_path):
    config = write(
        tmp_path,
        "mkdocs.yml",
        "site_url: https://a.org/\n"
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "  - pymdownx.snippets:\n"
        "      base_path: [!relative $config_dir]\n",
    )
    assert config_urls(config, {}) == ("https://a.org/", None)


@pytest.mark.parametrize(
    "text",
    ["site_url: [unclosed\n", "- a list\n", "", "INHERIT: missing.yml\nsite_url: https://a.org/\n"],
    ids=["bad-yaml", "not-a-mapping", "empty", "missing-parent"],
)
def test_an_unreadable_configuration_gives_no_urls(tmp_path, text):
    assert config_urls(write(tmp_path, "mkdocs.yml", text), {}) == (None, None)


def test_a_missing_file_or_an_inheritance_loop_gives_an_answer(tmp_path):
    assert config_urls(tmp_path / "nowhere.yml", {}) == (None, None)
    write(tmp_path, "a.yml", "INHERIT: b.yml\nsite_url: https://a.org/\n")
    write(tmp_path, "b.yml", "INHERIT: a.yml\nrepo_url: https://b.org/r\n")
    assert config_urls(tmp_path / "a.yml", {}) == ("https://a.org/", "https://b.org/r")


def test_a_value_that_is_not_a_string_gives_none(tmp_path):
    config = write(tmp_path, "mkdocs.yml", "site_url: 42\nrepo_url: {a: 1}\n")
    assert config_urls(config, {}) == (None, None)


# --- the warnings -----------------------------------------------------------------


def test_a_fork_on_github_actions_with_the_shipped_urls_is_told_what_to_do():
    site_warning, repo_warning = shipped_defaults_warnings(SHIPPED_SITE_URL, SHIPPED_REPO_URL, FORK)
    assert site_warning.startswith(f"warning: site_url is still {SHIPPED_SITE_URL}")
    assert SITE_URL_VARIABLE in site_warning and "deploy workflow" in site_warning
    assert "octo/reading-list" in site_warning and "mkdocs.yml" in site_warning
    assert repo_warning.startswith(f"warning: repo_url is still {SHIPPED_REPO_URL}")
    assert REPO_URL_VARIABLE in repo_warning and "mkdocs.yml" in repo_warning
    assert all("\n" not in line for line in (site_warning, repo_warning))


@pytest.mark.parametrize(
    ("site_url", "repo_url", "environ", "expected"),
    [
        pytest.param(SHIPPED_SITE_URL, SHIPPED_REPO_URL, {}, [], id="local-build"),
        pytest.param(
            SHIPPED_SITE_URL,
            SHIPPED_REPO_URL,
            {**FORK, "GITHUB_ACTIONS": "false"},
            [],
            id="not-actions",
        ),
        pytest.param(
            SHIPPED_SITE_URL,
            SHIPPED_REPO_URL,
            {**FORK, "GITHUB_REPOSITORY": "papershelf/papershelf"},
            [],
            id="upstream",
        ),
        pytest.param(
            SHIPPED_SITE_URL,
            SHIPPED_REPO_URL,
            {**FORK, "GITHUB_REPOSITORY": "PaperShelf/PaperShelf"},
            [],
            id="upstream-other-case",
        ),
        pytest.param(
            SHIPPED_SITE_URL, SHIPPED_REPO_URL, {"GITHUB_ACTIONS": "true"}, [], id="no-repo"
        ),
        pytest.param(FORK_SITE, FORK_REPO, FORK, [], id="fork-deploy"),
        pytest.param(None, None, FORK, [], id="unset"),
        pytest.param(FORK_SITE, SHIPPED_REPO_URL, FORK, ["repo_url"], id="repo-only"),
        pytest.param(SHIPPED_SITE_URL, FORK_REPO, FORK, ["site_url"], id="site-only"),
        pytest.param(
            SHIPPED_SITE_URL.rstrip("/"),
            SHIPPED_REPO_URL + "/",
            FORK,
            ["site_url", "repo_url"],
            id="slashes-differ",
        ),
    ],
)
def test_who_is_warned(site_url, repo_url, environ, expected):
    warnings = shipped_defaults_warnings(site_url, repo_url, environ)
    assert [line.split()[1] for line in warnings] == expected


def test_the_check_of_mkdocs_yml_as_a_fork_deploys_it_is_quiet():
    environ = {**FORK, SITE_URL_VARIABLE: FORK_SITE, REPO_URL_VARIABLE: FORK_REPO}
    assert shipped_defaults_warnings(*config_urls(MKDOCS_YML, environ), environ) == []
    assert len(shipped_defaults_warnings(*config_urls(MKDOCS_YML, FORK), FORK)) == 2


def test_the_deploy_workflow_sets_the_variables_the_module_names():
    deploy = yaml.safe_load((ROOT / ".github/workflows/deploy.yml").read_text(encoding="utf-8"))
    build_env = next(
        step["env"] for step in deploy["jobs"]["build"]["steps"] if step.get("run") == "make site"
    )
    assert {SITE_URL_VARIABLE, REPO_URL_VARIABLE} <= set(build_env)


def test_importing_the_module_does_not_load_mkdocs():
    """`papershelf build` calls it before deciding whether mkdocs runs at all."""
    code = (
        "import sys, build_tools.deploy_check; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mkdocs', 'material')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"


def test_a_published_build_of_a_fork_warns_about_the_shipped_urls(tmp_path, monkeypatch, capfd):
    """`papershelf build` on GitHub Actions in a fork, with mkdocs.yml's defaults."""
    from build_tools.cli import main
    from tests.conftest import curator_checkout

    project = curator_checkout(tmp_path, "robotics:\n  title: Robotics\n  description: R.\n")
    monkeypatch.chdir(project.root)
    for name in ("PAPERSHELF_SITE_URL", "PAPERSHELF_REPO_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_REPOSITORY", "curator/my-list")
    monkeypatch.setenv("PAPERSHELF_PUBLISHING", "true")
    assert main(["build", "--quiet"]) == 0
    out, err = capfd.readouterr()
    assert "warning: site_url is still https://papershelf.github.io/papershelf/" in err
    assert "warning: repo_url is still https://github.com/papershelf/papershelf" in err
    assert "::warning title=papershelf build::site_url is still" in out
    # With the deploy workflow's variables, the fork's own addresses and no warning.
    monkeypatch.setenv("PAPERSHELF_SITE_URL", "https://curator.github.io/my-list/")
    monkeypatch.setenv("PAPERSHELF_REPO_URL", "https://github.com/curator/my-list")
    assert main(["build", "--quiet"]) == 0
    out, err = capfd.readouterr()
    assert "warning" not in err
    feed = (project.site / "feed.xml").read_text(encoding="utf-8")
    assert "<link>https://curator.github.io/my-list/</link>" in feed
    assert "https://papershelf.github.io" not in feed
    assert 'href="https://github.com/curator/my-list"' in project.html("")
