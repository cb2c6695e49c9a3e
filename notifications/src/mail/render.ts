import mjml2html from 'mjml';
import type { Address } from '@jetmart/common/contracts';
import type { Notice } from '../notify/notice';
import { formatMoney } from './format';

export interface MailSettings {
  /** The shop's name, in every email. */
  shopName: string;
  /** The storefront's public origin (PUBLIC_URL): links are absolute. */
  publicUrl: string;
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** Everything from an event goes into markup escaped: titles, names, notes and messages are the users' own text. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const absoluteLink = (settings: MailSettings, path: string) => new URL(path, settings.publicUrl).toString();

/** Where the mail's button goes: an account mail's link carries its token, every other is the notice's link. */
const buttonLink = (n: Notice, s: MailSettings) => absoluteLink(s, n.direct?.secretLink ?? n.link);

const addressLines = (a: Address) =>
  [a.name, a.line1, a.line2, `${a.postalCode} ${a.city}`, a.country, a.phone].filter((l): l is string => Boolean(l));

const lineTotal = (l: { priceMinor?: number; quantity: number }) =>
  l.priceMinor !== undefined ? formatMoney(l.priceMinor * l.quantity) : '';

/**
 * The HTML part: one MJML layout for every email (responsive, inlined styles that mail clients
 * keep), filled from the notice. The text part below is written from the same notice, so both
 * parts always say the same. Every piece of text goes in through `put`, already escaped: see
 * `renderMail` for why.
 */
function mjmlLayout(n: Notice, s: MailSettings, put: (escaped: string) => string): string {
  const e = (t: string) => put(escapeHtml(t));
  const text = (content: string, attrs = '') => `<mj-text ${attrs}>${content}</mj-text>`;
  const parts: string[] = [];
  parts.push(text(`<h1 style="font-size:20px;margin:0">${e(n.subject)}</h1>`));
  for (const p of n.paragraphs) parts.push(text(e(p)));
  if (n.details?.length) {
    const rows = n.details.map(([k, v]) => `<tr><td style="padding:2px 12px 2px 0;color:#666">${e(k)}</td><td>${e(v)}</td></tr>`).join('');
    parts.push(`<mj-table>${rows}</mj-table>`);
  }
  if (n.lines?.length) {
    const rows = n.lines
      .map(
        (l) =>
          `<tr><td style="padding:4px 0">${e(l.title)}</td><td style="padding:4px 8px;text-align:right">× ${put(String(l.quantity))}</td><td style="text-align:right">${e(lineTotal(l))}</td></tr>`,
      )
      .join('');
    const total =
      n.totalMinor !== undefined
        ? `<tr><td style="padding-top:8px;border-top:1px solid #ddd"><strong>Total</strong></td><td style="border-top:1px solid #ddd"></td><td style="padding-top:8px;border-top:1px solid #ddd;text-align:right"><strong>${e(formatMoney(n.totalMinor))}</strong></td></tr>`
        : '';
    parts.push(`<mj-table>${rows}${total}</mj-table>`);
  }
  if (n.address) parts.push(text(`<strong>Ship to</strong><br/>${put(addressLines(n.address).map(escapeHtml).join('<br/>'))}`));
  parts.push(`<mj-button href="${e(buttonLink(n, s))}" background-color="#1f2937" align="left">${e(n.action)}</mj-button>`);
  return `<mjml>
  <mj-head>
    <mj-title>${e(n.subject)}</mj-title>
    <mj-attributes><mj-all font-family="Helvetica, Arial, sans-serif" /><mj-text font-size="15px" line-height="22px" color="#111" /></mj-attributes>
  </mj-head>
  <mj-body background-color="#f4f4f5">
    <mj-section><mj-column>${text(`<strong style="font-size:18px">${e(s.shopName)}</strong>`)}</mj-column></mj-section>
    <mj-section background-color="#ffffff"><mj-column>${parts.join('\n')}</mj-column></mj-section>
    <mj-section><mj-column>${text(
      `You receive this email because you have an account at ${e(s.shopName)}: <a href="${e(absoluteLink(s, '/'))}">${e(s.publicUrl)}</a>`,
      'font-size="12px" color="#666"',
    )}</mj-column></mj-section>
  </mj-body>
</mjml>`;
}

/** The notice's MJML with its text in place: what `renderMail`'s HTML is the compiled form of. */
export const mjmlOf = (n: Notice, s: MailSettings): string => mjmlLayout(n, s, (escaped) => escaped);

/** The plain-text part, from the same notice. */
export function textOf(n: Notice, s: MailSettings): string {
  const out: string[] = [s.shopName, '', n.subject, '', ...n.paragraphs.flatMap((p) => [p, ''])];
  if (n.details?.length) out.push(...n.details.map(([k, v]) => `${k}: ${v}`), '');
  if (n.lines?.length) {
    out.push(...n.lines.map((l) => `- ${l.title} × ${l.quantity}${l.priceMinor !== undefined ? `  ${lineTotal(l)}` : ''}`));
    if (n.totalMinor !== undefined) out.push(`Total: ${formatMoney(n.totalMinor)}`);
    out.push('');
  }
  if (n.address) out.push('Ship to:', ...addressLines(n.address).map((l) => `  ${l}`), '');
  out.push(`${n.action}: ${buttonLink(n, s)}`, '', `You receive this email because you have an account at ${s.shopName}: ${s.publicUrl}`);
  return out.join('\n') + '\n';
}

/**
 * Compiled layouts by shape (the MJML with a numbered slot where each piece of text goes): at most
 * this many, dropped all at once when full. A notice's shape is its kind of layout plus how many
 * paragraphs, detail rows and lines it has, so a shop has a few dozen.
 */
const LAYOUTS_KEPT = 200;
const compiledLayouts = new Map<string, Promise<string>>();
const SLOT = /\uE000(\d+)\uE001/g;

/**
 * Subject, HTML and text of a notice's email. Compiling MJML was about a quarter of this service's
 * CPU under the checkout load (bench/load.js --profile notifications), and the compiled HTML
 * depends only on the layout: MJML places the text of `mj-text`, `mj-table`, `mj-title` and the
 * button as it is. So each layout is compiled once with slots for the text, and a mail's text goes
 * into the slots. A test checks that this gives exactly what compiling the filled MJML gives.
 */
export async function renderMail(n: Notice, s: MailSettings): Promise<RenderedMail> {
  const texts: string[] = [];
  // A text's leading and trailing white space stays in the layout, and an empty text has no slot:
  // MJML trims an element's content and leaves out some attributes when their text is empty (the
  // title's aria-label), so both are part of the shape.
  const layout = mjmlLayout(n, s, (escaped) => {
    const core = escaped.trim();
    if (!core) return escaped;
    const before = escaped.slice(0, escaped.length - escaped.trimStart().length);
    const after = escaped.slice(escaped.trimEnd().length);
    return `${before}\uE000${texts.push(core) - 1}\uE001${after}`;
  });
  let compiled = compiledLayouts.get(layout);
  if (!compiled) {
    if (compiledLayouts.size >= LAYOUTS_KEPT) compiledLayouts.clear();
    // strict: a template mistake fails loudly (and the message is retried) instead of mailing broken markup.
    compiled = mjml2html(layout, { validationLevel: 'strict' }).then((r) => r.html);
    compiledLayouts.set(layout, compiled);
    compiled.catch(() => compiledLayouts.delete(layout));
  }
  const html = (await compiled).replace(SLOT, (_, i: string) => texts[Number(i)]!);
  return { subject: n.subject, html, text: textOf(n, s) };
}
