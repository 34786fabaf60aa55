/* The index side of search: which term shards a query needs, and a lunr index assembled from
   them, its BM25 weights computed here from term frequencies and field lengths (see
   arshif/search_layout.py). Kept apart from the page code so Node can run it in the tests (same
   results and scores as one lunr index over everything). Needs lunr.js and arabic-search.js. */
(function (root) {
  'use strict';
  var lunr = root.lunr, arabic = root.ArshifArabic;
  if (!lunr && typeof require === 'function') {
    lunr = require('./vendor/lunr-2.3.9.min.js');
    arabic = require('./arabic-search.js');
    arabic.register(lunr);
  }

  var K1 = 1.2, B = 0.75;  /* lunr's BM25 parameters */
  var FUZZY_WHOLE_INDEX = 16;  /* up to this many shards a fuzzy term looks at all of them */

  function refOf(number) { return number.toString(36); }

  /* The position in manifest.shards of the shard holding TERM: the last one starting at or before it. */
  function shardOf(manifest, term) {
    var low = 0, high = manifest.shards.length - 1, found = 0;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (manifest.shards[middle][0] <= term) { found = middle; low = middle + 1; } else { high = middle - 1; }
    }
    return found;
  }

  function shardsWithPrefix(manifest, prefix) {
    var first = shardOf(manifest, prefix), found = [];
    for (var i = first; i < manifest.shards.length; i++) {
      if (i > first && manifest.shards[i][0].slice(0, prefix.length) > prefix) break;
      found.push(i);
    }
    return found;
  }

  /* Parse the query as lunr does, fold wildcard terms (which skip the pipeline) the way the index
     was folded, and work out which shards hold every term the query can match. A fuzzy term looks
     at the shards of words sharing its first two letters (all shards of a small index). */
  function plan(manifest, text) {
    var query = new lunr.Query(manifest.fields);
    new lunr.QueryParser(text, query).parse();
    var needed = {}, everything = false, small = manifest.shards.length <= FUZZY_WHOLE_INDEX;
    function need(positions) { positions.forEach(function (i) { needed[i] = true; }); }
    query.clauses.forEach(function (clause) {
      if (clause.term.indexOf('*') !== -1) {
        var parts = clause.term.split('*');
        clause.term = parts.map(function (part, i) {
          return part === '' ? '' : (i === 0 ? arabic.wildcardTerm(part) : arabic.normalize(part));
        }).join('*');
        if (clause.term.charAt(0) === '*' || parts.length > 2 || parts[0] === '') {
          everything = true;
        } else {
          need(shardsWithPrefix(manifest, clause.term.split('*')[0]));
        }
      } else if (clause.editDistance) {
        arabic.tokens(clause.term).forEach(function (term) {
          if (small) { everything = true; } else { need(shardsWithPrefix(manifest, term.slice(0, 2))); }
        });
      } else {
        var terms = arabic.tokens(clause.term);
        /* A word with a proclitic reading gives two terms, and lunr would require (or forbid) both;
           every word giving the first gives the second too, so the second alone stands for the word. */
        if (terms.length > 1 && clause.presence !== lunr.Query.presence.OPTIONAL) {
          clause.term = terms[terms.length - 1];
          clause.usePipeline = false;
          terms = [clause.term];
        }
        terms.forEach(function (term) { needed[shardOf(manifest, term)] = true; });
      }
    });
    var positions = everything ? manifest.shards.map(function (_, i) { return i; }) : Object.keys(needed).map(Number);
    positions.sort(function (a, b) { return a - b; });
    return { clauses: query.clauses, shards: positions.map(function (i) { return manifest.shards[i][1]; }) };
  }

  /* Every live document number of the manifest, in order. */
  function documents(manifest) {
    var numbers = [];
    manifest.live.forEach(function (range) { for (var n = range[0]; n < range[1]; n++) numbers.push(n); });
    return numbers;
  }

  /* A lunr index holding the fetched terms, with lunr's BM25 weights computed here from the term
     frequencies and the field lengths, exactly as lunr's Builder computes them for the whole index. */
  function assemble(manifest, shards) {
    var fields = manifest.fields, count = manifest.count, inverted = [], elements = {};
    var averages = manifest.totals.map(function (total) { return total / count; });
    var number = 0;
    shards.forEach(function (shard) {
      shard.forEach(function (entry) {
        var term = entry[0], posting = { _index: number }, withTerm = 0;
        for (var f = 0; f < fields.length; f++) withTerm += entry[1 + f].length / 2;
        var x = (count - withTerm + 0.5) / (withTerm + 0.5), idf = Math.log(1 + Math.abs(x));
        fields.forEach(function (field, f) {
          var flat = entry[1 + f], docs = {}, lengths = manifest.lengths[f], boost = manifest.boosts[f] || 1;
          for (var i = 0; i < flat.length; i += 2) {
            var ref = refOf(flat[i]), tf = flat[i + 1];
            var score = idf * ((K1 + 1) * tf) / (K1 * (1 - B + B * (lengths[flat[i]] / averages[f])) + tf);
            score *= boost;
            docs[ref] = {};
            var key = field + '/' + ref;
            (elements[key] = elements[key] || []).push([number, Math.round(1e3 * score) / 1e3]);
          }
          posting[field] = docs;
        });
        inverted.push([term, posting]);
        number += 1;
      });
    });
    inverted.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    var vectors = [];
    documents(manifest).forEach(function (n) {
      fields.forEach(function (field) {
        var key = field + '/' + refOf(n), pairs = (elements[key] || []).sort(function (a, b) { return a[0] - b[0]; });
        var flat = [];
        pairs.forEach(function (pair) { flat.push(pair[0], pair[1]); });
        vectors.push([key, flat]);
      });
    });
    return lunr.Index.load({ version: manifest.lunr, fields: fields, fieldVectors: vectors,
                             invertedIndex: inverted, pipeline: [manifest.pipeline] });
  }

  var api = { plan: plan, assemble: assemble, shardOf: shardOf, shardsWithPrefix: shardsWithPrefix,
              documents: documents, lunr: lunr };
  if (typeof module === 'object' && module.exports) module.exports = api;
  root.ArshifSearchIndex = api;
})(typeof self !== 'undefined' ? self : this);
