"""The GitHub workflows keep their security rules, so a later edit cannot quietly add a
write permission, an unpinned action or an attacker-controlled expression in a script.

The rules are a function (``workflow_problems``) tested on bad examples too, so these
tests fail when a rule stops working; zizmor then audits the real files offline.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
DEPLOY = WORKFLOWS / "deploy.yml"
LINKS = WORKFLOWS / "links.yml"

# The only write permissions any job may hold, by (workflow file, job id).
ALLOWED_WRITES = {("deploy.yml", "deploy"): {"pages": "write", "id-token": "write"}}
FORBIDDEN_TRIGGERS = {"pull_request_target", "workflow_run"}
PINNED_USES = re.compile(r"^\s*(?:-\s*)?uses:\s*([^@\s]+)@([0-9a-f]{40})\s+#\s*v\d+(?:\.\d+)*\s*$")
EXACT_PYTHON = re.compile(r"^\d+\.\d+\.\d+$")


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads the key `on` as True.
    if True in data:
        data["on"] = data.pop(True)
    return data


def triggers(workflow: dict[str, Any]) -> set[str]:
    on = workflow["on"]
    if isinstance(on, str):
        return {on}
    return set(on)


def steps(workflow: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(job_id, step) for job_id, job in workflow["jobs"].items() for step in job["steps"]]


def workflow_problems(name: str, text: str) -> list[str]:
    """Every broken rule in one workflow file, as readable sentences."""
    problems: list[str] = []
    workflow = yaml.safe_load(text)
    if True in workflow:
        workflow["on"] = workflow.pop(True)
    for trigger in triggers(workflow) & FORBIDDEN_TRIGGERS:
        problems.append(f"{name}: trigger {trigger} runs untrusted code with secrets")
    if workflow.get("permissions") != {}:
        problems.append(f"{name}: top-level permissions must be {{}}")
    for job_id, job in workflow["jobs"].items():
        granted = job.get("permissions")
        if not isinstance(granted, dict):
            problems.append(f"{name}: job {job_id} must list its permissions")
            continue
        writes = {k: v for k, v in granted.items() if v != "read"}
        if writes and writes != ALLOWED_WRITES.get((name, job_id)):
            problems.append(f"{name}: job {job_id} may not have {writes}")
        if str(job.get("runs-on", "")).endswith("-latest"):
            problems.append(f"{name}: job {job_id} runs on a moving image")
        for step in job["steps"]:
            uses = step.get("uses", "")
            keeps_token = step.get("with", {}).get("persist-credentials") is not False
            if uses.startswith("actions/checkout@") and keeps_token:
                problems.append(f"{name}: checkout in {job_id} keeps credentials")
            if uses.startswith("actions/setup-python@"):
                version = step.get("with", {}).get("python-version")
                if not (isinstance(version, str) and EXACT_PYTHON.match(version)):
                    problems.append(f"{name}: python-version {version!r} is not pinned")
            if "${{" in step.get("run", ""):
                problems.append(f"{name}: expression in a run script of {job_id} (use env:)")
    for line in text.splitlines():
        if re.match(r"^\s*(?:-\s*)?uses:", line) and not PINNED_USES.match(line):
            problems.append(f"{name}: not pinned to a commit SHA with a version comment: {line}")
    return problems


@pytest.mark.parametrize("path", [CI, DEPLOY, LINKS], ids=["ci", "deploy", "links"])
def test_workflow_follows_the_security_rules(path):
    assert workflow_problems(path.name, path.read_text(encoding="utf-8")) == []


def test_only_the_three_workflows_exist():
    # A new workflow gets the same checks: add it to the parametrize above.
    assert sorted(p.name for p in WORKFLOWS.iterdir()) == ["ci.yml", "deploy.yml", "links.yml"]


GOOD_JOB = """\
name: X
on: [pull_request]
permissions: {}
jobs:
  check:
    runs-on: ubuntu-24.04
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0
        with:
          persist-credentials: false
      - run: make test
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("", "", None),
        ("on: [pull_request]", "on: [pull_request_target]", "trigger pull_request_target"),
        ("on: [pull_request]", "on: [workflow_run]", "trigger workflow_run"),
        ("permissions: {}\n", "permissions: write-all\n", "top-level permissions"),
        ("      contents: read", "      contents: write", "may not have {'contents': 'write'}"),
        ("      contents: read", "      pages: write", "may not have {'pages': 'write'}"),
        ("    permissions:\n      contents: read\n", "", "must list its permissions"),
        ("ubuntu-24.04", "ubuntu-latest", "moving image"),
        ("persist-credentials: false", "persist-credentials: true", "keeps credentials"),
        ("make test", "echo ${{ github.event.pull_request.title }}", "expression in a run"),
        ("@08c6903cd8c0fde910a37f88322edcfb5dd907a8 # v5.0.0", "@v5", "not pinned"),
        ("5dd907a8 # v5.0.0", "5dd907a8", "not pinned"),
        ("08c6903cd8c0fde910a37f88322edcfb5dd907a8", "08c6903", "not pinned"),
        (
            "      - run: make test",
            "      - uses: actions/setup-python@e797f83bcb11b83ae66e0230d6156d7c80228e7c # v6.0.0\n"
            '        with:\n          python-version: "3.11"',
            "python-version '3.11' is not pinned",
        ),
    ],
)
def test_the_rules_catch_each_kind_of_mistake(old, new, expected):
    text = GOOD_JOB.replace(old, new) if old else GOOD_JOB
    assert text != GOOD_JOB or expected is None
    problems = workflow_problems("x.yml", text)
    if expected is None:
        assert problems == []
    else:
        assert any(expected in problem for problem in problems), problems


def job_steps(workflow: dict[str, Any], job_id: str) -> list[dict[str, Any]]:
    return workflow["jobs"][job_id]["steps"]


def runs(job_steps: list[dict[str, Any]]) -> list[str]:
    return [step["run"].split(" #")[0].strip() for step in job_steps if "run" in step]


def action(step: dict[str, Any]) -> str:
    return step.get("uses", "").split("@")[0]


def test_ci_runs_on_pull_requests_and_pushes_in_three_jobs():
    ci = load(CI)
    assert triggers(ci) == {"pull_request", "push"}
    assert list(ci["jobs"]) == ["changes", "site", "test"]


def test_the_site_job_is_fast_validate_build_and_preview_only():
    """What a content pull request waits for: no Chromium, no test extras, no tests."""
    site = load(CI)["jobs"]["site"]
    assert "needs" not in site and "if" not in site  # every run, at once
    assert runs(site["steps"]) == ["make validate", "make site"]
    assert not any("chromium" in run or "apt-get" in run for run in runs(site["steps"]))
    python = next(s for s in site["steps"] if action(s) == "actions/setup-python")
    assert python["with"]["cache"] == "pip"
    assert python["with"]["cache-dependency-path"] == "requirements/constraints.txt"
    assert site["timeout-minutes"] <= 15


def test_the_preview_is_uploaded_whenever_the_build_succeeded():
    steps_ = job_steps(load(CI), "site")
    validate, build, upload = steps_[-3:]
    assert validate["run"].split("#")[0].strip() == "make validate"
    # On a pull request a duplicate is reported on the file the pull request adds.
    assert validate["env"]["VALIDATE_FLAGS"] == (
        "${{ github.event_name == 'pull_request' && '--new-since HEAD^1' || '' }}"
    )
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(BIN)/papershelf validate $(VALIDATE_FLAGS)" in makefile
    # The build runs even after validation failed, and its site is uploaded if it built.
    assert (build["run"], build["id"], build["if"]) == ("make site", "build", "${{ !cancelled() }}")
    assert action(upload) == "actions/upload-artifact"
    assert upload["if"] == "${{ !cancelled() && steps.build.outcome == 'success' }}"
    assert (
        upload["with"]["name"],
        upload["with"]["path"],
        upload["with"]["if-no-files-found"],
    ) == (
        "site-preview",
        "site/",
        "error",
    )


def test_the_preview_links_to_the_repository_it_was_built_in():
    build = job_steps(load(CI), "site")[-2]
    assert build["env"] == {
        "PAPERSHELF_REPO_URL": "${{ github.server_url }}/${{ github.repository }}"
    }


def test_a_change_to_the_code_runs_the_whole_suite_with_chromium():
    ci = load(CI)
    test = ci["jobs"]["test"]
    assert test["needs"] == "changes"
    assert test["if"] == "${{ needs.changes.outputs.code == 'true' }}"
    commands = runs(test["steps"])
    assert "apt-get install -y -q chromium" in commands[0]
    assert commands[1:] == ["make install", "make test"]
    changes = ci["jobs"]["changes"]
    assert changes["outputs"] == {"code": "${{ steps.diff.outputs.code }}"}
    checkout = changes["steps"][0]
    assert action(checkout) == "actions/checkout" and checkout["with"]["fetch-depth"] == 2


def diff_script() -> str:
    step = next(s for s in job_steps(load(CI), "changes") if s.get("id") == "diff")
    assert step["shell"] == "bash"
    return step["run"]


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def pull_request_checkout(tmp_path: Path, change: Callable[[Path], None]) -> Path:
    """What actions/checkout gives a pull_request run with fetch-depth 2: a shallow clone
    of the merge commit of the change into a base branch that moved on meanwhile."""
    origin = tmp_path / "origin"
    for name, text in {
        "papers/a.yaml": "title: A\n",
        "plugins/papershelf/x.py": "X = 1\n",
        "tags.yml": "tags: []\n",
        "README.md": "readme\n",
    }.items():
        (origin / name).parent.mkdir(parents=True, exist_ok=True)
        (origin / name).write_text(text, encoding="utf-8")
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "base")
    git(origin, "checkout", "-q", "-b", "pr")
    change(origin)
    git(origin, "add", "-A")
    git(origin, "commit", "-q", "-m", "change")
    git(origin, "checkout", "-q", "main")
    (origin / "README.md").write_text("readme, edited on main\n", encoding="utf-8")
    git(origin, "commit", "-q", "-am", "meanwhile on main")
    git(origin, "merge", "-q", "--no-ff", "-m", "merge", "pr")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "2", origin.as_uri(), str(clone))
    return clone


def run_diff_script(checkout: Path, event: str) -> str:
    script, output = checkout.parent / "diff.sh", checkout.parent / "output"
    script.write_text(diff_script(), encoding="utf-8")
    output.write_text("", encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "GITHUB_EVENT_NAME": event, "GITHUB_OUTPUT": str(output)}
    subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
        cwd=checkout,
        env=env,
        capture_output=True,
        check=True,
    )
    return output.read_text(encoding="utf-8")


def write_file(name: str, text: str = "new\n") -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")

    return change


def several(*changes: Callable[[Path], None]) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        for one in changes:
            one(root)

    return change


def move(old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / new).parent.mkdir(parents=True, exist_ok=True)
        (root / old).rename(root / new)

    return change


@pytest.mark.parametrize(
    ("change", "code"),
    [
        pytest.param(write_file("papers/b.yaml"), "false", id="new-entry"),
        pytest.param(
            several(
                write_file("papers/a.yaml", "title: A, edited\n"),
                write_file("tags.yml", "tags: [x]\n"),
                write_file("content/about.md"),
                write_file("collections/x.yml"),
                write_file("papers/ü ber.md"),
            ),
            "false",
            id="content-only",
        ),
        pytest.param(write_file("plugins/papershelf/x.py", "X = 2\n"), "true", id="code"),
        pytest.param(
            several(write_file("papers/b.yaml"), write_file("Makefile")), "true", id="mixed"
        ),
        pytest.param(write_file("papers/tags.yml"), "false", id="entry-folder-file"),
        pytest.param(write_file("tags.yml.bak"), "true", id="not-tags-yml"),
        pytest.param(write_file("content.md"), "true", id="not-content-folder"),
        pytest.param(write_file(".github/workflows/ci.yml"), "true", id="workflow"),
        pytest.param(move("plugins/papershelf/x.py", "papers/x.py"), "true", id="code-moved-in"),
    ],
)
def test_the_changes_job_tells_content_from_code(tmp_path, change, code):
    if shutil.which("git") is None or shutil.which("bash") is None:
        pytest.skip("needs git and bash")
    checkout = pull_request_checkout(tmp_path, change)
    assert run_diff_script(checkout, "pull_request") == f"code={code}\n"
    assert run_diff_script(checkout, "push") == "code=true\n"  # pushes run everything


def test_the_changes_job_runs_everything_when_it_cannot_read_the_diff(tmp_path):
    if shutil.which("git") is None or shutil.which("bash") is None:
        pytest.skip("needs git and bash")
    checkout = pull_request_checkout(tmp_path, write_file("papers/b.yaml"))
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", checkout.as_uri(), str(shallow))
    assert run_diff_script(shallow, "pull_request") == "code=true\n"  # no HEAD^1


def test_deploy_builds_strictly_then_publishes_with_the_official_pages_actions():
    deploy = load(DEPLOY)
    assert deploy["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, publish = deploy["jobs"]["build"], deploy["jobs"]["deploy"]
    build_steps = [step.get("run") or action(step) for step in build["steps"]]
    assert build_steps == [
        "actions/checkout",
        "actions/setup-python",
        "actions/configure-pages",
        "make validate",
        "make site",
        "actions/upload-pages-artifact",
    ]
    assert build["steps"][-1]["with"]["path"] == "site/"
    assert publish["needs"] == "build"
    assert publish["environment"]["name"] == "github-pages"
    assert publish["permissions"] == {"pages": "write", "id-token": "write"}
    assert [action(step) for step in publish["steps"]] == [
        "actions/configure-pages",
        "actions/deploy-pages",
    ]


def test_deploy_builds_for_the_pages_address_of_the_repository_it_runs_in():
    """A fork publishes without editing mkdocs.yml: configure-pages' base_url (which
    v5 gives without a trailing slash) and the repository become mkdocs.yml's !ENV."""
    build = load(DEPLOY)["jobs"]["build"]
    # configure-pages only reads the Pages site (GET /repos/{owner}/{repo}/pages).
    assert build["permissions"] == {"contents": "read", "pages": "read"}
    pages = next(s for s in build["steps"] if action(s) == "actions/configure-pages")
    assert pages["id"] == "pages" and "with" not in pages  # no enablement, default token
    make_site = next(s for s in build["steps"] if s.get("run") == "make site")
    assert make_site["env"] == {
        "PAPERSHELF_SITE_URL": "${{ steps.pages.outputs.base_url }}/",
        "PAPERSHELF_REPO_URL": "${{ github.server_url }}/${{ github.repository }}",
        # papershelf build warns only about builds that are published.
        "PAPERSHELF_PUBLISHING": "true",
    }
    steps_ = build["steps"]
    assert steps_.index(pages) < steps_.index(make_site)
    # The same pinned release as the deploy job's, whose base_url has no trailing slash.
    text = DEPLOY.read_text(encoding="utf-8")
    pins = set(re.findall(r"uses: actions/configure-pages@(\S+ # \S+)", text))
    assert pins == {"983d7736d9b0ae728b81ab479565c72886d7745b # v5.0.0"}


def test_mkdocs_yml_reads_the_urls_the_workflows_set():
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^site_url: !ENV \[PAPERSHELF_SITE_URL, ", config, re.MULTILINE)
    assert re.search(r"^repo_url: !ENV \[PAPERSHELF_REPO_URL, ", config, re.MULTILINE)


def zizmor() -> str:
    """The zizmor of this environment (a test extra), else the one on PATH."""
    beside = Path(sys.executable).parent / "zizmor"
    found = str(beside) if beside.exists() else shutil.which("zizmor")
    if found is None:
        pytest.fail("zizmor is not installed: run `make install` (it is a test extra)")
    return found


def run_zizmor(target: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [zizmor(), "--offline", "--persona", "auditor", "--no-progress", str(target)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_zizmor_finds_nothing_in_the_workflows():
    result = run_zizmor(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_zizmor_does_report_a_bad_workflow(tmp_path):
    """Guards the test above: zizmor really audits (and fails on) what it is given."""
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        GOOD_JOB.replace("on: [pull_request]", "on: [pull_request_target]")
        .replace("persist-credentials: false", "persist-credentials: true")
        .replace("make test", "echo ${{ github.event.pull_request.title }}"),
        encoding="utf-8",
    )
    result = run_zizmor(bad.parent)
    assert result.returncode != 0
    assert "template-injection" in result.stdout
    assert "dangerous-triggers" in result.stdout


def test_dead_links_are_looked_for_weekly_without_failing_anyone():
    links = load(LINKS)
    assert triggers(links) == {"schedule", "workflow_dispatch"}  # never on pull requests
    assert links["on"]["schedule"][0]["cron"].endswith("* * 1")  # weekly
    [job] = links["jobs"].values()
    assert job["permissions"] == {"contents": "read"}
    checker = next(s for s in job["steps"] if action(s) == "lycheeverse/lychee-action")
    assert checker["with"]["fail"] is False  # reports, never fails
    assert "'papers/**/*.yaml'" in checker["with"]["args"]
    assert "'papers/**/*.md'" in checker["with"]["args"]
