/**
 * A postal address as a buyer gives it at checkout and keeps in the address book. Pure: the
 * storefront validates with the same limits the services do.
 */
export interface Address {
  name: string;
  line1: string;
  line2?: string;
  city: string;
  postalCode: string;
  /** ISO 3166-1 alpha-2, upper case (e.g. "DE"). */
  country: string;
  phone?: string;
}

export const ADDRESS_LIMITS = { name: 100, line1: 200, line2: 200, city: 100, postalCode: 20, phone: 30 } as const;

/** An address-book entry (`/api/users/me/addresses`). */
export interface SavedAddress extends Address {
  id: string;
}

export const ADDRESS_BOOK_LIMIT = 10;

/**
 * The officially assigned ISO 3166-1 alpha-2 codes. A fixed list rather than a dependency: it
 * changes about once a decade, and the storefront needs it without loading a library.
 */
export const COUNTRY_CODES: readonly string[] = (
  'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
  'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
  'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO ' +
  'JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR ' +
  'MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO ' +
  'RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV ' +
  'TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
).split(' ');

/**
 * The address snapshot of a deleted account (SPEC invariant 13), the same in every service that
 * keeps one: no name, street, city, postcode or phone; the country stays for the sellers'
 * statistics. The required fields hold a placeholder, so the snapshot keeps the shape the API and
 * events present.
 */
export const DELETED_USER_NAME = 'deleted user';

export function anonymisedAddress(country: string): Address {
  return { name: DELETED_USER_NAME, line1: '-', city: '-', postalCode: '-', country };
}

export function isAnonymisedAddress(a: Address): boolean {
  return a.name === DELETED_USER_NAME && a.line1 === '-' && a.city === '-' && a.postalCode === '-' && a.line2 == null && a.phone == null;
}
