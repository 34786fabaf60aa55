/* The search page: fetches only the index shards its query needs, assembles a lunr index from
   them (same scores as the whole index: lunr scores over the query's terms only), and shows the
   results as text, never as HTML. Needs lunr.js, arabic-search.js and search-index.js before it. */
(function () {
  'use strict';

  var app = document.getElementById('search-app');
  if (!app || !window.lunr || !window.ArshifArabic || !window.ArshifSearchIndex) return;
  var arabic = window.ArshifArabic;
  var base = app.getAttribute('data-index');
  var forms = JSON.parse(app.getAttribute('data-forms'));
  var locale = app.getAttribute('data-locale').replace('_', '-');
  var numbers = new Intl.NumberFormat(locale, { numberingSystem: app.getAttribute('data-digits') });
  var plural = new Intl.PluralRules('ar');
  var form = document.getElementById('search-form');
  var input = document.getElementById('search-input');
  var sort = document.getElementById('search-sort');
  var status = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var more = document.getElementById('search-more');
  var PAGE = 20;
  var ORIGINAL_WORD = /[a-zA-Z0-9\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]+/g;
  var requests = {};
  var generation = 0;
  var shown = { results: [], terms: {}, status: '', statusClass: '', count: 0 };  /* count: how many are on the page */

  function get(path) {
    if (!requests[path]) {
      requests[path] = fetch(base + path).then(function (response) {
        if (!response.ok) throw new Error(path + ': ' + response.status);
        return response.json();
      });
    }
    return requests[path];
  }

  function countText(n) {
    return forms[plural.select(n)].replace('{n}', numbers.format(n));
  }

  function refNumber(ref) { return parseInt(ref, 36); }

  function run(manifest, text) {
    var steps = ArshifSearchIndex.plan(manifest, text);
    return Promise.all(steps.shards.map(function (id) { return get('terms/' + id + '.json'); }))
      .then(function (shards) {
        var index = ArshifSearchIndex.assemble(manifest, shards);
        return index.query(function (query) {
          steps.clauses.forEach(function (clause) { query.clause(clause); });
        });
      });
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* The words of TEXT around the first matched one, matched words in <mark>, all as text nodes. */
  function snippet(text, terms) {
    var words = [], match;
    ORIGINAL_WORD.lastIndex = 0;
    while ((match = ORIGINAL_WORD.exec(text)) !== null) {
      var hit = arabic.tokens(match[0]).some(function (t) { return terms[t] === true; });
      words.push({ start: match.index, end: match.index + match[0].length, hit: hit });
    }
    var first = 0;
    for (var i = 0; i < words.length; i++) { if (words[i].hit) { first = Math.max(0, i - 12); break; } }
    var last = Math.min(words.length, first + 40);
    var paragraph = element('p', 'snippet');
    if (!words.length) return paragraph;
    if (first > 0) paragraph.appendChild(document.createTextNode('… '));
    for (var w = first; w < last; w++) {
      var word = words[w], next = w + 1 < last ? words[w + 1].start : word.end;
      var piece = text.slice(word.start, word.end);
      paragraph.appendChild(word.hit ? element('mark', '', piece) : document.createTextNode(piece));
      paragraph.appendChild(document.createTextNode(text.slice(word.end, next)));
    }
    if (last < words.length) paragraph.appendChild(document.createTextNode(' …'));
    return paragraph;
  }

  /* One result's list item, built off the page once its bundle is here. */
  function resultItem(manifest, result, terms) {
    var number = refNumber(result.ref);
    return get('docs/' + Math.floor(number / manifest.bundle) + '.json')
      .then(function (bundle) {
        var doc = bundle[String(number)], body = doc.text;
        var item = element('li', 'entry search-result');
        var heading = element('h2', 'entry-title'), link = element('a', '', '');
        link.href = doc.url;
        link.appendChild(markedText(doc.title, terms));
        heading.appendChild(link);
        item.appendChild(heading);
        var meta = element('p', 'meta'), time = element('time', '', doc.date);
        time.setAttribute('datetime', doc.iso);
        meta.appendChild(time);
        item.appendChild(meta);
        item.appendChild(snippet(body || '', terms));
        if (doc.tags.length) {
          var tags = element('ul', 'tags');
          doc.tags.forEach(function (tag) { tags.appendChild(element('li', '', tag)); });
          item.appendChild(tags);
        }
        return item;
      });
  }

  function markedText(text, terms) {
    var fragment = document.createDocumentFragment(), last = 0, match;
    ORIGINAL_WORD.lastIndex = 0;
    while ((match = ORIGINAL_WORD.exec(text)) !== null) {
      fragment.appendChild(document.createTextNode(text.slice(last, match.index)));
      var hit = arabic.tokens(match[0]).some(function (t) { return terms[t] === true; });
      fragment.appendChild(hit ? element('mark', '', match[0]) : document.createTextNode(match[0]));
      last = match.index + match[0].length;
    }
    fragment.appendChild(document.createTextNode(text.slice(last)));
    return fragment;
  }

  /* The next page of SHOWN's results, built whole before it goes on the page (nothing on the page
     grows or moves while its bundles load); FIRST replaces the list and sets the status with it. */
  function showMore(manifest, first) {
    var mine = generation, from = first ? 0 : shown.count;
    var until = Math.min(shown.results.length, from + PAGE), pending = [];
    for (var i = from; i < until; i++) pending.push(resultItem(manifest, shown.results[i], shown.terms));
    return Promise.all(pending).then(function (items) {
      if (mine !== generation) return false;
      var fragment = document.createDocumentFragment();
      items.forEach(function (item) { fragment.appendChild(item); });
      if (first) {
        status.textContent = shown.status;
        status.className = shown.statusClass;
        list.textContent = '';
      }
      list.appendChild(fragment);
      shown.count = until;
      more.hidden = until >= shown.results.length;
      return true;
    });
  }

  function showStatus(text, className) {
    list.textContent = '';
    more.hidden = true;
    status.textContent = text;
    status.className = className;
  }

  /* The same words, each allowed one edit: what a query with no results is tried again as. */
  function fuzzy(text) {
    if (/[+\-:*~^]/.test(text)) return null;
    var words = text.split(/\s+/).filter(function (word) { return arabic.tokens(word).length; });
    return words.length ? words.map(function (word) { return word + '~1'; }).join(' ') : null;
  }

  /* The results of the box's query. The results shown stay until the new ones are ready, and the
     status line, which has room for its line, changes with them. */
  function search() {
    var text = input.value.trim(), mine = ++generation;
    if (!text) { showStatus('', ''); app.setAttribute('data-state', 'idle'); return Promise.resolve(); }
    app.setAttribute('data-state', 'searching');
    return get('index.json').then(function (manifest) {
      var approximate = false;
      return run(manifest, text).then(function (results) {
        var retry = results.length ? null : fuzzy(text);
        if (!retry) return results;
        approximate = true;
        return run(manifest, retry);
      }).then(function (results) {
        if (mine !== generation) return;
        if (sort.value === 'newest') {
          results.sort(function (a, b) {
            var x = refNumber(a.ref), y = refNumber(b.ref);
            return (manifest.days[y] - manifest.days[x]) || (y - x);
          });
        }
        var terms = {};
        results.forEach(function (r) { Object.keys(r.matchData.metadata).forEach(function (t) { terms[t] = true; }); });
        shown = { results: results, terms: terms, count: 0,
                  status: results.length ? (approximate ? 'نتائج تقريبية: ' : '') + countText(results.length)
                                         : 'لا نتائج لـ «' + text + '»',
                  statusClass: results.length ? (approximate ? 'approximate' : '') : 'no-results' };
        return showMore(manifest, true).then(function (current) {
          if (current) app.setAttribute('data-state', 'done');
        });
      });
    }).catch(function (error) {
      if (mine !== generation) return;
      showStatus(error instanceof lunr.QueryParseError ? 'صيغة البحث غير صحيحة: ' + error.message
                                                       : 'تعذر البحث: ' + error.message, 'no-results');
      app.setAttribute('data-state', 'done');
    });
  }

  function address() {
    var params = new URLSearchParams();
    if (input.value.trim()) params.set('q', input.value.trim());
    if (sort.value === 'newest') params.set('sort', 'newest');
    var query = params.toString();
    return location.pathname + (query ? '?' + query : '');
  }

  function fromAddress() {
    var params = new URLSearchParams(location.search);
    input.value = params.get('q') || '';
    /* The box is right to left in the page (an empty dir=auto box is left to right, and its Arabic
       query would flip it, moving its clear button: a layout shift); from now on it follows its text. */
    input.dir = 'auto';
    sort.value = params.get('sort') === 'newest' ? 'newest' : 'relevance';
    search();
  }

  var timer = null;
  input.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () { history.replaceState(null, '', address()); search(); }, 150);
  });
  sort.addEventListener('change', function () { history.pushState(null, '', address()); search(); });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearTimeout(timer);
    history.pushState(null, '', address());
    search();
  });
  more.addEventListener('click', function () {
    if (more.disabled) return;  /* one page at a time */
    more.disabled = true;
    function ready() { more.disabled = false; }
    get('index.json').then(function (manifest) { return showMore(manifest, false); }).then(ready, ready);
  });
  window.addEventListener('popstate', fromAddress);
  /* Arrow keys move between the search box and the results. */
  document.addEventListener('keydown', function (event) {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp' && event.key !== 'Escape') return;
    var links = Array.prototype.slice.call(list.querySelectorAll('.entry-title a'));
    var at = links.indexOf(document.activeElement);
    if (event.key === 'Escape') { input.focus(); return; }
    if (document.activeElement === input && event.key === 'ArrowDown' && links.length) {
      links[0].focus(); event.preventDefault();
    } else if (at !== -1) {
      var next = at + (event.key === 'ArrowDown' ? 1 : -1);
      if (next < 0) input.focus(); else if (next < links.length) links[next].focus();
      event.preventDefault();
    }
  });
  app.hidden = false;
  fromAddress();
})();
