#!/usr/bin/env node
'use strict';
// What a word new to the search vocabulary costs once the vocabulary remembers the typo matches
// of many query words (search/src/engine/typo.ts, `near`): each new word is measured against the
// remembered query words it may be near. Random words, so the numbers are a worst case for the
// letter-mask screen (real words share more letters and are screened less).
//   npm run build -w search && node bench/search-vocabulary.js [--words 100000] [--queries 2000] [--new 1000]
const path = require('node:path');
const { Vocabulary } = require(path.join(__dirname, '..', 'search', 'dist', 'engine', 'typo.js'));

const argv = process.argv.slice(2);
const opt = (name, dflt) => Number(argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : dflt);
const WORDS = opt('words', 100_000);
const QUERIES = opt('queries', 2_000);
const NEW = opt('new', 1_000);

// mulberry32: repeatable runs.
let seed = 42;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
};
const word = (min, spread) =>
  Array.from({ length: min + Math.floor(rand() * spread) }, () => String.fromCharCode(97 + Math.floor(rand() * 26))).join('');

const v = new Vocabulary();
for (let i = 0; i < WORDS; i += 10) v.add(Array.from({ length: 10 }, () => word(4, 8)));
let t = performance.now();
for (let i = 0; i < QUERIES; i++) {
  const q = word(5, 8);
  v.near(q, q.length >= 9 ? 2 : 1, 30);
}
const coldNearMs = (performance.now() - t) / QUERIES;
t = performance.now();
for (let i = 0; i < NEW; i++) v.add([word(5, 8)]);
const newWordMs = (performance.now() - t) / NEW;
console.log(
  JSON.stringify({
    vocabularyWords: v.size,
    queryWordsAsked: QUERIES, // at most 2,000 are remembered
    msPerFirstNear: Math.round(coldNearMs * 1000) / 1000,
    msPerNewWord: Math.round(newWordMs * 1000) / 1000,
  }),
);
