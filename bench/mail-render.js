#!/usr/bin/env node
'use strict';
/*
 * CPU per email's HTML: compiling the notice's MJML each time against notifications' renderMail
 * (each layout compiled once, the text put into its slots). Prints numbers; asserts nothing.
 *
 *   npm run build -w common -w notifications && node bench/mail-render.js [--mails 300]
 */
const path = require('node:path');
const root = path.join(__dirname, '..');
const { renderMail, mjmlOf } = require(path.join(root, 'notifications/dist/mail/render.js'));
const mjml2html = require('mjml');

const i = process.argv.indexOf('--mails');
const MAILS = i >= 0 ? Number(process.argv[i + 1]) : 300;
const settings = { shopName: 'jetmart', publicUrl: 'http://localhost:3000' };
/** An order confirmation of two lines, each mail's text different (as in a shop). */
const notice = (k) => ({
  userId: 'u1',
  kind: 'order-confirmed',
  subject: `Order ${k} confirmed`,
  paragraphs: [`Thank you for order ${k}.`, 'We tell you when it ships.'],
  lines: [
    { title: `Desk lamp ${k}`, quantity: 1, priceMinor: 1999 },
    { title: 'Chair', quantity: 2, priceMinor: 4999 },
  ],
  totalMinor: 11997,
  address: { name: 'Ada Buyer', line1: 'Street 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
  link: `/orders/${k}`,
  action: 'View your order',
});

async function cpuMsPerMail(render) {
  for (let k = 0; k < 20; k++) await render(notice(k)); // warm-up (JIT, the compiled layout)
  const start = process.cpuUsage();
  for (let k = 0; k < MAILS; k++) await render(notice(k));
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / MAILS;
}

(async () => {
  const compiled = await cpuMsPerMail((n) => mjml2html(mjmlOf(n, settings), { validationLevel: 'strict' }));
  const slots = await cpuMsPerMail((n) => renderMail(n, settings));
  console.log(JSON.stringify({ mails: MAILS, cpuMsPerMail: { compileEachMail: +compiled.toFixed(3), renderMail: +slots.toFixed(3) } }));
})();
