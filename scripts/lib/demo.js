'use strict';
// The demo shop that `npm run seed` creates. Documented in the README; dev-only accounts.

const DEMO_SELLER = { email: 'seller@jetmart.dev', password: 'jetmart-demo' };
const DEMO_BUYER = { email: 'buyer@jetmart.dev', password: 'jetmart-demo' };
// An ordinary account; what makes it an admin (the storefront's /ops page) is being in
// ADMIN_EMAILS, which the local platform sets to this address outside production when unset.
const DEMO_ADMIN = { email: 'admin@jetmart.dev', password: 'jetmart-demo' };

const DEMO_PRODUCTS = [
  { title: 'Espresso grinder', description: 'Conical burrs, 40 grind settings, built to last a decade.', price: 189.0, quantity: 8 },
  { title: 'Cast iron skillet 26 cm', description: 'Pre-seasoned, oven safe, heirloom quality.', price: 44.5, quantity: 25 },
  { title: 'Merino wool beanie', description: 'Soft, warm and itch-free. One size.', price: 29.99, quantity: 40 },
  { title: 'Mechanical keyboard', description: 'Hot-swappable switches, aluminium case, USB-C.', price: 129.0, quantity: 12 },
  { title: 'Concert ticket: The Event Loops', description: 'Standing, general admission. Only a few left!', price: 55.0, quantity: 3 },
];

module.exports = { DEMO_SELLER, DEMO_BUYER, DEMO_ADMIN, DEMO_PRODUCTS };
