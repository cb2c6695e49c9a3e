import { commonErrors, errorResponse, json, ref, sessionSecurity } from '@jetmart/common';
import { IMAGE_LIMITS, IMAGE_SIZES } from '@jetmart/common/contracts';

/**
 * The images part of the products API (issue 19), merged into productsApiDocument (openapi.ts)
 * and checked by __tests__/openapi-contract-images.test.ts. ProductImage and Product are
 * openapi.ts's schemas.
 */
const productIdParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const imageIdParam = {
  name: 'imageId',
  in: 'path',
  required: true,
  schema: { type: 'string' },
  description: 'derived from the uploaded file: the same file is the same image',
};
const notTheSeller = errorResponse('Not the seller');
const MiB = IMAGE_LIMITS.maxBytes / (1024 * 1024);

export const imagesApiPaths = {
  '/api/products/{id}/images': {
    post: {
      summary: `Add a picture to a product (seller only): the request body is the file itself (JPEG, PNG or WebP, up to ${MiB} MiB)`,
      description:
        `The file is recognised by its content (not its name or declared Content-Type, which may be anything), decoded in ` +
        `full and re-encoded to WebP variants (${IMAGE_SIZES.map((s) => `${s} ${IMAGE_LIMITS.sizes[s]}px`).join(', ')} on the ` +
        `longest side, never enlarged) without metadata. At most ${IMAGE_LIMITS.maxPixels} pixels and ` +
        `${IMAGE_LIMITS.maxSide} per side; at most ${IMAGE_LIMITS.maxPerProduct} pictures per product, the first is the cover. ` +
        'A refused file stores nothing.',
      tags: ['images'],
      security: sessionSecurity,
      parameters: [productIdParam],
      requestBody: { required: true, content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
      responses: {
        '201': { description: 'Added (the last picture)', content: json(ref('ProductImage')) },
        '200': { description: 'The product already has this very file: nothing added', content: json(ref('ProductImage')) },
        '400': errorResponse('Empty, truncated or undecodable, or too many pixels'),
        '401': commonErrors.unauthorized,
        '403': notTheSeller,
        '404': commonErrors.notFound,
        '409': errorResponse(`The product already has ${IMAGE_LIMITS.maxPerProduct} pictures`),
        '413': errorResponse(`Larger than ${MiB} MiB`),
        '415': errorResponse('Not a JPEG, PNG or WebP file (by its content)'),
      },
    },
  },
  '/api/products/{id}/images/order': {
    put: {
      summary: "Order a product's pictures (seller only); the first is the cover",
      tags: ['images'],
      security: sessionSecurity,
      parameters: [productIdParam],
      requestBody: {
        required: true,
        content: json({
          type: 'object',
          required: ['imageIds'],
          properties: {
            imageIds: {
              type: 'array',
              maxItems: IMAGE_LIMITS.maxPerProduct,
              items: { type: 'string' },
              description: "each of the product's image ids exactly once",
            },
          },
        }),
      },
      responses: {
        '200': { description: 'The product with its pictures in that order', content: json(ref('Product')) },
        '400': commonErrors.badRequest,
        '401': commonErrors.unauthorized,
        '403': notTheSeller,
        '404': commonErrors.notFound,
      },
    },
  },
  '/api/products/{id}/images/{imageId}': {
    delete: {
      summary: 'Take a picture off a product (seller only)',
      tags: ['images'],
      security: sessionSecurity,
      parameters: [productIdParam, imageIdParam],
      responses: {
        '200': { description: 'The product without that picture', content: json(ref('Product')) },
        '401': commonErrors.unauthorized,
        '403': notTheSeller,
        '404': errorResponse('No such product, or the product has no such picture'),
      },
    },
  },
  '/api/products/{id}/images/{imageId}/{size}': {
    get: {
      summary: "One variant of a product's picture (public), WebP",
      description:
        'The bytes under a URL never change (the id is the content), so it may be cached for good; revalidate with If-None-Match.',
      tags: ['images'],
      parameters: [
        productIdParam,
        imageIdParam,
        { name: 'size', in: 'path', required: true, schema: { type: 'string', enum: [...IMAGE_SIZES] } },
        { name: 'If-None-Match', in: 'header', required: false, schema: { type: 'string' } },
      ],
      responses: {
        '200': {
          description: 'The WebP variant',
          content: { 'image/webp': { schema: { type: 'string', contentMediaType: 'image/webp' } } },
          headers: {
            ETag: { required: true, schema: { type: 'string' } },
            'Cache-Control': { required: true, schema: { type: 'string', const: 'public, max-age=31536000, immutable' } },
          },
        },
        '304': {
          description: 'Not modified (If-None-Match matched the ETag)',
          headers: { ETag: { required: true, schema: { type: 'string' } } },
        },
        '404': errorResponse('No such product, picture (of this product) or size'),
      },
    },
  },
};
