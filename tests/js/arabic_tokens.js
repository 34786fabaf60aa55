// Reads a JSON array of strings (file named on the command line) and prints, as JSON, the index
// terms theme/js/arabic-search.js gives for each: the browser side of the Python/JS parity tests.
'use strict';
const fs = require('fs');
const path = require('path');
const arabic = require(path.join(__dirname, '..', '..', 'theme', 'js', 'arabic-search.js'));

const inputs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
process.stdout.write(JSON.stringify(inputs.map((text) => arabic.tokens(text))));
