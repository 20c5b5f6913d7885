"""The GitHub workflows keep their security rules, so a later edit cannot quietly add a
write permission, an unpinned action or an attacker-controlled expression in a script.

The rules are a function (``workflow_problems``) tested on bad examples too, so these
tests fail when a rule stops working; zizmor then audits the real files offline.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
CI = WORKFLOWS / "ci.yml"
DEPLOY = WORKFLOWS / "deploy.yml"

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


@pytest.mark.parametrize("path", [CI, DEPLOY], ids=["ci", "deploy"])
def test_workflow_follows_the_security_rules(path):
    assert workflow_problems(path.name, path.read_text(encoding="utf-8")) == []


def test_only_the_two_workflows_exist():
    # A new workflow gets the same checks: add it to the parametrize above.
    assert sorted(p.name for p in WORKFLOWS.iterdir()) == ["ci.yml", "deploy.yml"]


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


def test_ci_runs_on_pull_requests_and_pushes_and_checks_everything_with_make():
    ci = load(CI)
    assert triggers(ci) == {"pull_request", "push"}
    runs = [step["run"].strip() for _, step in steps(ci) if "run" in step]
    makes = [run for run in runs if run.startswith("make ")]
    assert makes == ["make install", "make validate", "make test", "make site"]
    assert any("apt-get install -y -q chromium" in run for run in runs)


def test_ci_uploads_the_built_site_as_a_preview_artifact():
    ci = load(CI)
    names = [step.get("uses", "").split("@")[0] for _, step in steps(ci)]
    assert names[-1] == "actions/upload-artifact"
    upload = steps(ci)[-1][1]["with"]
    assert (upload["name"], upload["path"], upload["if-no-files-found"]) == (
        "site-preview",
        "site/",
        "error",
    )


def test_deploy_builds_strictly_then_publishes_with_the_official_pages_actions():
    deploy = load(DEPLOY)
    assert deploy["on"] == {"push": {"branches": ["main"]}, "workflow_dispatch": None}
    assert deploy["concurrency"] == {"group": "pages", "cancel-in-progress": False}
    build, publish = deploy["jobs"]["build"], deploy["jobs"]["deploy"]
    build_steps = [step.get("run") or step["uses"].split("@")[0] for step in build["steps"]]
    assert build_steps[-3:] == ["make validate", "make site", "actions/upload-pages-artifact"]
    assert build["steps"][-1]["with"]["path"] == "site/"
    assert publish["needs"] == "build"
    assert publish["environment"]["name"] == "github-pages"
    assert [step["uses"].split("@")[0] for step in publish["steps"]] == [
        "actions/configure-pages",
        "actions/deploy-pages",
    ]


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
