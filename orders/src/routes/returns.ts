import { Router } from 'express';
import { z } from 'zod';
import { BadRequestError, ConflictError, NotFoundError, objectIdPattern, parseQuery, requireAuth, validateBody } from '@jetmart/common';
import { ORDER_LIMITS, RETURN_LIMITS, RETURN_REASONS } from '@jetmart/common/contracts';
import { VISIBLE_STATUSES, type OrdersModels, type ReturnDoc } from '../models';
import {
  approveReturn,
  cancelReturn,
  receiveReturn,
  rejectReturn,
  requestReturn,
  type ApproveResult,
  type CancelReturnResult,
  type ReceiveResult,
  type RejectResult,
  type RequestReturnResult,
} from '../returns';
import { presentReturn } from './presenters';

const line = z.object({
  productId: z.string({ error: 'productId must be a string' }).min(1, 'productId is required').max(128, 'productId is too long'),
  quantity: z
    .number({ error: 'quantity must be a number' })
    .int('quantity must be a whole number')
    .min(1, 'quantity must be at least 1')
    .max(ORDER_LIMITS.maxLineQuantity, `quantity can be at most ${ORDER_LIMITS.maxLineQuantity}`),
});

const requestBody = z.object({
  items: z
    .array(line, { error: 'items must be a list of {productId, quantity}' })
    .min(1, 'a return needs at least one item')
    .max(RETURN_LIMITS.maxLines, `a return can have at most ${RETURN_LIMITS.maxLines} items`)
    .superRefine((items, ctx) => {
      const seen = new Set<string>();
      items.forEach((l, i) => {
        if (seen.has(l.productId)) ctx.addIssue({ code: 'custom', message: 'each product can appear only once', path: [i, 'productId'] });
        seen.add(l.productId);
      });
    }),
  reason: z.enum(RETURN_REASONS, { error: `reason must be one of ${RETURN_REASONS.join(', ')}` }),
  note: z
    .string({ error: 'note must be a string' })
    .max(RETURN_LIMITS.maxNoteLength, `note can be at most ${RETURN_LIMITS.maxNoteLength} characters`)
    .optional(),
});

const rejectBody = z.object({
  message: z
    .string({ error: 'message must be a string' })
    .trim()
    .min(1, 'message is required')
    .max(RETURN_LIMITS.maxMessageLength, `message can be at most ${RETURN_LIMITS.maxMessageLength} characters`),
});

const receiveBody = z.object({ restock: z.boolean({ error: 'restock must be true or false' }) });

const STATUSES = ['requested', 'approved', 'rejected', 'cancelled', 'received', 'refunded'] as const;
const listQuery = z.object({
  role: z.enum(['buyer', 'seller'], { error: 'role must be buyer or seller' }).default('buyer'),
  status: z.enum(STATUSES, { error: `status must be one of ${STATUSES.join(', ')}` }).optional(),
});

const NOT_FOUND = 'Return not found';
const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

/** Why a return was not requested, as the HTTP error the buyer sees. Nothing was reserved. */
function requestFailure(result: Exclude<RequestReturnResult, { kind: 'requested' }>): Error {
  switch (result.kind) {
    case 'not-found':
      return new NotFoundError('Order not found');
    case 'unknown-product':
      return new BadRequestError('This product is not on the order', `items.${result.line}.productId`);
    case 'several-sellers':
      return new BadRequestError(
        'All lines of a return must be of one seller (one shipment); return the other lines separately',
        `items.${result.line}.productId`,
      );
    case 'not-delivered':
      return new ConflictError('This part of the order has not been delivered yet');
    case 'window-closed':
      return new ConflictError(
        result.until ? `The return window closed on ${result.until.toISOString().slice(0, 10)}` : 'The return window has closed',
      );
    case 'too-many':
      return new ConflictError('More units than were bought, minus those already being returned', `items.${result.line}.quantity`);
  }
}

/** A step from the wrong state names the state; a repeat of the step taken is a success. */
const wrongState = (ret: ReturnDoc, step: string) => new ConflictError(`This return is ${ret.status} and cannot be ${step}`);

type StepResult = ApproveResult | RejectResult | CancelReturnResult | ReceiveResult;

function stepped(result: StepResult, step: string): ReturnDoc {
  if (result.kind === 'not-found') throw new NotFoundError(NOT_FOUND);
  if (result.kind === 'wrong-state') throw wrongState(result.ret, step);
  return result.ret;
}

export function returnsRouter({ models }: { models: OrdersModels }): Router {
  const { Order, Return } = models;
  const router = Router();

  router.post('/api/orders/:id/returns', requireAuth, validateBody(requestBody), async (req, res) => {
    const { items, reason, note } = req.body as z.infer<typeof requestBody>;
    const result = await requestReturn(
      { models },
      { orderId: String(req.params.id), buyerId: req.currentUser!.id, items, reason, ...(note !== undefined ? { note } : {}) },
    );
    if (result.kind !== 'requested') throw requestFailure(result);
    res.status(201).json(presentReturn(result.ret));
  });

  router.get('/api/orders/:id/returns', requireAuth, async (req, res) => {
    const id = String(req.params.id);
    const userId = req.currentUser!.id;
    const order = objectIdPattern.test(id) ? await Order.exists({ _id: id, userId, status: { $in: VISIBLE_STATUSES } }) : null;
    if (!order) throw new NotFoundError('Order not found');
    const returns = await Return.find({ orderId: id, buyerId: userId }).sort(NEWEST_FIRST).lean();
    res.json(returns.map(presentReturn));
  });

  router.get('/api/returns', requireAuth, async (req, res) => {
    const { role, status } = parseQuery(listQuery, req);
    const userId = req.currentUser!.id;
    const returns = await Return.find({ [role === 'seller' ? 'sellerId' : 'buyerId']: userId, ...(status ? { status } : {}) })
      .sort(NEWEST_FIRST)
      .lean();
    res.json(returns.map(presentReturn));
  });

  router.get('/api/returns/:id', requireAuth, async (req, res) => {
    const id = String(req.params.id);
    const userId = req.currentUser!.id;
    const ret = objectIdPattern.test(id) ? await Return.findById(id).lean() : null;
    if (!ret || (ret.buyerId !== userId && ret.sellerId !== userId)) throw new NotFoundError(NOT_FOUND);
    res.json(presentReturn(ret));
  });

  router.post('/api/returns/:id/approve', requireAuth, async (req, res) => {
    const result = await approveReturn({ models }, { id: String(req.params.id), userId: req.currentUser!.id });
    res.json(presentReturn(stepped(result, 'approved')));
  });

  router.post('/api/returns/:id/reject', requireAuth, validateBody(rejectBody), async (req, res) => {
    const { message } = req.body as z.infer<typeof rejectBody>;
    const result = await rejectReturn({ models }, { id: String(req.params.id), userId: req.currentUser!.id, message });
    res.json(presentReturn(stepped(result, 'rejected')));
  });

  router.post('/api/returns/:id/receive', requireAuth, validateBody(receiveBody), async (req, res) => {
    const { restock } = req.body as z.infer<typeof receiveBody>;
    const result = await receiveReturn({ models }, { id: String(req.params.id), userId: req.currentUser!.id, restock });
    res.json(presentReturn(stepped(result, 'received')));
  });

  router.post('/api/returns/:id/cancel', requireAuth, async (req, res) => {
    const result = await cancelReturn({ models }, { id: String(req.params.id), userId: req.currentUser!.id });
    res.json(presentReturn(stepped(result, 'cancelled')));
  });

  return router;
}
