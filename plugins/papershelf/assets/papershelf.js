/*
 * Papershelf's reader-side script, loaded once after mkdocs-material's bundle.
 *
 * - The header search box queries the Pagefind index in pagefind/ (built after the
 *   site). pagefind.js is imported only when a reader first searches, and fetches only
 *   the index chunks a query needs, so the cost stays small as the list grows.
 * - Tables marked data-ps-sortable get sort buttons in their column headings.
 *
 * Material's instant navigation swaps the page body without reloading this script,
 * so per-page work runs on every emission of material's `document$`.
 */
(function () {
  "use strict";

  var RESULTS_PER_STEP = 10;

  /* The site root, resolved once against the page this script was first loaded on
     (material's __config holds a base relative to that page). */
  var ROOT = (function () {
    var config = document.getElementById("__config");
    var base = config ? JSON.parse(config.textContent).base || "." : ".";
    return new URL(base.replace(/\/?$/, "/"), location.href);
  })();

  var pagefind = null;

  function loadPagefind() {
    if (!pagefind) {
      pagefind = import(new URL("pagefind/pagefind.js", ROOT).href).then(function (module) {
        return module.options({ baseUrl: ROOT.pathname }).then(function () {
          module.init();
          return module;
        });
      });
      pagefind.catch(function () {
        pagefind = null;
      });
    }
    return pagefind;
  }

  /* Pagefind's excerpt is HTML with <mark> around matches. Keep only text and <mark>:
     entry text is untrusted, so nothing else from it may become markup. */
  function appendExcerpt(target, html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    template.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        target.append(mark);
      } else {
        target.append(document.createTextNode(node.textContent));
      }
    });
  }

  function renderResult(data) {
    var item = document.createElement("li");
    item.className = "md-search-result__item";
    var link = document.createElement("a");
    link.className = "md-search-result__link";
    link.href = data.url;
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var title = document.createElement("div");
    title.className = "ps-search-result__title";
    title.textContent = (data.meta && data.meta.title) || data.url;
    var teaser = document.createElement("p");
    teaser.className = "md-search-result__teaser";
    appendExcerpt(teaser, data.excerpt || "");
    article.append(title, teaser);
    link.append(article);
    item.append(link);
    return item;
  }

  function mountSearch() {
    var form = document.querySelector("[data-ps-search-form]");
    var toggle = document.getElementById("__search");
    if (!form || !toggle || form.dataset.psMounted) return;
    form.dataset.psMounted = "true";
    var input = form.querySelector("[data-ps-search-input]");
    var meta = document.querySelector("[data-ps-search-meta]");
    var list = document.querySelector("[data-ps-search-list]");
    var more = document.querySelector("[data-ps-search-more]");
    var idle = meta.textContent.trim();
    var state = { query: "", results: [], shown: 0, serial: 0 };
    var timer = null;

    function open() {
      toggle.checked = true;
      input.focus();
    }

    function close() {
      toggle.checked = false;
      input.blur();
    }

    function showMore(serial) {
      var slice = state.results.slice(state.shown, state.shown + RESULTS_PER_STEP);
      return Promise.all(
        slice.map(function (result) {
          return result.data();
        })
      ).then(function (pages) {
        if (serial !== state.serial) return;
        pages.forEach(function (data) {
          list.append(renderResult(data));
        });
        state.shown += slice.length;
        more.hidden = state.shown >= state.results.length;
      });
    }

    function search(query) {
      var serial = ++state.serial;
      state.query = query;
      if (!query.trim()) {
        list.replaceChildren();
        more.hidden = true;
        meta.textContent = idle;
        return Promise.resolve();
      }
      return loadPagefind()
        .then(function (module) {
          return module.search(query);
        })
        .then(function (found) {
          if (serial !== state.serial) return;
          state.results = found.results;
          state.shown = 0;
          list.replaceChildren();
          var count = found.results.length;
          meta.textContent =
            count === 0
              ? "No matching papers"
              : count === 1
                ? "1 matching paper"
                : count + " matching papers";
          return showMore(serial);
        })
        .catch(function (error) {
          if (serial !== state.serial) return;
          meta.textContent = "Search is not available here (no search index was found).";
          console.warn("papershelf search:", error);
        });
    }

    input.addEventListener("focus", function () {
      toggle.checked = true;
    });
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        search(input.value);
      }, 120);
    });
    toggle.addEventListener("change", function () {
      if (toggle.checked) input.focus();
      else input.blur();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = list.querySelector("a");
      if (first) first.click();
    });
    form.addEventListener("reset", function () {
      window.clearTimeout(timer);
      window.setTimeout(function () {
        search("");
        input.focus();
      });
    });
    more.addEventListener("click", function () {
      showMore(state.serial);
    });
    list.addEventListener("click", function (event) {
      if (event.target.closest("a")) close();
    });

    /* Keys: Escape closes; arrows walk the results; "/" or "s" opens from anywhere. */
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      var active = document.activeElement;
      if (toggle.checked) {
        var links = Array.prototype.slice.call(list.querySelectorAll("a"));
        var index = links.indexOf(active);
        if (event.key === "Escape") {
          close();
          event.preventDefault();
        } else if (event.key === "ArrowDown" && links.length) {
          links[Math.min(index + 1, links.length - 1)].focus();
          event.preventDefault();
        } else if (event.key === "ArrowUp" && links.length) {
          if (index <= 0) input.focus();
          else links[index - 1].focus();
          event.preventDefault();
        }
        return;
      }
      var typing =
        active &&
        (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
      if (!typing && (event.key === "/" || event.key === "s")) {
        open();
        event.preventDefault();
      }
    });

    document.addEventListener("click", function (event) {
      if (event.target.closest("[data-ps-search-open]")) open();
    });
  }

  function mountSortable(table) {
    if (table.dataset.psMounted) return;
    table.dataset.psMounted = "true";
    var heads = Array.prototype.slice.call(table.querySelectorAll("th[data-sort]"));
    heads.forEach(function (th) {
      var column = Array.prototype.indexOf.call(th.parentNode.children, th);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ps-sort-button";
      button.textContent = th.textContent.trim();
      th.replaceChildren(button);
      button.addEventListener("click", function () {
        var numeric = th.dataset.sort === "number";
        var current = th.getAttribute("aria-sort");
        var direction =
          current === "ascending"
            ? "descending"
            : current === "descending"
              ? "ascending"
              : numeric
                ? "descending"
                : "ascending";
        heads.forEach(function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", direction);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[column].dataset.value;
          var y = b.cells[column].dataset.value;
          var order = numeric ? Number(x) - Number(y) : x.localeCompare(y);
          if (direction === "descending") order = -order;
          return order || a.cells[0].dataset.value.localeCompare(b.cells[0].dataset.value);
        });
        body.append.apply(body, rows);
      });
    });
  }

  function onPage() {
    mountSearch();
    document.querySelectorAll("table[data-ps-sortable]").forEach(mountSortable);
  }

  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(onPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onPage);
  } else {
    onPage();
  }
})();
