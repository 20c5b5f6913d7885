"""Synthetic but realistic reading lists, for benchmarks.

A real list has long abstracts, a handful of tags per paper drawn from a fixed
vocabulary, dates spread over years, some organisations and some Markdown notes.
Timing a build on tiny or uniform entries would flatter it, so the generator imitates
those proportions. Output depends only on ``(count, seed)``: two runs write the same
bytes, which keeps benchmark runs comparable.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from papershelf.entries.slugs import slugify

# 40 tags: (id, title, description). Ids follow the vocabulary rules of tags.yml.
TAGS: tuple[tuple[str, str, str], ...] = tuple(
    (slugify(title), title, f"Papers about {title.lower()}: methods, benchmarks and analyses.")
    for title in (
        "Agents",
        "Alignment",
        "Architectures",
        "Audio and speech",
        "Benchmarks",
        "Code generation",
        "Computer vision",
        "Continual learning",
        "Data curation",
        "Diffusion models",
        "Distillation",
        "Efficiency",
        "Embeddings",
        "Evaluation",
        "Fairness",
        "Federated learning",
        "Graph learning",
        "In-context learning",
        "Instruction tuning",
        "Interpretability",
        "Long context",
        "Mathematics",
        "Mixture of experts",
        "Multilinguality",
        "Multimodality",
        "Optimisation",
        "Parameter-efficient fine-tuning",
        "Pretraining",
        "Privacy",
        "Quantisation",
        "Reasoning",
        "Reinforcement learning",
        "Retrieval",
        "Robotics",
        "Robustness",
        "Safety",
        "Scaling laws",
        "Self-supervised learning",
        "Synthetic data",
        "Tokenisation",
    )
)

ORGANISATIONS = (
    ("Google DeepMind", "google-deepmind"),
    ("Meta AI", "meta"),
    ("Microsoft Research", "microsoft"),
    ("OpenAI", "openai"),
    ("Anthropic", "anthropic"),
    ("Allen Institute for AI", "ai2"),
    ("Tsinghua University", "tsinghua"),
    ("Stanford University", "stanford"),
    ("MIT", "mit"),
    ("Carnegie Mellon University", "cmu"),
    ("ETH Zürich", "eth-zurich"),
    ("University of Oxford", "oxford"),
    ("Mila", "mila"),
    ("Hugging Face", "hugging-face"),
    ("NVIDIA", "nvidia"),
    ("Alibaba Qwen", "qwen"),
    ("DeepSeek", "deepseek"),
    ("Mistral AI", "mistral"),
    ("Samsung & KAIST", "samsung-kaist"),
    ("University of Tokyo", "utokyo"),
)

_SYLLABLES = (
    "ka", "lo", "ri", "ven", "tor", "mi", "sa", "qua", "zen", "dra", "phi", "nox", "el",
    "ar", "ion", "us", "ly", "ta", "gem", "or", "ba", "ku", "nes", "vi", "ro", "de", "lex",
)  # fmt: skip
_ADJECTIVES = (
    "Scalable", "Efficient", "Robust", "Sparse", "Adaptive", "Hierarchical", "Contrastive",
    "Self-Improving", "Unified", "Compositional", "Faithful", "Multilingual", "Lightweight",
    "Verifiable", "Latent", "Causal", "Calibrated", "Modular", "Recurrent", "Generalist",
)  # fmt: skip
_METHODS = (
    "Attention", "Preference Optimisation", "Retrieval Augmentation", "Token Merging",
    "Reward Modelling", "Speculative Decoding", "Curriculum Learning", "Tree Search",
    "Low-Rank Adapters", "Diffusion Transformers", "State Space Models", "Distillation",
    "Tool Use", "Chain-of-Thought", "World Models", "Quantised Training", "Data Mixing",
)  # fmt: skip
_TASKS = (
    "Long-Context Language Modelling", "Visual Question Answering", "Theorem Proving",
    "Code Repair", "Robot Manipulation", "Speech Recognition", "Machine Translation",
    "Protein Design", "Web Navigation", "Text-to-Image Generation", "Open-Domain QA",
    "Mathematical Reasoning", "Video Understanding", "Dialogue Safety", "Tabular Prediction",
)  # fmt: skip
_FIRST = (
    "Ana", "Wei", "Sofia", "Kenji", "Amara", "Lukas", "Priya", "Mateo", "Yuki", "Omar",
    "Chloé", "Ivan", "Fatima", "Jonas", "Mei", "Diego", "Aisha", "Noah", "Hana", "Tomás",
)  # fmt: skip
_LAST = (
    "Zhang", "Müller", "García", "Kim", "Okafor", "Rossi", "Nguyen", "Singh", "Tanaka",
    "Johansson", "O'Neil", "Kowalski", "Haddad", "Silva", "Chen", "Dubois", "Patel", "Li",
)  # fmt: skip
_SENTENCES = (
    "We study {method} as a way to improve {task} without increasing inference cost.",
    "Existing approaches rely on large labelled corpora and scale poorly with model size.",
    "We propose {name}, a {adj} framework that combines {method} with a simple training "
    "objective.",
    "Our analysis shows that the gains come mostly from better credit assignment over long "
    "horizons, not from additional parameters.",
    "On six public benchmarks, {name} improves accuracy by {gain} points over strong "
    "baselines while using {ratio}x fewer training tokens.",
    "Ablations confirm that each component contributes, and that the method is robust to "
    "the choice of hyper-parameters.",
    "We further find that performance follows a predictable power law in compute, which "
    "allows practitioners to forecast results before training.",
    "A human evaluation with {people} annotators agrees with the automatic metrics & "
    "highlights remaining failure modes on rare inputs.",
    "We release code, model checkpoints and a cleaned evaluation suite to support "
    "reproducible research on {task}.",
    "Finally, we discuss limitations, including sensitivity to distribution shift and the "
    "cost of <long> sequences.",
    "Compared with prior work on {method}, our approach needs no task-specific tuning and "
    "transfers across languages and modalities.",
    "Theoretical results bound the approximation error of the {adj} estimator under mild "
    "assumptions.",
)  # fmt: skip
_NOTES = (
    "Worth reading for the **ablations** in section 4.",
    "- strong baseline for {task}\n- compare with the earlier work on {method}",
    "The appendix has the most useful details; the main text oversells the gains.",
    "Read together with the follow-up paper; their `evaluation` code differs.",
)

START = date(2021, 1, 1)
SPAN_DAYS = 5 * 365  # publication dates spread over five years
ABSTRACT_BYTES = 1500


@dataclass(frozen=True)
class SyntheticProject:
    """Where a generated project lives and what it contains."""

    root: Path
    papers_dir: Path
    tags_file: Path
    slugs: tuple[str, ...]

    def entry_path(self, slug: str) -> Path:
        """The file of one entry (``.yaml`` or ``.md``)."""
        for suffix in (".yaml", ".md"):
            path = self.papers_dir / f"{slug}{suffix}"
            if path.exists():
                return path
        raise FileNotFoundError(f"no entry for {slug} in {self.papers_dir}")


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def tags_yml() -> str:
    """The 40-tag vocabulary as ``tags.yml`` text."""
    lines = ["# Synthetic vocabulary written by build_tools.synthetic.", ""]
    for tag_id, title, description in TAGS:
        lines += [f"{tag_id}:", f"  title: {_quoted(title)}"]
        lines += [f"  description: {_quoted(description)}", ""]
    return "\n".join(lines)


def _name(index: int) -> str:
    """A unique, pronounceable model name per index ("Kalo-17")."""
    rng = random.Random(index)
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
    return f"{word.capitalize()}-{index}"


@dataclass(frozen=True)
class SyntheticPaper:
    """The fields of one generated entry (dates as ISO strings, as written)."""

    slug: str
    title: str
    authors: tuple[str, ...]
    author_count: int | None
    organization: tuple[str, str] | None  # (display name, id)
    published: str
    added: str
    tags: tuple[str, ...]
    abstract: str
    arxiv: str
    code: str | None
    votes: int | None
    notes: str | None  # Markdown body; such entries are written as .md

    @property
    def suffix(self) -> str:
        return ".md" if self.notes is not None else ".yaml"

    def entry_text(self) -> str:
        """The entry file as a contributor would write it."""
        lines = [f"title: {_quoted(self.title)}"]
        if self.authors:
            lines.append("authors: [" + ", ".join(_quoted(a) for a in self.authors) + "]")
        else:
            lines.append(f"author_count: {self.author_count}")
        if self.organization:
            name, org_id = self.organization
            lines += [f"organization: {_quoted(name)}", f"organization_id: {org_id}"]
        lines += [f"published: {self.published}", f"added: {self.added}"]
        lines.append("tags: [" + ", ".join(self.tags) + "]")
        lines.append(f"abstract: {_quoted(self.abstract)}")
        lines += ["links:", f'  arxiv: "{self.arxiv}"']
        if self.code:
            lines.append(f"  code: {self.code}")
        if self.votes is not None:
            lines.append(f"votes: {self.votes}")
        if self.notes is not None:
            return "---\n" + "\n".join(lines) + "\n---\n" + self.notes + "\n"
        return "\n".join(lines) + "\n"

    def markdown_page(self) -> str:
        """The same paper as a plain Markdown page, for the mkdocs-material baseline."""
        people = ", ".join(self.authors) or f"{self.author_count} authors"
        lines = [f"# {self.title}", "", f"*{people}*", ""]
        lines += [f"Published {self.published}, added {self.added}.", ""]
        lines += ["Tags: " + ", ".join(self.tags), "", "## Abstract", "", self.abstract, ""]
        lines += [f"[arXiv](https://arxiv.org/abs/{self.arxiv})", ""]
        if self.notes:
            lines += ["## Notes", "", self.notes, ""]
        return "\n".join(lines)


def paper(index: int, rng: random.Random) -> SyntheticPaper:
    """One entry; everything random comes from ``rng``, the name from ``index``."""
    name = _name(index)
    adj, method, task = rng.choice(_ADJECTIVES), rng.choice(_METHODS), rng.choice(_TASKS)
    published = START + timedelta(days=rng.randrange(SPAN_DAYS))
    added = min(published + timedelta(days=rng.randrange(0, 90)), START + timedelta(SPAN_DAYS))
    values = {"name": name, "adj": adj.lower(), "method": method, "task": task}
    abstract: list[str] = []
    while sum(len(s) + 1 for s in abstract) < ABSTRACT_BYTES:
        sentence = rng.choice(_SENTENCES)
        numbers = {"gain": rng.randint(1, 12), "ratio": rng.randint(2, 8)}
        abstract.append(sentence.format(**values, **numbers, people=rng.randint(3, 40)))
    tags = tuple(rng.sample([tag[0] for tag in TAGS], rng.randint(1, 5)))
    authors: tuple[str, ...] = ()
    author_count = None
    if rng.random() < 0.9:
        count = rng.randint(1, 9)
        authors = tuple(f"{rng.choice(_FIRST)} {rng.choice(_LAST)}" for _ in range(count))
    else:
        author_count = rng.randint(2, 300)
    organization = rng.choice(ORGANISATIONS) if rng.random() < 0.4 else None
    slug = slugify(f"{name} {method} {task}")
    code = f"https://github.com/example/{slug[:40]}" if rng.random() < 0.5 else None
    votes = rng.randint(0, 500) if rng.random() < 0.6 else None
    notes = rng.choice(_NOTES).format(**values) if rng.random() < 0.15 else None
    return SyntheticPaper(
        slug=slug,
        title=f"{name}: {adj} {method} for {task}",
        authors=authors,
        author_count=author_count,
        organization=organization,
        published=published.isoformat(),
        added=added.isoformat(),
        tags=tags,
        abstract=" ".join(abstract),
        arxiv=f"{published:%y%m}.{index % 100000:05d}",
        code=code,
        votes=votes,
        notes=notes,
    )


def papers(count: int, seed: int = 0) -> Iterator[SyntheticPaper]:
    """``count`` papers, the same ones for the same ``(count, seed)``."""
    rng = random.Random(seed)
    for index in range(count):
        yield paper(index, rng)


def write_entries(papers_dir: Path, count: int, seed: int = 0) -> tuple[str, ...]:
    """Write ``count`` entries into ``papers_dir``; returns their slugs in index order."""
    papers_dir.mkdir(parents=True, exist_ok=True)
    slugs = []
    for item in papers(count, seed):
        (papers_dir / f"{item.slug}{item.suffix}").write_text(item.entry_text(), encoding="utf-8")
        slugs.append(item.slug)
    return tuple(slugs)


def generate(root: Path, count: int, seed: int = 0) -> SyntheticProject:
    """Write ``tags.yml`` and ``papers/`` with ``count`` entries under ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    tags_file = root / "tags.yml"
    tags_file.write_text(tags_yml(), encoding="utf-8")
    slugs = write_entries(root / "papers", count, seed)
    return SyntheticProject(root, root / "papers", tags_file, slugs)
