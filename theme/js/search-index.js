/* The index side of search: which term shards a query needs, and a lunr index assembled from
   them. Kept apart from the page code so Node can run it in the tests (same results and scores
   as one lunr index over everything). Needs lunr.js and arabic-search.js. */
(function (root) {
  'use strict';
  var lunr = root.lunr, arabic = root.ArshifArabic;
  if (!lunr && typeof require === 'function') {
    lunr = require('./vendor/lunr-2.3.9.min.js');
    arabic = require('./arabic-search.js');
    arabic.register(lunr);
  }

  function refOf(number) { return number.toString(36); }

  /* The shard holding TERM: the last one whose first term is not after it. */
  function shardOf(manifest, term) {
    var low = 0, high = manifest.shards.length - 1, found = 0;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (manifest.shards[middle] <= term) { found = middle; low = middle + 1; } else { high = middle - 1; }
    }
    return found;
  }

  function shardsWithPrefix(manifest, prefix) {
    var first = shardOf(manifest, prefix), found = [];
    for (var i = first; i < manifest.shards.length; i++) {
      if (i > first && manifest.shards[i].slice(0, prefix.length) > prefix) break;
      found.push(i);
    }
    return found;
  }

  /* Parse the query as lunr does, fold wildcard terms (which skip the pipeline) the way the index
     was folded, and work out which shards hold every term the query can match. */
  function plan(manifest, text) {
    var query = new lunr.Query(manifest.fields);
    new lunr.QueryParser(text, query).parse();
    var needed = {}, everything = false;
    query.clauses.forEach(function (clause) {
      if (clause.term.indexOf('*') !== -1) {
        var parts = clause.term.split('*');
        clause.term = parts.map(function (part, i) {
          return part === '' ? '' : (i === 0 ? arabic.wildcardTerm(part) : arabic.normalize(part));
        }).join('*');
        if (clause.term.charAt(0) === '*' || parts.length > 2 || parts[0] === '') {
          everything = true;
        } else {
          shardsWithPrefix(manifest, clause.term.split('*')[0]).forEach(function (i) { needed[i] = true; });
        }
      } else if (clause.editDistance) {
        everything = true;
      } else {
        arabic.tokens(clause.term).forEach(function (term) { needed[shardOf(manifest, term)] = true; });
      }
    });
    var shards = everything ? manifest.shards.map(function (_, i) { return i; }) : Object.keys(needed).map(Number);
    return { clauses: query.clauses, shards: shards.sort(function (a, b) { return a - b; }) };
  }

  /* A lunr index holding the fetched terms, with a field vector for every document. */
  function assemble(manifest, shards) {
    var fields = manifest.fields, inverted = [], elements = {};
    shards.forEach(function (shard) {
      shard.forEach(function (entry) {
        var term = entry[0], number = entry[1], posting = { _index: number };
        fields.forEach(function (field, f) {
          var refs = entry[2 + f], docs = {};
          for (var i = 0; i < refs.length; i += 2) {
            docs[refs[i]] = {};
            var key = field + '/' + refs[i];
            (elements[key] = elements[key] || []).push([number, refs[i + 1]]);
          }
          posting[field] = docs;
        });
        inverted.push([term, posting]);
      });
    });
    inverted.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    var vectors = [];
    for (var n = 0; n < manifest.count; n++) {
      fields.forEach(function (field) {
        var key = field + '/' + refOf(n), pairs = (elements[key] || []).sort(function (a, b) { return a[0] - b[0]; });
        var flat = [];
        pairs.forEach(function (pair) { flat.push(pair[0], pair[1]); });
        vectors.push([key, flat]);
      });
    }
    return lunr.Index.load({ version: manifest.lunr, fields: fields, fieldVectors: vectors,
                             invertedIndex: inverted, pipeline: [manifest.pipeline] });
  }

  var api = { plan: plan, assemble: assemble, shardOf: shardOf, shardsWithPrefix: shardsWithPrefix, lunr: lunr };
  if (typeof module === 'object' && module.exports) module.exports = api;
  root.ArshifSearchIndex = api;
})(typeof self !== 'undefined' ? self : this);
