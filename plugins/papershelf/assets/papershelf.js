/*
 * Papershelf's reader-side script, loaded once after mkdocs-material's bundle.
 *
 * - The header search box queries the search index in search/ (papershelf/search.py
 *   explains the files). The manifest search/index.json is fetched when a reader first
 *   searches; then each word of a query fetches the shard of terms it needs, and the
 *   results shown fetch the chunks of papers they are in, so a search downloads a
 *   small part of the index however long the list grows.
 * - Tables marked data-ps-sortable get sort buttons in their column headings.
 *
 * Material's instant navigation swaps the page body without reloading this script,
 * so per-page work runs on every emission of material's `document$`.
 */
(function () {
  "use strict";

  var RESULTS_PER_STEP = 10;
  var INDEX_VERSION = 2;
  var EXCERPT_BEFORE = 60; // characters of the abstract shown before the first match
  var EXCERPT_LENGTH = 260;

  /* The site root, resolved once against the page this script was first loaded on
     (material's __config holds a base relative to that page). */
  var ROOT = (function () {
    var config = document.getElementById("__config");
    var base = config ? JSON.parse(config.textContent).base || "." : ".";
    return new URL(base.replace(/\/?$/, "/"), location.href);
  })();

  /* Terms: lower-cased runs of letters and digits, as papershelf.search.tokens makes
     them in Python ([^\W_]+ over str.lower()). */
  var TOKEN = /[\p{L}\p{N}]+/gu;

  function tokens(text) {
    return text.toLowerCase().match(TOKEN) || [];
  }

  function length(term) {
    return Array.from(term).length; // code points, as Python counts them
  }

  /* The terms of a query: one-letter terms only when there is nothing else. */
  function queryTerms(query) {
    var all = tokens(query);
    var longer = all.filter(function (term) {
      return length(term) > 1;
    });
    return Array.from(new Set(longer.length ? longer : all));
  }

  /* A term of the index matches a query term it starts with; one-letter query terms
     match only themselves. */
  function matches(word, term) {
    return length(term) === 1 ? word === term : word.startsWith(term);
  }

  function shardFile(key) {
    return Array.from(key)
      .map(function (char) {
        return char.codePointAt(0).toString(16);
      })
      .join("-");
  }

  /* Postings (papershelf.search.encode_postings): base-32 digits, least significant
     first, in URL-safe base64 characters; digits 32-63 carry on. Each number is the
     gap to the previous paper number, less one. */
  var DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT_VALUE = {};
  for (var d = 0; d < DIGITS.length; d++) DIGIT_VALUE[DIGITS[d]] = d;

  function markPostings(text, flags, bit) {
    var previous = -1;
    var value = 0;
    var scale = 1;
    for (var i = 0; i < text.length; i++) {
      var digit = DIGIT_VALUE[text[i]];
      if (digit >= 32) {
        value += (digit - 32) * scale;
        scale *= 32;
      } else {
        previous += value + digit * scale + 1;
        flags[previous] |= bit;
        value = 0;
        scale = 1;
      }
    }
  }

  /* The shards whose words may match `term` (papershelf.search.shards_for): a one-
     letter term's own shard; else those whose key starts with the term ("co": "con",
     "com"...) or that the term starts with ("con": "co"). Keys end in a space when
     they are a whole word ("x "). */
  function shardsFor(keys, term) {
    if (length(term) === 1) {
      return keys.filter(function (key) {
        return key === term + " ";
      });
    }
    return keys.filter(function (key) {
      return key.startsWith(term) || term.startsWith(key);
    });
  }

  function fetchJSON(url, options) {
    return fetch(url, options).then(function (response) {
      if (!response.ok) throw new Error(url + ": HTTP " + response.status);
      return response.json();
    });
  }

  var STRONG = 2;
  var BODY = 1;

  function SearchIndex(manifest) {
    if (manifest.version !== INDEX_VERSION) {
      throw new Error("search/index.json: unknown version " + manifest.version);
    }
    this.docs = manifest.docs;
    this.chunk = manifest.chunk;
    this.base = new URL("search/" + manifest.folder + "/", ROOT);
    this.shards = manifest.shards; // keys: terms start with them (papershelf.search)
    this.loaded = new Map(); // file -> promise of its JSON
    this.where = null; // promise of where each paper's result text is (layout)
  }

  SearchIndex.prototype.file = function (path) {
    var promise = this.loaded.get(path);
    if (!promise) {
      var loaded = this.loaded;
      promise = fetchJSON(new URL(path, this.base).href);
      promise.catch(function () {
        loaded.delete(path); // try again next time
      });
      loaded.set(path, promise);
    }
    return promise;
  };

  /* Per paper number: STRONG if a word starting with `term` is in its title, authors,
     organisation or tags, BODY if only in its abstract or notes; or null when no
     word of the index starts with it. */
  SearchIndex.prototype.term = function (term) {
    var docs = this.docs;
    var self = this;
    var shards = shardsFor(this.shards, term).map(function (key) {
      return self.file("terms/" + shardFile(key) + ".json");
    });
    return Promise.all(shards).then(function (loaded) {
      var flags = null;
      loaded.forEach(function (shard) {
        Object.keys(shard).forEach(function (word) {
          if (!matches(word, term)) return;
          flags = flags || new Uint8Array(docs);
          markPostings(shard[word][0], flags, STRONG);
          markPostings(shard[word][1], flags, BODY);
        });
      });
      return flags;
    });
  };

  /* Paper numbers having every term, most strong-field hits first, then newest.
     Papers are numbered by slug; rank.json gives each number's place in the list
     (0 the newest), fetched with the shards (a list without papers has none). */
  SearchIndex.prototype.search = function (terms) {
    var docs = this.docs;
    var ranks = docs && terms.length ? this.file("rank.json") : Promise.resolve([]);
    return Promise.all([ranks].concat(terms.map(this.term, this))).then(function (loaded) {
      var rank = loaded[0];
      var found = loaded.slice(1);
      if (!terms.length || found.indexOf(null) >= 0) return [];
      var hits = [];
      for (var doc = 0; doc < docs; doc++) {
        var strong = 0;
        for (var t = 0; t < found.length; t++) {
          var flag = found[t][doc];
          if (!flag) break;
          if (flag & STRONG) strong++;
        }
        if (t === found.length) hits.push({ doc: doc, strong: strong });
      }
      hits.sort(function (a, b) {
        return b.strong - a.strong || rank[a.doc] - rank[b.doc];
      });
      return hits.map(function (hit) {
        return hit.doc;
      });
    });
  };

  /* Whether paper `number` begins a document chunk (papershelf.search.starts_chunk):
     about one paper in `chunk`, by a hash of its number (exact in doubles). */
  function startsChunk(number, chunk) {
    return ((number * 2654435761) % 4294967296) * chunk < 4294967296;
  }

  /* Where each paper's result text is (papershelf.search.chunk_layout): per number,
     the number of the first paper of its chunk (the file's name) and its row there.
     The chunks hold papers in the order of the list (newest first, by rank.json). */
  SearchIndex.prototype.layout = function () {
    if (!this.where) {
      var chunk = this.chunk;
      var self = this;
      this.where = this.file("rank.json").then(function (rank) {
        var order = new Array(rank.length);
        rank.forEach(function (place, number) {
          order[place] = number;
        });
        var where = new Array(rank.length);
        var first = 0;
        var row = 0;
        order.forEach(function (number, place) {
          if (place === 0 || startsChunk(number, chunk)) {
            first = number;
            row = 0;
          }
          where[number] = [first, row++];
        });
        return where;
      });
      this.where.catch(function () {
        self.where = null;
      });
    }
    return this.where;
  };

  /* The papers numbered `numbers`, in that order: [url, title, authors, abstract]. */
  SearchIndex.prototype.papers = function (numbers) {
    var self = this;
    return this.layout().then(function (where) {
      return Promise.all(
        numbers.map(function (number) {
          var at = where[number];
          return self.file("docs/" + at[0] + ".json").then(function (papers) {
            return papers[at[1]];
          });
        })
      );
    });
  };

  var index = null;

  function loadIndex() {
    if (!index) {
      // Revalidated with the server: after a republish, a new manifest names new files.
      var url = new URL("search/index.json", ROOT).href;
      index = fetchJSON(url, { cache: "no-cache" }).then(function (manifest) {
        return new SearchIndex(manifest);
      });
      index.catch(function () {
        index = null;
      });
    }
    return index;
  }

  /* Entry text with the words matching `terms` in <mark>: text nodes only, never
     markup, since entry text is untrusted. */
  function appendMarked(target, text, terms) {
    var word = new RegExp(TOKEN.source, "gu");
    var last = 0;
    var found;
    while ((found = word.exec(text))) {
      var lower = found[0].toLowerCase();
      var hit = terms.some(function (term) {
        return matches(lower, term);
      });
      if (!hit) continue;
      target.append(document.createTextNode(text.slice(last, found.index)));
      var mark = document.createElement("mark");
      mark.textContent = found[0];
      target.append(mark);
      last = found.index + found[0].length;
    }
    target.append(document.createTextNode(text.slice(last)));
  }

  function isLowSurrogate(text, at) {
    var code = text.charCodeAt(at);
    return code >= 0xdc00 && code <= 0xdfff;
  }

  /* About three lines of the abstract, from a little before its first matching word. */
  function excerpt(text, terms) {
    var word = new RegExp(TOKEN.source, "gu");
    var first = 0;
    var found;
    while ((found = word.exec(text))) {
      var lower = found[0].toLowerCase();
      if (
        terms.some(function (term) {
          return matches(lower, term);
        })
      ) {
        first = found.index;
        break;
      }
    }
    var start = 0;
    if (first > EXCERPT_BEFORE) {
      var space = text.indexOf(" ", first - EXCERPT_BEFORE);
      start = space >= 0 && space < first ? space + 1 : first;
    }
    var end = Math.min(text.length, start + EXCERPT_LENGTH);
    if (end < text.length) {
      var cut = text.lastIndexOf(" ", end);
      if (cut > start) end = cut;
      else if (isLowSurrogate(text, end)) end--;
    }
    var before = start > 0 ? "… " : "";
    return before + text.slice(start, end) + (end < text.length ? " …" : "");
  }

  function renderResult(paper, terms) {
    var url = paper[0];
    var title = paper[1];
    var authors = paper[2];
    var abstract = paper[3];
    var item = document.createElement("li");
    item.className = "md-search-result__item";
    var link = document.createElement("a");
    link.className = "md-search-result__link";
    link.href = new URL("./" + url, ROOT).href; // relative: never another scheme
    var article = document.createElement("article");
    article.className = "md-search-result__article md-typeset";
    var heading = document.createElement("div");
    heading.className = "ps-search-result__title";
    appendMarked(heading, title, terms);
    article.append(heading);
    if (authors) {
      var byline = document.createElement("p");
      byline.className = "ps-search-result__authors";
      appendMarked(byline, authors, terms);
      article.append(byline);
    }
    if (abstract) {
      var teaser = document.createElement("p");
      teaser.className = "md-search-result__teaser";
      appendMarked(teaser, excerpt(abstract, terms), terms);
      article.append(teaser);
    }
    link.append(article);
    item.append(link);
    return item;
  }

  /* For tests and the curious: the tokeniser and the query engine. */
  window.papershelfSearch = {
    tokens: tokens,
    queryTerms: queryTerms,
    shardsFor: shardsFor,
    startsChunk: startsChunk,
    load: loadIndex,
  };

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
    var state = { query: "", terms: [], results: [], shown: 0, serial: 0, loading: 0 };
    state.index = null; // the SearchIndex the results came from
    var timer = null;

    function open() {
      toggle.checked = true;
      input.focus();
    }

    function close() {
      toggle.checked = false;
      input.blur();
    }

    function unavailable(serial, error) {
      index = null; // the site may have been republished: read the manifest again
      if (serial !== state.serial) return;
      meta.textContent = "Search is not available here (no search index was found).";
      console.warn("papershelf search:", error);
    }

    /* The next results; a click while they load adds nothing twice. */
    function showMore(serial) {
      if (state.loading === serial) return Promise.resolve();
      state.loading = serial;
      var numbers = state.results.slice(state.shown, state.shown + RESULTS_PER_STEP);
      return state.index.papers(numbers).then(
        function (papers) {
          if (serial !== state.serial) return;
          state.loading = 0;
          papers.forEach(function (paper) {
            list.append(renderResult(paper, state.terms));
          });
          state.shown += numbers.length;
          more.hidden = state.shown >= state.results.length;
        },
        function (error) {
          if (serial === state.serial) state.loading = 0;
          throw error;
        }
      );
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
      var terms = queryTerms(query);
      return loadIndex()
        .then(function (loaded) {
          return loaded.search(terms).then(function (results) {
            if (serial !== state.serial) return;
            state.index = loaded;
            state.terms = terms;
            state.results = results;
            state.shown = 0;
            list.replaceChildren();
            var count = results.length;
            meta.textContent =
              count === 0
                ? "No matching papers"
                : count === 1
                  ? "1 matching paper"
                  : count + " matching papers";
            return showMore(serial);
          });
        })
        .catch(function (error) {
          unavailable(serial, error);
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
      var serial = state.serial;
      showMore(serial).catch(function (error) {
        unavailable(serial, error);
      });
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
