/*
 * Papershelf's reader-side script, loaded once after mkdocs-material's bundle.
 *
 * - The header search box queries the search index in search/ (docs/search.md
 *   explains the files and the ranking). The manifest search/index.json is fetched when a reader first
 *   searches; then each word of a query fetches the shard of terms it needs, and the
 *   results shown fetch the chunks of papers they are in, so a search downloads a
 *   small part of the index however long the list grows.
 * - Tables marked data-ps-sortable get sort buttons in their column headings.
 * - A paper's Cite block gets a button that copies its BibTeX.
 *
 * Per-page work runs on every emission of material's `document$`: once per page load
 * as the site ships (mkdocs.yml leaves out navigation.instant), and again after each
 * page swap should a site turn instant navigation on, which does not reload this script.
 */
(function () {
  "use strict";

  var RESULTS_PER_STEP = 10;
  var INDEX_VERSION = 3;
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

  /* The words of a query, in order, each with whether a hyphen joins it to the next;
     one-letter words only when there is nothing else. */
  function queryWords(query) {
    var found = [];
    var word = /[\p{L}\p{N}]+([\-\u2010\u2011](?=[\p{L}\p{N}]))?/gu;
    var match;
    while ((match = word.exec(fold(query).toLowerCase()))) {
      var text = match[0].replace(/[\-\u2010\u2011]$/, "");
      found.push({ text: text, hyphen: Boolean(match[1]) });
    }
    var longer = found.filter(function (item) {
      return length(item.text) > 1;
    });
    return longer.length ? longer : found;
  }

  /* Text without accents and with compatibility characters plain, as the index has
     it too (papershelf.site.search.fold): "Tülu" finds "TÜLU" and "tulu" alike. */
  function fold(text) {
    return text.normalize("NFKD").replace(/\p{M}/gu, "");
  }

  /* The distinct terms of a query (for tests and highlighting). */
  function queryTerms(query) {
    return Array.from(
      new Set(
        queryWords(query).map(function (item) {
          return item.text;
        })
      )
    );
  }

  /* Snowball English (Porter2), as the index was stemmed in Python (snowballstemmer);
     assets/papershelf/snowball-english.js defines it. Words of two letters or fewer
     are their own stem, as in papershelf.site.search.stem. */
  function stemOf(word) {
    if (length(word) <= 2 || typeof window.papershelfStem !== "function") return word;
    return window.papershelfStem(word);
  }

  /* A shard key: the word, then after "~" its stem, as a length when the stem begins
     the word (papershelf.site.search.index_key). */
  function parseKey(key) {
    var at = key.indexOf("~");
    if (at < 0) return { word: key, stem: key };
    var word = key.slice(0, at);
    var rest = key.slice(at + 1);
    var stem = /^\d+$/.test(rest) ? Array.from(word).slice(0, Number(rest)).join("") : rest;
    return { word: word, stem: stem };
  }

  /* Optimal string alignment distance (a swap of neighbours counts once), or
     limit + 1 as soon as it must be more than limit. */
  function editDistance(a, b, limit) {
    a = Array.from(a);
    b = Array.from(b);
    if (Math.abs(a.length - b.length) > limit) return limit + 1;
    var before = null;
    var previous = [];
    for (var j = 0; j <= b.length; j++) previous.push(j);
    for (var i = 1; i <= a.length; i++) {
      var current = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
        if (before && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
          value = Math.min(value, before[j - 2] + 1);
        }
        current.push(value);
        best = Math.min(best, value);
      }
      if (best > limit) return limit + 1;
      before = previous;
      previous = current;
    }
    return previous[b.length];
  }

  /* How far a misspelt word may be from the word meant: none below four letters,
     one edit for four to seven, two from eight. */
  function typoLimit(word) {
    var letters = length(word);
    return letters < 4 ? 0 : letters < 8 ? 1 : 2;
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

  /* Weights of a hit by field (papershelf.site.search.FIELDS: title, authors and
     organisation, tags, abstract and notes) and by how the word matched: a title hit
     outranks any other, an exact word its stem, a stem the start of a longer word. */
  var FIELD_WEIGHTS = [16, 4, 2, 1];
  var EXACT = 1;
  var STEM = 0.8;
  var PREFIX = 0.6;
  var CORRECTED = 0.5;
  var MAX_VARIANT_WORDS = 6;
  var TYPO_SHARDS = 8; // at most this many more shards are read to correct a word

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

  /* The shards a term needs: those its words may be in (shardsFor), and for a term
     of three letters or more those of the words sharing its stem (a stem begins its
     words, but for its last letter: "happi", "happy"). */
  SearchIndex.prototype.shardsOf = function (term) {
    var keys = shardsFor(this.shards, term);
    var root = stemOf(term);
    if (root !== term) {
      var start = Array.from(root);
      var prefix = start.slice(0, Math.max(2, start.length - 1)).join("");
      shardsFor(this.shards, prefix).forEach(function (key) {
        if (keys.indexOf(key) < 0) keys.push(key);
      });
    }
    return keys;
  };

  SearchIndex.prototype.shardFiles = function (keys) {
    var self = this;
    return Promise.all(
      keys.map(function (key) {
        return self.file("terms/" + shardFile(key) + ".json");
      })
    );
  };

  /* Add a word's postings to `scores`: per paper, the best weight of the field it is
     in times `kind`. */
  function addPostings(lists, kind, scores) {
    for (var field = 0; field < lists.length; field++) {
      var weight = FIELD_WEIGHTS[field] * kind;
      var text = lists[field];
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
          if (weight > scores[previous]) scores[previous] = weight;
          value = 0;
          scale = 1;
        }
      }
    }
  }

  function papersIn(lists) {
    var count = 0;
    lists.forEach(function (text) {
      for (var i = 0; i < text.length; i++) if (DIGIT_VALUE[text[i]] < 32) count++;
    });
    return count;
  }

  /* Per paper number, the weight of its best hit for `term` (0: none), or null when
     no word matches. The word itself, a word with its stem, and, when `prefix`, a
     word it begins ("transf" finds "transformer"): only the last word typed is a
     prefix, so "pre" in "pre training" does not find every word beginning "pre". */
  SearchIndex.prototype.term = function (term, prefix) {
    var docs = this.docs;
    var root = stemOf(term);
    var single = length(term) === 1;
    return this.shardFiles(this.shardsOf(term)).then(function (loaded) {
      var scores = null;
      loaded.forEach(function (shard) {
        Object.keys(shard).forEach(function (key) {
          var entry = parseKey(key);
          var kind = 0;
          if (entry.word === term) kind = EXACT;
          else if (single) return;
          else if (length(term) > 2 && entry.stem === root) kind = STEM;
          else if (prefix && entry.word.startsWith(term)) kind = PREFIX;
          if (!kind) return;
          scores = scores || new Float32Array(docs);
          addPostings(shard[key], kind, scores);
        });
      });
      return scores;
    });
  };

  /* The word of the index nearest to a term that finds nothing (typoLimit), from the
     shards of words with its first two letters, with the papers it finds; or null. */
  SearchIndex.prototype.correct = function (term) {
    var self = this;
    var limit = typoLimit(term);
    if (!limit) return Promise.resolve(null);
    var docs = this.docs;
    var head = Array.from(term).slice(0, 2).join("");
    var keys = this.shards.filter(function (key) {
      return key.startsWith(head) || head.startsWith(key.trim());
    });
    var mine = this.shardsOf(term);
    keys.sort(function (a, b) {
      return (mine.indexOf(b) >= 0) - (mine.indexOf(a) >= 0) || (a < b ? -1 : a > b ? 1 : 0);
    });
    return this.shardFiles(keys.slice(0, mine.length + TYPO_SHARDS)).then(function (loaded) {
      var best = null;
      loaded.forEach(function (shard) {
        Object.keys(shard).forEach(function (key) {
          var word = parseKey(key).word;
          if (!word.startsWith(head)) return;
          var distance = editDistance(term, word, limit);
          if (distance > limit) return;
          var papers = papersIn(shard[key]);
          if (
            !best ||
            distance < best.distance ||
            (distance === best.distance &&
              (papers > best.papers || (papers === best.papers && word < best.word)))
          ) {
            best = { word: word, distance: distance, papers: papers };
          }
        });
      });
      if (!best) return null;
      // The word meant, with its stem, counts less than a word as typed would.
      return self.term(best.word, false).then(function (scores) {
        for (var doc = 0; doc < docs; doc++) scores[doc] *= CORRECTED;
        return { word: best.word, scores: scores };
      });
    });
  };

  /* The ways a query's words can be read: as typed, and with neighbours joined
     ("fine tuning" and "fine-tuning" also as "finetuning"; a hyphenated run also
     whole: "stateoftheart"), each a list of terms every result must have. */
  function readings(words) {
    var texts = words.slice(0, MAX_VARIANT_WORDS).map(function (item) {
      return item.text;
    });
    var found = [texts];
    for (var i = 0; i + 1 < texts.length; i++) {
      found.push(texts.slice(0, i).concat([texts[i] + texts[i + 1]], texts.slice(i + 2)));
    }
    var run = [];
    words.slice(0, MAX_VARIANT_WORDS).forEach(function (item, at) {
      run.push(at);
      if (!item.hyphen || at === texts.length - 1) {
        if (run.length > 2) {
          var joined = run
            .map(function (k) {
              return texts[k];
            })
            .join("");
          found.push(texts.slice(0, run[0]).concat([joined], texts.slice(at + 1)));
        }
        run = [];
      }
    });
    return found;
  }

  /* Results of a query: paper numbers, best first, and how they were found.
     Every word must match (as typed, joined with a neighbour, or, when a word finds
     nothing at all, as corrected); papers rank by the sum of their hits' weights,
     then newest first (rank.json). When no paper has every word, the papers with the
     most of them are shown instead (`partial`). */
  SearchIndex.prototype.search = function (query) {
    var self = this;
    var docs = this.docs;
    var words = queryWords(query);
    var empty = { results: [], partial: false, corrections: {}, words: [] };
    if (!words.length || !docs) return Promise.resolve(empty);
    var prefixLast = !/\s$/.test(query);
    var variants = readings(words);
    var last = words[Math.min(words.length, MAX_VARIANT_WORDS) - 1].text;
    var wanted = new Map(); // "term|prefix" -> promise of scores
    function scoresOf(term) {
      var prefix = prefixLast && term.endsWith(last) ? 1 : 0;
      var id = term + "|" + prefix;
      if (!wanted.has(id)) wanted.set(id, self.term(term, prefix === 1));
      return wanted.get(id);
    }
    var ranks = this.file("rank.json");
    var looked = variants.map(function (terms) {
      return Promise.all(terms.map(scoresOf));
    });
    return Promise.all([ranks, Promise.all(looked)]).then(function (done) {
      var rank = done[0];
      var found = done[1];
      var typed = found[0];
      var corrections = {};
      // A word that finds nothing, read as typed or joined: try to correct it.
      var fixes = variants[0].map(function (term, at) {
        var anyHit =
          typed[at] ||
          found.some(function (scores, v) {
            return v > 0 && variants[v].indexOf(term) < 0 && scores.indexOf(null) < 0;
          });
        return anyHit ? Promise.resolve(null) : self.correct(term);
      });
      return Promise.all(fixes).then(function (fixed) {
        fixed.forEach(function (fix, at) {
          if (fix) {
            corrections[variants[0][at]] = fix.word;
            typed[at] = fix.scores;
          }
        });
        var best = new Float32Array(docs);
        var any = false;
        found.forEach(function (scores) {
          if (scores.indexOf(null) >= 0) return;
          for (var doc = 0; doc < docs; doc++) {
            var sum = 0;
            for (var t = 0; t < scores.length; t++) {
              var score = scores[t][doc];
              if (!score) break;
              sum += score;
            }
            if (t === scores.length && sum > best[doc]) {
              best[doc] = sum;
              any = true;
            }
          }
        });
        var partial = false;
        if (!any && typed.length > 1) {
          // Papers with the most of the words: their number first, then their weights.
          partial = true;
          var most = 0;
          var count = new Uint8Array(docs);
          var weight = new Float32Array(docs);
          typed.forEach(function (scores) {
            if (!scores) return;
            for (var doc = 0; doc < docs; doc++) {
              if (scores[doc]) {
                count[doc]++;
                weight[doc] += scores[doc];
                if (count[doc] > most) most = count[doc];
              }
            }
          });
          for (var doc = 0; doc < docs; doc++) {
            if (most && count[doc] === most) best[doc] = weight[doc];
          }
        }
        var hits = [];
        for (var d = 0; d < docs; d++) if (best[d] > 0) hits.push(d);
        hits.sort(function (a, b) {
          return best[b] - best[a] || rank[a] - rank[b];
        });
        var shown = variants[0].map(function (term) {
          return corrections[term] || term;
        });
        return { results: hits, partial: partial, corrections: corrections, words: shown };
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

  var stems = new Map(); // word -> stem, for highlighting

  /* Whether a word of a result is one the query found it by: the word, one it
     begins, or one with its stem. */
  function isHit(word, terms) {
    return terms.some(function (term) {
      if (word === term) return true;
      if (length(term) < 3) return false;
      if (word.startsWith(term)) return true;
      if (!stems.has(word)) stems.set(word, stemOf(word));
      return stems.get(word) === stemOf(term);
    });
  }

  /* Entry text with the words matching `terms` in <mark>: text nodes only, never
     markup, since entry text is untrusted. */
  function appendMarked(target, text, terms) {
    var word = new RegExp(TOKEN.source, "gu");
    var last = 0;
    var found;
    while ((found = word.exec(text))) {
      if (!isHit(fold(found[0]).toLowerCase(), terms)) continue;
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
      if (isHit(fold(found[0]).toLowerCase(), terms)) {
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
    queryWords: queryWords,
    fold: fold,
    stem: stemOf,
    editDistance: editDistance,
    parseKey: parseKey,
    shardsFor: shardsFor,
    startsChunk: startsChunk,
    load: loadIndex,
  };

  /* What the results line says: how many, and how the query was read when it was
     not read as typed (corrected words; only some of the words found). */
  function describe(found) {
    var count = found.results.length;
    var papers = count === 1 ? "1 paper" : count + " papers";
    var corrected = Object.keys(found.corrections);
    var notes = [];
    if (corrected.length) {
      notes.push(
        "Showing results for \u201c" + found.words.join(" ") + "\u201d (corrected from " +
          corrected
            .map(function (word) {
              return "\u201c" + word + "\u201d";
            })
            .join(", ") +
          ")"
      );
    }
    if (!count) return notes.concat(["No matching papers"]).join(". ");
    if (found.partial) {
      notes.push("No paper matches every word; " + papers + " match most of them");
      return notes.join(". ");
    }
    notes.push(count === 1 ? "1 matching paper" : count + " matching papers");
    return notes.join(". ");
  }

  /* An element with these attributes, in this order ("" for a bare one), and children. */
  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    if (children) node.append.apply(node, children);
    return node;
  }

  /* A copy, in this document, of an icon of a <template>'s content (or nothing). */
  function icon(svg) {
    return svg ? document.importNode(svg, true) : "";
  }

  /* The header's search dialog, built in place of its <template data-ps-search>
     (partials/papershelf-search.html; only this script searches, so pages do not carry
     the dialog): material's search markup, drawn by material's CSS, with the texts and
     the back and clear icons the template holds and the header button's search icon.
     The icons are copies of ones the page has, so a sprite's are already relative to
     this page. */
  function buildSearch() {
    var slot = document.querySelector("template[data-ps-search]");
    if (!slot) return;
    if (document.querySelector("[data-ps-search-form]")) {
      slot.remove(); // built already
      return;
    }
    var text = slot.dataset;
    var icons = slot.content.children; // back, clear
    var magnify = document.querySelector('.md-header__button[for="__search"] svg');
    var back = [magnify ? magnify.cloneNode(true) : "", icon(icons[0])];
    var dialog = element("div", {
      class: "md-search ps-search",
      role: "dialog",
      "aria-label": text.label,
    }, [
      element("label", { class: "md-search__overlay", for: "__search" }),
      element("div", { class: "md-search__inner", role: "search" }, [
        element("form", {
          class: "md-search__form",
          name: "papershelf-search",
          "data-ps-search-form": "",
        }, [
          element("input", {
            type: "text",
            class: "md-search__input",
            name: "query",
            "aria-label": text.placeholder,
            placeholder: text.placeholder,
            autocapitalize: "off",
            autocorrect: "off",
            autocomplete: "off",
            spellcheck: "false",
            "data-ps-search-input": "",
            required: "",
          }),
          element("label", { class: "md-search__icon md-icon", for: "__search" }, back),
          element("nav", { class: "md-search__options", "aria-label": text.label }, [
            element("button", {
              type: "reset",
              class: "md-search__icon md-icon",
              title: text.reset,
              "aria-label": text.reset,
              tabindex: "-1",
            }, [icon(icons[1])]),
          ]),
        ]),
        element("div", { class: "md-search__output" }, [
          element("div", { class: "md-search__scrollwrap", tabindex: "0" }, [
            element("div", { class: "md-search-result", "data-ps-search-result": "" }, [
              element("div", {
                class: "md-search-result__meta",
                "aria-live": "polite",
                "data-ps-search-meta": "",
              }, [text.hint]),
              element("ol", { class: "md-search-result__list", "data-ps-search-list": "" }),
              element("button", {
                type: "button",
                class: "md-button ps-search-more",
                "data-ps-search-more": "",
                hidden: "",
              }, [text.more]),
            ]),
          ]),
        ]),
      ]),
    ]);
    slot.replaceWith(dialog);
  }

  function mountSearch() {
    buildSearch();
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
      return loadIndex()
        .then(function (loaded) {
          return loaded.search(query).then(function (found) {
            if (serial !== state.serial) return;
            state.index = loaded;
            state.terms = found.words;
            state.results = found.results;
            state.shown = 0;
            list.replaceChildren();
            meta.textContent = describe(found);
            return showMore(serial).then(function () {
              if (serial === state.serial) list.dataset.psQuery = query; // for tests
            });
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

  /* A paper's Cite block is a visible <pre> (copy by hand without JavaScript);
     this adds a button that copies it, and says so in a live region. */
  function mountCopyButton(block) {
    if (block.dataset.psMounted || !navigator.clipboard) return;
    block.dataset.psMounted = "true";
    var pre = block.querySelector("pre");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button ps-cite__copy";
    button.textContent = "Copy BibTeX";
    var status = document.createElement("span");
    status.className = "ps-cite__status";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(pre.textContent).then(
        function () {
          status.textContent = "Copied.";
        },
        function () {
          status.textContent = "Could not copy: select the text and copy it.";
        }
      );
    });
    block.insertBefore(status, pre);
    block.insertBefore(button, status);
  }

  function onPage() {
    mountSearch();
    document.querySelectorAll("table[data-ps-sortable]").forEach(mountSortable);
    document.querySelectorAll(".ps-cite").forEach(mountCopyButton);
  }

  buildSearch(); // at once, before material's document$ fires: the header is parsed

  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(onPage);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", onPage);
  } else {
    onPage();
  }
})();
