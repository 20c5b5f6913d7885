"""The differential harness (build_tools/differential.py): seeded random edits of a
generated list, after each of which the incremental `papershelf build` must make the
site a clean build makes (or fail like it, leaving the site as it was).

A short run of two seeds covers every kind of edit; `make differential` runs a long
one. The edit functions are tested on their own, without builds."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest

from build_tools import differential as d
from build_tools.cli import main
from papershelf.entries.loader import load_project

# Random edit sequences, each build compared with a clean one: left out of `make test-fast`.
pytestmark = pytest.mark.slow

# Chosen (with d.plan, no builds needed) so that their steps cover every kind of edit;
# 0 has the tests' configuration and a hand-written home page, 46 a generated one.
SEEDS = (0, 46)
STEPS = 12


def _covering_seeds() -> list[tuple[int, int]]:
    """Pairs of seeds whose STEPS steps cover every kind (for when the edits change)."""
    kinds = {seed: {k for edit in d.plan(seed, STEPS) for k in edit.kinds} for seed in range(40)}
    return [
        (a, b) for a, b in itertools.combinations(kinds, 2) if kinds[a] | kinds[b] >= set(d.KINDS)
    ][:5]


def test_the_short_runs_cover_every_kind_of_edit():
    made = {kind for seed in SEEDS for edit in d.plan(seed, STEPS) for kind in edit.kinds}
    missing = set(d.KINDS) - made
    assert not missing, f"not covered: {sorted(missing)}; seeds that do: {_covering_seeds()}"


@pytest.mark.parametrize("seed", SEEDS)
def test_after_every_random_edit_the_incremental_build_gives_the_clean_site(
    tmp_path: Path, seed: int
):
    harness = d.Differential(tmp_path / "shelf", seed)
    steps = harness.run(STEPS)  # raises DivergenceError with the story of the run
    assert len(steps) == STEPS + 1
    paths = {step.incremental.path for step in steps[1:]}
    assert "quick" in paths and paths & {"dirty", "full"}, paths
    invalid = [step for step in steps if step.edit and step.edit.kinds == ("invalid",)]
    assert all(step.clean.code == 1 and step.incremental.code == 1 for step in invalid)


def test_the_command_runs_the_harness_in_a_folder_it_keeps(tmp_path: Path, capsys):
    kept = tmp_path / "kept"
    assert main(["differential", "--steps", "1", "--seed", "3", "--keep", str(kept)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("seed 3: 12 papers, 5 tags; page_size ")
    assert lines[1].startswith("step   0  full ") and lines[1].endswith("first build")
    assert lines[2].startswith("step   1  ")  # one line a step
    assert "every incremental build gave the clean site" in out
    assert (kept / "shelf/site/index.html").is_file()
    assert (kept / "shelf/clean-site/index.html").is_file()
    assert (kept / "cache/papershelf").is_dir()  # its own entry cache and build states
    assert main(["differential", "--steps", "1", "--keep", str(kept)]) == 2  # not empty


# --- the verdicts, with builds faked -------------------------------------------------


def _fake_builds(monkeypatch: pytest.MonkeyPatch, behave) -> None:
    """Builds that write ``behave(clean, root)``'s files (None: fail) into the site."""

    def build(root: Path, *args: str) -> d.Built:
        clean = "--clean" in args
        made = behave(clean, root)
        if made is None:
            return d.Built(1, "build failed", 0.0)
        site = root / (d.CLEAN_SITE if clean else "site")
        for path, data in made.items():
            (site / path).parent.mkdir(parents=True, exist_ok=True)
            (site / path).write_bytes(data)
        return d.Built(0, "site built in site/", 0.0)

    monkeypatch.setattr(d, "build", build)


def test_a_site_that_differs_is_a_divergence_with_a_diff_and_how_to_replay_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _fake_builds(monkeypatch, lambda clean, root: {"a.html": b"<p>\nsame\n</p>\n"})
    harness = d.Differential(tmp_path / "shelf", 7)
    harness.start()
    _fake_builds(
        monkeypatch,
        lambda clean, root: {"a.html": b"<p>\nclean\n</p>\n" if clean else b"<p>\nmine\n</p>\n"},
    )
    with pytest.raises(d.DivergenceError) as raised:
        harness.step()
    message = str(raised.value)
    assert "DIVERGENCE at step 1 of seed 7" in message
    assert "differs: a.html" in message and "-mine" in message and "+clean" in message
    assert "1. " + harness.steps[1].edit.description in message  # the edits so far
    assert "reproduce: papershelf differential --seed 7 --steps 1" in message


def test_a_failure_must_be_shared_and_leave_the_site_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    _fake_builds(monkeypatch, lambda clean, root: {"a.html": b"first"})
    harness = d.Differential(tmp_path / "shelf", 7)
    harness.start()
    _fake_builds(monkeypatch, lambda clean, root: None)  # both fail: fine
    harness.step()
    _fake_builds(monkeypatch, lambda clean, root: None if clean else {"a.html": b"first"})
    with pytest.raises(d.DivergenceError, match="the clean build failed, the incremental one did"):
        harness.step()
    monkeypatch.setattr(d, "build", _failing_but_writing)
    with pytest.raises(d.DivergenceError, match="the failed build changed site/"):
        harness.step()


def _failing_but_writing(root: Path, *args: str) -> d.Built:
    if "--clean" not in args:
        (root / "site/a.html").write_bytes(b"half written")
    return d.Built(1, "build failed", 0.0)


def test_a_build_that_leaves_a_staging_folder_behind_is_a_divergence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    def behave(clean: bool, root: Path) -> dict[str, bytes]:
        (root / ".site-new-x").mkdir(exist_ok=True)
        return {"a.html": b"same"}

    _fake_builds(monkeypatch, behave)
    with pytest.raises(d.DivergenceError, match=r"a build left \.site-new-x behind"):
        d.Differential(tmp_path / "shelf", 7).start()


# --- the edits, without builds --------------------------------------------------------


def _load(root: Path) -> list[str]:
    """The problems papershelf finds in the project in ``root``."""
    return [str(p) for p in load_project(root / "papers", root / "tags.yml").problems]


def test_the_generated_list_has_every_kind_of_entry_and_loads_without_problems(tmp_path: Path):
    shelf = d.initial_shelf(random.Random(5))
    entries = list(shelf.entries.values())
    assert len(entries) >= 12
    assert {entry["format"] for entry in entries} == {"yaml", "md"}
    assert {entry.get("organization") for entry in entries} >= {*d.ORGANISATIONS, None}
    assert any("published" not in entry for entry in entries)
    assert any("authors" in entry for entry in entries)
    assert any("author_count" in entry for entry in entries)
    assert any("votes" in entry for entry in entries) and any("links" in entry for entry in entries)
    assert any("notes" in entry for entry in entries)
    assert set(shelf.tags) - shelf.used_tags()  # an unused tag
    d.write_changes(tmp_path, d.changes(d.Shelf({}, {}, {}, ""), shelf))
    assert _load(tmp_path) == []


@pytest.mark.parametrize("seed", [2, 17])
def test_valid_edits_keep_the_list_valid_and_an_invalid_one_is_refused(tmp_path: Path, seed: int):
    """Else a run would test failed builds only (17: an unused tag removed from the
    vocabulary, and later a new entry that must not take it)."""
    planner = d.Planner(seed)
    d.write_changes(tmp_path, d.files(planner.shelf))
    invalid = 0
    for _ in range(200):
        before = planner.shelf
        edit = planner.next()
        d.write_changes(tmp_path, d.changes(before, edit.shelf))
        if edit.kinds == ("invalid",):
            invalid += 1
            assert _load(tmp_path), edit.description
        elif not edit.shelf.raw:
            assert _load(tmp_path) == [], edit.description
    assert invalid


def test_the_plan_of_a_seed_is_always_the_same_and_edits_leave_their_input_alone():
    first = [edit.description for edit in d.plan(11, 40)]
    assert first == [edit.description for edit in d.plan(11, 40)]
    assert first != [edit.description for edit in d.plan(12, 40)]
    shelf = d.initial_shelf(random.Random(3))
    before = d.files(shelf)
    for kind, (function, _) in d.EDITS.items():
        for seed in range(5):
            function(shelf, random.Random(seed))
            assert d.files(shelf) == before, kind


def _until(function: d.EditFunction, shelf: d.Shelf, wanted: str) -> d.Edit:
    """The edit ``function`` makes of ``shelf`` with the first seed whose description
    says ``wanted``."""
    for seed in range(500):
        edit = function(shelf, random.Random(seed))
        if edit is not None and wanted in edit.description:
            return edit
    raise AssertionError(f"no seed gives {wanted!r}")


def test_a_tag_edit_can_make_a_tag_unused_and_another_use_it_again():
    shelf = d.initial_shelf(random.Random(1))
    edit = _until(d.ENTRY_EDITS["tags"], shelf, "now unused")
    gone = edit.description.split("tag ")[1].split()[0]
    assert gone in shelf.used_tags() and gone not in edit.shelf.used_tags()
    again = _until(d.ENTRY_EDITS["tags"], edit.shelf, f"tag {gone} added")
    assert gone in again.shelf.used_tags()


def test_an_organisation_edit_can_take_the_last_organisation_away():
    shelf = d.initial_shelf(random.Random(1))
    holders = sorted(slug for slug, entry in shelf.entries.items() if entry.get("organization"))
    for slug in holders[1:]:
        del shelf.entries[slug]["organization"]
        shelf.entries[slug].pop("organization_id", None)
    edit = _until(d.ENTRY_EDITS["organisation"], shelf, "the last paper that had one")
    assert not any(entry.get("organization") for entry in edit.shelf.entries.values())


def test_dates_move_within_a_month_and_across_months_and_years_but_stay_in_the_past():
    day = d.date(2024, 6, 15)
    seen = set()
    for seed in range(200):
        moved, how = d._moved_date(day, random.Random(seed))
        assert moved != day and moved <= d.LATEST
        seen.add(how)
        if how == "within its month":
            assert (moved.year, moved.month) == (2024, 6)
    assert seen == {"within its month", "another month", "another year", "a step"}


def test_a_rename_and_a_conversion_delete_one_file_and_write_another():
    shelf = d.initial_shelf(random.Random(2))
    renamed = d.edit_rename(shelf, random.Random(0))
    assert renamed is not None
    changed = d.changes(shelf, renamed.shelf)
    assert sorted(text is None for text in changed.values()) == [False, True]
    converted = d.edit_convert(shelf, random.Random(0))
    assert converted is not None
    changed = d.changes(shelf, converted.shelf)
    (gone,) = [path for path, text in changed.items() if text is None]
    (made,) = [path for path, text in changed.items() if text is not None]
    assert Path(gone).stem == Path(made).stem and {Path(gone).suffix, Path(made).suffix} == {
        ".yaml",
        ".md",
    }


def test_an_invalid_edit_is_undone_exactly_by_its_repair():
    shelf = d.initial_shelf(random.Random(4))
    for seed in range(10):
        broken = d.edit_invalid(shelf, random.Random(seed))
        assert broken is not None and broken.shelf.raw
        assert d.edit_invalid(broken.shelf, random.Random(seed)) is None  # one at a time
        assert d.changes(shelf, broken.shelf)
        repaired = d.edit_repair(broken.shelf, random.Random(seed))
        assert repaired is not None and d.files(repaired.shelf) == d.files(shelf)


def test_a_touch_writes_the_same_contents_again(tmp_path: Path):
    shelf = d.initial_shelf(random.Random(4))
    d.write_changes(tmp_path, d.files(shelf))
    touch = d.edit_touch(shelf, random.Random(0))
    assert touch is not None and d.changes(shelf, touch.shelf) == {}
    (path,) = touch.touched
    before = (tmp_path / path).read_bytes()
    d.write_changes(tmp_path, {}, touch.touched)
    assert (tmp_path / path).read_bytes() == before
