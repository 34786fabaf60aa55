// Proves the sharded layout scores like one index: for each query, lunr.js over the whole index
// (built by Arshif's reference builder, the same data lunr.py builds) and lunr.js over an index
// assembled from only the shards the query needs, its weights computed in JavaScript from term
// frequencies and field lengths, give the same results and scores. Prints a JSON report.
// usage: node compare_shards.js FULL_INDEX.json SEARCH_DIR QUERIES.json
'use strict';
const fs = require('fs');
const path = require('path');
const searchIndex = require(path.join(__dirname, '..', '..', 'theme', 'js', 'search-index.js'));
const lunr = searchIndex.lunr;

const [fullPath, searchDir, queriesPath] = process.argv.slice(2);
const full = lunr.Index.load(JSON.parse(fs.readFileSync(fullPath, 'utf8')));
const manifest = JSON.parse(fs.readFileSync(path.join(searchDir, 'index.json'), 'utf8'));
const queries = JSON.parse(fs.readFileSync(queriesPath, 'utf8'));
const round = (n) => Math.round(n * 1e9) / 1e9;
const report = queries.map((query) => {
  const steps = searchIndex.plan(manifest, query);
  const shards = steps.shards.map((id) => JSON.parse(fs.readFileSync(path.join(searchDir, 'terms', id + '.json'), 'utf8')));
  const partial = searchIndex.assemble(manifest, shards);
  const fromShards = partial.query((q) => steps.clauses.forEach((clause) => q.clause(clause)));
  const again = searchIndex.plan(manifest, query);
  const fromFull = full.query((q) => again.clauses.forEach((clause) => q.clause(clause)));
  return {
    query: query,
    shards: steps.shards.length,
    of: manifest.shards.length,
    full: fromFull.map((r) => [r.ref, round(r.score)]),
    sharded: fromShards.map((r) => [r.ref, round(r.score)]),
  };
});
process.stdout.write(JSON.stringify(report));
