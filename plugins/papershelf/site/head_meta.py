"""What scholarly tools, search engines and link previews read from a page's ``<head>``.

A paper's page carries Highwire Press ``citation_*`` tags (Google Scholar, Zotero's
"Embedded Metadata" translator, Mendeley), a schema.org ``ScholarlyArticle`` in
JSON-LD, and OpenGraph and Twitter card tags; list pages carry OpenGraph and the card.
Pure, no mkdocs: every build path (theme pages, theme shells, the quick rebuild) puts
the same text into the head of the same page.

Entry text is untrusted. Tags are written by an autoescaping template
(``papershelf/head-meta.html``), and the JSON-LD by :func:`papershelf.site.search.to_json`,
which escapes ``<``, ``>`` and ``&``: a title holding ``</script>`` or ``<!--`` cannot end
the script block. What a page carries is a function of its spec, its own paper, the
site's name, description and URL and the vocabulary's tag titles, all of them part of
the page's fingerprint or of every page's (papershelf.speed.page_fingerprints).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2
from markupsafe import Markup, escape

from papershelf.entries.model import ARXIV_ABS, DOI_RESOLVER, Links, Paper, Tag
from papershelf.site.feeds import Site
from papershelf.site.pages import PageSpec
from papershelf.site.rendering import fragment_environment
from papershelf.site.search import to_json

TEMPLATE = "papershelf/head-meta.html"
SCHEMA_ORG = "https://schema.org"


def pdf_url(links: Links) -> str | None:
    """The PDF a reader is offered (:meth:`Links.buttons`: the entry's, else arXiv's)."""
    return next((url for label, url in links.buttons() if label == "PDF"), None)


def page_url(spec: PageSpec, site: Site) -> str | None:
    """The page's absolute URL (as feeds give it), or None when the site has no URL."""
    return site.absolute(spec.url) if site.url else None


def head_values(spec: PageSpec, site: Site, tags: Mapping[str, Tag]) -> dict[str, Any]:
    """The template's values. The template escapes entry text, but for the title and
    description, which it prints more than once: they are escaped here, once.
    ``tags``: the vocabulary, for a paper's keywords."""
    url = page_url(spec, site)
    paper = spec.context.get("paper") if spec.kind == "paper" else None
    if spec.kind == "home":  # the site's front page: named and described as the site
        title, description = site.name or spec.title, site.description or spec.description
    else:  # a page without a description shows the site's (as material prints it)
        title, description = spec.title, spec.description or site.description
    values: dict[str, Any] = {
        "paper": paper,
        "title": escape(title),
        "description": escape(description),
        "url": url,
        "site_name": site.name,
        "json_ld": None,
    }
    if paper is not None:
        keywords = [tags[tag].title if tag in tags else tag for tag in paper.tags]
        day = paper.published
        # Highwire's date form (YYYY/MM/DD), which Google Scholar asks for.
        values["published"] = f"{day.year:04}/{day.month:02}/{day.day:02}" if day else None
        values["pdf"] = pdf_url(paper.links)
        values["keywords"] = keywords
        values["json_ld"] = Markup(to_json(scholarly_article(paper, url, keywords)).decode())
    return values


def scholarly_article(paper: Paper, url: str | None, keywords: list[str]) -> dict[str, Any]:
    """The paper as a schema.org ``ScholarlyArticle`` (JSON-LD, compacted with the
    schema.org context). Without the abstract: it is on the page, and a second copy
    in every page's head cost 1.5 kB a paper (the site must fit GitHub Pages)."""
    article: dict[str, Any] = {
        "@context": SCHEMA_ORG,
        "@type": "ScholarlyArticle",
        "name": paper.title,
        "headline": paper.title,
    }
    if paper.authors:
        article["author"] = [{"@type": "Person", "name": name} for name in paper.authors]
    if paper.published is not None:
        article["datePublished"] = paper.published.isoformat()
    if url:
        article["url"] = url
    links = paper.links
    same_as, identifiers = [], []
    if links.arxiv:
        same_as.append(ARXIV_ABS + links.arxiv)
        identifiers.append({"@type": "PropertyValue", "propertyID": "arXiv", "value": links.arxiv})
    if links.doi:
        same_as.append(DOI_RESOLVER + links.doi)
        identifiers.append({"@type": "PropertyValue", "propertyID": "DOI", "value": links.doi})
    if same_as:
        article["sameAs"] = same_as
        article["identifier"] = identifiers
    pdf = pdf_url(links)
    if pdf:
        article["encoding"] = {
            "@type": "MediaObject",
            "encodingFormat": "application/pdf",
            "contentUrl": pdf,
        }
    if paper.organization:
        article["sourceOrganization"] = {"@type": "Organization", "name": paper.organization}
    if keywords:
        article["keywords"] = keywords
    return article


class HeadMeta:
    """Renders the head meta of a build's pages: the template is fetched once, and each
    page's meta rendered once, when its page is written (about 0.1 ms for a paper with
    a long author list)."""

    def __init__(self, env: jinja2.Environment, site: Site, tags: Mapping[str, Tag]) -> None:
        """``env``: an autoescaping environment over papershelf's templates
        (papershelf.site.rendering.fragment_environment)."""
        self.env, self.site, self.tags = env, site, tags
        self._template: jinja2.Template | None = None

    def __call__(self, spec: PageSpec) -> str:
        template = self._template
        if template is None:
            template = self._template = self.env.get_template(TEMPLATE)
        return template.render(head_values(spec, self.site, self.tags))


def head_meta(
    spec: PageSpec,
    site: Site,
    tags: Mapping[str, Tag] | None = None,
    *,
    env: jinja2.Environment | None = None,
) -> str:
    """The meta tags (and, for a paper, the JSON-LD) of one generated page's head."""
    return HeadMeta(env or fragment_environment(), site, tags or {})(spec)
