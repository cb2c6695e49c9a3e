import {
  addressJsonSchema,
  addressProperties,
  addressRequired,
  commonErrors,
  errorResponse,
  json,
  openApiDocument,
  ref,
  sessionSecurity,
} from '@jetmart/common';
import { ADDRESS_BOOK_LIMIT } from '@jetmart/common/contracts';

const setsSession = {
  'Set-Cookie': {
    description: 'the session cookie (httpOnly, sameSite=lax, secure over HTTPS)',
    required: true,
    schema: { type: 'string' },
  },
};
const credentials = (passwordRule: string) => ({
  type: 'object',
  required: ['email', 'password'],
  properties: { email: { type: 'string', maxLength: 254 }, password: { type: 'string', description: passwordRule } },
});

const tooMany = (what: string) => ({
  ...errorResponse(what),
  headers: { 'Retry-After': { description: 'seconds', required: true, schema: { type: 'string' } } },
});
const passwordField = { type: 'string', minLength: 1, maxLength: 1024 };

const emailVerified = {
  type: 'boolean',
  description: 'the address was confirmed through the mailed link; unverified accounts cannot receive payouts',
};
const accepted = (status: string, description: string) => ({
  description,
  content: json({
    type: 'object',
    additionalProperties: false,
    required: ['status'],
    properties: { status: { type: 'string', enum: [status] } },
  }),
});
const tokenField = { type: 'string', minLength: 1, maxLength: 256, description: 'the token from the mailed link' };

const entryId = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];

/** The auth API as it answers (checked against real responses by openapi-contract.test.ts). */
export const authApiDocument = openApiDocument({
  title: 'jetmart auth',
  description: 'Users and sessions. The session is a cookie carrying a JWT. Errors are `{"errors":[{"message","field"?}]}`.',
  schemas: {
    User: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'email', 'emailVerified'],
      properties: { id: { type: 'string', minLength: 1 }, email: { type: 'string', format: 'email' }, emailVerified },
    },
    Profile: {
      type: 'object',
      additionalProperties: false,
      required: ['id', 'email', 'emailVerified', 'displayName'],
      properties: {
        id: { type: 'string', minLength: 1 },
        email: { type: 'string', format: 'email' },
        emailVerified,
        displayName: { oneOf: [{ type: 'string', minLength: 1, maxLength: 80 }, { type: 'null' }] },
      },
    },
    Address: addressJsonSchema,
    SavedAddress: {
      type: 'object',
      additionalProperties: false,
      required: ['id', ...addressRequired],
      properties: { id: { type: 'string', minLength: 1 }, ...addressProperties },
    },
  },
  paths: {
    '/api/users/signup': {
      post: {
        summary: 'Create an account and sign in',
        tags: ['users'],
        requestBody: { required: true, content: json(credentials('8-128 characters')) },
        responses: {
          '201': { description: 'Signed up and signed in', headers: setsSession, content: json(ref('User')) },
          '400': commonErrors.badRequest,
          '409': errorResponse('The email is already used'),
          '429': tooMany('Too many sign-ups from this address (counted across every auth replica)'),
        },
      },
    },
    '/api/users/signin': {
      post: {
        summary: 'Sign in',
        tags: ['users'],
        requestBody: { required: true, content: json(credentials('the password')) },
        responses: {
          '200': { description: 'Signed in', headers: setsSession, content: json(ref('User')) },
          '400': commonErrors.badRequest,
          '401': errorResponse('Wrong email or password (the same message for both)'),
          '429': tooMany('Too many attempts for this email from this address (counted across every auth replica)'),
        },
      },
    },
    '/api/users/signout': {
      post: {
        summary: 'Sign out: the session is revoked on every service (within a second), and the cookie cleared',
        tags: ['users'],
        responses: { '200': { description: 'Signed out', content: json({ type: 'object', additionalProperties: false }) } },
      },
    },
    '/api/users/signout-everywhere': {
      post: {
        summary: "Sign out everywhere: every one of the person's sessions is revoked, this one included",
        tags: ['users'],
        security: sessionSecurity,
        responses: {
          '200': { description: 'Every session ended', content: json({ type: 'object', additionalProperties: false }) },
          '401': commonErrors.unauthorized,
        },
      },
    },
    '/api/users/me/export': {
      get: {
        summary: 'Everything jetmart holds about me, as one JSON file (an attachment)',
        description:
          "Auth's part (the account and the address book) and every other service's part, asked for with the caller's own " +
          'session (`GET /api/orders/me/export`, `/api/shipments/me/export`, `/api/payments/me/export`, ' +
          '`/api/products/me/export`, `/api/notifications/me/export`; each documents its items). All or nothing: if a part ' +
          'cannot be had the answer is 503 and nothing is exported.',
        tags: ['users'],
        security: sessionSecurity,
        responses: {
          '200': {
            description: 'The export (Content-Disposition: attachment)',
            content: json({
              type: 'object',
              required: ['exportedAt', 'user', 'addresses'],
              properties: {
                exportedAt: { type: 'string', format: 'date-time' },
                user: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['id', 'email', 'displayName', 'emailVerified', 'createdAt'],
                  properties: {
                    id: { type: 'string', minLength: 1 },
                    email: { type: 'string', format: 'email' },
                    displayName: { type: ['string', 'null'] },
                    emailVerified: { type: 'boolean' },
                    createdAt: { type: 'string', format: 'date-time' },
                  },
                },
                addresses: { type: 'array', items: ref('SavedAddress') },
                orders: { type: 'array', description: 'orders: the Order records of GET /api/orders' },
                returns: { type: 'array', description: 'orders: the returns the person asked for' },
                shipments: { type: 'array', description: 'shipping: the shipments sent to the person' },
                payments: { type: 'array', description: "payments: every payment record of the person's" },
                refunds: { type: 'array', description: 'payments: the refunds of those payments' },
                products: { type: 'array', description: "products: the person's listings, on sale or not" },
                reviews: { type: 'array', description: 'products: every review the person wrote, removed ones included' },
                reviewReports: { type: 'array', description: 'products: every report the person made on a review' },
                notificationContact: { type: ['object', 'null'], description: 'notifications: its copy of the email and name' },
                notifications: { type: 'array', description: 'notifications: every record (in-app and email)' },
              },
            }),
          },
          '401': commonErrors.unauthorized,
          '503': errorResponse('A part of the export could not be had from its service; nothing was exported'),
        },
      },
    },
    '/api/users/me': {
      get: {
        summary: 'My account',
        tags: ['users'],
        security: sessionSecurity,
        responses: { '200': { description: 'The account', content: json(ref('Profile')) }, '401': commonErrors.unauthorized },
      },
      patch: {
        summary: 'Change my display name (user.updated goes out)',
        tags: ['users'],
        security: sessionSecurity,
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['displayName'],
            properties: { displayName: { type: 'string', description: '1-80 characters after trimming, no control characters' } },
          }),
        },
        responses: {
          '200': { description: 'The account as changed', content: json(ref('Profile')) },
          '400': commonErrors.badRequest,
          '401': commonErrors.unauthorized,
        },
      },
      delete: {
        summary: 'Delete my account: erased here, user.deleted goes out, every session revoked',
        tags: ['users'],
        security: sessionSecurity,
        requestBody: { required: true, content: json({ type: 'object', required: ['password'], properties: { password: passwordField } }) },
        responses: {
          '204': { description: 'Deleted' },
          '400': commonErrors.badRequest,
          '401': errorResponse('Not signed in, or the password is incorrect'),
        },
      },
    },
    '/api/users/me/password': {
      post: {
        summary: 'Change my password: every other session ends; this one continues with a new cookie',
        tags: ['users'],
        security: sessionSecurity,
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['currentPassword', 'newPassword'],
            properties: {
              currentPassword: passwordField,
              newPassword: { type: 'string', description: '8-128 characters, not the current one' },
            },
          }),
        },
        responses: {
          '200': { description: 'Changed', headers: setsSession, content: json({ type: 'object', additionalProperties: false }) },
          '400': commonErrors.badRequest,
          '401': errorResponse('Not signed in, or the current password is incorrect'),
        },
      },
    },
    '/api/users/password-reset': {
      post: {
        summary: 'Mail a password-reset link (valid 1 h, single-use) if the address has an account; the same answer either way',
        tags: ['users'],
        requestBody: {
          required: true,
          content: json({ type: 'object', required: ['email'], properties: { email: { type: 'string', maxLength: 254 } } }),
        },
        responses: {
          '202': accepted('sent-if-registered', 'Accepted: a link is mailed if the address has an account'),
          '400': commonErrors.badRequest,
          '429': tooMany('Too many requests for this address or from this client (counted across every auth replica)'),
        },
      },
    },
    '/api/users/password-reset/confirm': {
      post: {
        summary: 'Set a new password with a reset link: every session of the account ends',
        tags: ['users'],
        requestBody: {
          required: true,
          content: json({
            type: 'object',
            required: ['token', 'password'],
            properties: { token: tokenField, password: { type: 'string', description: '8-128 characters' } },
          }),
        },
        responses: {
          '200': accepted('password-changed', 'The password is changed; sign in with it'),
          '400': errorResponse('Invalid input, or "This reset link is invalid or has expired" (unknown, used, replaced or expired)'),
        },
      },
    },
    '/api/users/verify-email': {
      post: {
        summary:
          "Confirm the account's address with the mailed link; a browser signed in to the account gets its session re-issued verified",
        tags: ['users'],
        requestBody: { required: true, content: json({ type: 'object', required: ['token'], properties: { token: tokenField } }) },
        responses: {
          '200': {
            description: 'Verified',
            content: json({ type: 'object', additionalProperties: false, required: ['user'], properties: { user: ref('User') } }),
          },
          '400': errorResponse('Invalid input, or "This verification link is invalid or has expired"'),
        },
      },
    },
    '/api/users/verify-email/resend': {
      post: {
        summary: 'Mail a new verification link (the previous one stops working)',
        tags: ['users'],
        security: sessionSecurity,
        responses: {
          '202': {
            description: '`sent`, or `already-verified` (nothing is sent)',
            content: json({
              type: 'object',
              additionalProperties: false,
              required: ['status'],
              properties: { status: { type: 'string', enum: ['sent', 'already-verified'] } },
            }),
          },
          '401': commonErrors.unauthorized,
          '429': tooMany('Too many verification mails for this account (counted across every auth replica)'),
        },
      },
    },
    '/api/users/currentuser': {
      get: {
        summary: 'Who is signed in',
        tags: ['users'],
        responses: {
          '200': {
            description: 'The signed-in user, or null',
            content: json({
              type: 'object',
              additionalProperties: false,
              required: ['currentUser'],
              properties: { currentUser: { oneOf: [ref('User'), { type: 'null' }] } },
            }),
          },
        },
      },
    },
    '/api/users/me/addresses': {
      get: {
        summary: 'My address book, oldest entry first',
        tags: ['addresses'],
        security: sessionSecurity,
        responses: {
          '200': { description: 'The entries', content: json({ type: 'array', maxItems: ADDRESS_BOOK_LIMIT, items: ref('SavedAddress') }) },
          '401': commonErrors.unauthorized,
        },
      },
      post: {
        summary: `Add an address (at most ${ADDRESS_BOOK_LIMIT})`,
        tags: ['addresses'],
        security: sessionSecurity,
        requestBody: { required: true, content: json(ref('Address')) },
        responses: {
          '201': { description: 'Added', content: json(ref('SavedAddress')) },
          '400': errorResponse('An invalid field (named in `field`)'),
          '401': commonErrors.unauthorized,
          '409': errorResponse(`The book holds ${ADDRESS_BOOK_LIMIT} addresses already`),
        },
      },
    },
    '/api/users/me/addresses/{id}': {
      put: {
        summary: 'Replace an entry (optional fields left out are removed)',
        tags: ['addresses'],
        security: sessionSecurity,
        parameters: entryId,
        requestBody: { required: true, content: json(ref('Address')) },
        responses: {
          '200': { description: 'Replaced', content: json(ref('SavedAddress')) },
          '400': errorResponse('An invalid field (named in `field`)'),
          '401': commonErrors.unauthorized,
          '404': errorResponse('No such entry in my book'),
        },
      },
      delete: {
        summary: 'Remove an entry',
        tags: ['addresses'],
        security: sessionSecurity,
        parameters: entryId,
        responses: {
          '204': { description: 'Removed' },
          '401': commonErrors.unauthorized,
          '404': errorResponse('No such entry in my book'),
        },
      },
    },
  },
});
