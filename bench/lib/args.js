'use strict';
// The command line of a bench script: `--name value` options and `--flag`s.
const args = process.argv.slice(2);

/** The value after `--name`, else `def`. */
function opt(name, def) {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
}

module.exports = { args, opt };
