/* Arshif's Arabic search rules for lunr.js: the mirror of arshif/arabic.py (search_normalize,
   light_stem, proclitic_reading, search_terms, search_tokens; the rule is described there). A word
   gives its light10 stem and, when it starts with a proclitic (بـ لـ كـ فـ, و/ف then بـ لـ كـ), the
   stem of the rest when that has 3+ letters: both at index time and at query time. Only explicit
   code-point ranges are used (never \w, \s or \b, which are ASCII-only in JavaScript), so both
   sides split and fold text the same way; the shared test vectors in
   tests/data/arabic_search_vectors.json are checked against both. */
(function (root) {
  'use strict';

  var LABEL = 'arshif-arabic-2';
  var ARABIC_LETTERS = '\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06fa-\u06fc\u06ff';
  var WORD = new RegExp('[a-z0-9' + ARABIC_LETTERS + ']+', 'g');
  var ARABIC_WORD = new RegExp('^[' + ARABIC_LETTERS + ']+$');
  var STOP_WORDS = {};
  ('في من على الى عن ان هذا هذه ذلك تلك التي الذي الذين كان كانت قد ما لا لم لن او ثم مع هو هي هم و')
    .split(' ').forEach(function (word) { STOP_WORDS[word] = true; });
  var PREFIXES = ['ال', 'وال', 'بال', 'كال', 'فال', 'ولل', 'فلل', 'لل', 'و'];
  var PROCLITICS = ['وب', 'ول', 'وك', 'فب', 'فل', 'فك', 'ب', 'ل', 'ك', 'ف'];  /* longest first */
  var SUFFIXES = ['ها', 'ان', 'ات', 'ون', 'ين', 'يه', 'ية', 'ه', 'ة', 'ي'];

  function normalize(text) {
    var source = String(text).normalize('NFKC');
    var out = '';
    for (var i = 0; i < source.length; i++) {
      var code = source.charCodeAt(i);
      if ((code >= 0x064B && code <= 0x0652) || code === 0x0670 || code === 0x0640) continue;
      if (code >= 0x0660 && code <= 0x0669) { out += String.fromCharCode(48 + code - 0x0660); continue; }
      if (code >= 0x06F0 && code <= 0x06F9) { out += String.fromCharCode(48 + code - 0x06F0); continue; }
      if (code === 0x0622 || code === 0x0623 || code === 0x0625 || code === 0x0671) { out += '\u0627'; continue; }
      if (code >= 65 && code <= 90) { out += String.fromCharCode(code + 32); continue; }
      out += source.charAt(i);
    }
    return out;
  }

  function startsWith(word, part) { return word.slice(0, part.length) === part; }
  function endsWith(word, part) { return word.length >= part.length && word.slice(word.length - part.length) === part; }

  function lightStem(word) {
    for (var i = 0; i < PREFIXES.length; i++) {
      var prefix = PREFIXES[i];
      if (startsWith(word, prefix) && word.length >= (prefix.length === 1 ? 4 : prefix.length + 2)) {
        word = word.slice(prefix.length);
        break;
      }
    }
    for (var j = 0; j < SUFFIXES.length; j++) {
      var suffix = SUFFIXES[j];
      if (endsWith(word, suffix) && word.length >= suffix.length + 2) {
        word = word.slice(0, word.length - suffix.length);
      }
    }
    return word;
  }

  function foldLetters(word) {
    return word.replace(/\u0649/g, '\u064a').replace(/\u0629/g, '\u0647');
  }

  /* The stem of WORD read without the longest proclitic it starts with, '' when there is none, the
     rest is a stop word or its stem is shorter than 3 letters, or after لـ the rest is itself لـ + a
     word (للمدرسة is لـ + المدرسة, which lightStem reads). */
  function procliticReading(word) {
    for (var i = 0; i < PROCLITICS.length; i++) {
      var proclitic = PROCLITICS[i];
      if (startsWith(word, proclitic)) {
        var rest = word.slice(proclitic.length);
        if (STOP_WORDS[rest] === true) return '';
        if (proclitic.slice(-1) === '\u0644' && rest.charAt(0) === '\u0644' && procliticReading(rest)) return '';
        var stem = lightStem(foldLetters(rest));
        return stem.length >= 3 ? stem : '';
      }
    }
    return '';
  }

  /* The index terms of one normalised word: none for a stop word, its stem, its proclitic reading. */
  function terms(word) {
    if (STOP_WORDS[word] === true) return [];
    var folded = foldLetters(word);
    if (!ARABIC_WORD.test(folded)) return [folded];
    var stem = lightStem(folded), reading = procliticReading(word);
    return reading && reading !== stem ? [stem, reading] : [stem];
  }

  function words(text) {
    return normalize(text).match(WORD) || [];
  }

  function tokens(text) {
    var out = [];
    words(text).forEach(function (word) { out.push.apply(out, terms(word)); });
    return out;
  }

  /* A wildcard term skips lunr's pipeline: fold it the same way, and strip a leading prefix,
     but keep its suffixes (it is the start of a word). */
  function wildcardTerm(text) {
    var folded = foldLetters(normalize(text));
    for (var i = 0; i < PREFIXES.length; i++) {
      var prefix = PREFIXES[i];
      if (startsWith(folded, prefix) && folded.length >= (prefix.length === 1 ? 4 : prefix.length + 2)) {
        return folded.slice(prefix.length);
      }
    }
    return folded;
  }

  function pipelineFunction(token) {
    return tokens(token.toString()).map(function (t) {
      return token.clone(function () { return t; });
    });
  }

  var api = {
    LABEL: LABEL, normalize: normalize, lightStem: lightStem, procliticReading: procliticReading,
    terms: terms, words: words, tokens: tokens,
    wildcardTerm: wildcardTerm, pipelineFunction: pipelineFunction,
    register: function (lunr) { lunr.Pipeline.registerFunction(pipelineFunction, LABEL); }
  };
  if (root.lunr) api.register(root.lunr);
  if (typeof module === 'object' && module.exports) module.exports = api;
  root.ArshifArabic = api;
})(typeof self !== 'undefined' ? self : this);
