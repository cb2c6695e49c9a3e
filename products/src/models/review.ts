import { Schema, Types, type Connection, type HydratedDocument, type Model } from 'mongoose';
import { isDuplicateKey, modelOn } from '@jetmart/common';
import { REVIEW_LIMITS, type ReviewStatus } from '@jetmart/common/contracts';

/**
 * A verified buyer's review of a product: rating 1–5 and text, editable by its author, one reply
 * by the product's seller, reports by other people (each counted once), hidden after
 * REVIEW_LIMITS.hideAfterReports distinct reports until an admin restores or removes it.
 *
 * One review per (author, product): the claim on that pair is a ReviewAuthor document (./review-author)
 * whose unique `_id` decides between two concurrent first reviews; the review's own `_id` is an
 * opaque ObjectId, so the author's id can be removed from it when their account is deleted.
 *
 * Transitions are methods that change the document and say what they did; the caller saves a
 * changed review, and `optimisticConcurrency` makes a save of a stale copy fail (VersionError), so
 * two racing changes (two reports, an edit and a moderation) are applied one after the other.
 */
export interface ReviewReport {
  /** The reporter; removed when their account is deleted (the report still counts). */
  by?: string;
  reason: string;
  at: Date;
}

export interface ReviewFields {
  _id: Types.ObjectId;
  productId: string;
  /** The product's seller when the review was written (the only one who may reply). */
  sellerId: string;
  /** The author; absent once their account is deleted (the review stays, anonymised). */
  userId?: string;
  rating: number;
  text: string;
  status: ReviewStatus;
  reports: ReviewReport[];
  /** reports.length, kept for queries and the API. */
  reportCount: number;
  /**
   * reportCount when an admin last restored the review: the reports already judged no longer
   * count towards hiding it; hideAfterReports new ones hide it again.
   */
  reportsJudged: number;
  reply?: { text: string; createdAt: Date };
  moderatedAt?: Date;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type EditOutcome = 'edited' | 'unchanged' | 'is-removed';
export type ReplyOutcome = 'replied' | 'already-replied' | 'is-removed';
export type ReportOutcome = 'reported' | 'already-reported' | 'own-review' | 'is-removed';
export type ModerationDecision = 'restore' | 'remove';
export type ModerateOutcome = 'restored' | 'removed' | 'unchanged' | 'is-removed';

interface ReviewMethods {
  /** The author's change of rating and/or text; a removed review stays as it was. */
  edit(changes: { rating?: number; text?: string }): EditOutcome;
  /** The seller's one reply. */
  addReply(text: string, now?: Date): ReplyOutcome;
  /** One report per reporter; hides a visible review at hideAfterReports reports not yet judged. */
  addReport(reporterId: string, reason: string, now?: Date): ReportOutcome;
  /** An admin's decision: restore (visible again, its reports judged) or remove (for good). */
  moderate(decision: ModerationDecision, now?: Date): ModerateOutcome;
  /** The person's account is gone: their authorship and their reports lose their id. True when it changed. */
  forget(userId: string): boolean;
}

export type ReviewModel = Model<ReviewFields, object, ReviewMethods>;
export type ReviewDoc = HydratedDocument<ReviewFields, ReviewMethods>;

const reportSchema = new Schema<ReviewReport>(
  { by: { type: String }, reason: { type: String, default: '' }, at: { type: Date, required: true } },
  { _id: false },
);

const reviewSchema = new Schema<ReviewFields, ReviewModel, ReviewMethods>(
  {
    productId: { type: String, required: true },
    sellerId: { type: String, required: true },
    userId: { type: String },
    rating: { type: Number, required: true, min: REVIEW_LIMITS.minRating, max: REVIEW_LIMITS.maxRating },
    text: { type: String, required: true, maxlength: REVIEW_LIMITS.maxText },
    status: { type: String, enum: ['visible', 'hidden', 'removed'], default: 'visible' },
    reports: { type: [reportSchema], default: [] },
    reportCount: { type: Number, default: 0 },
    reportsJudged: { type: Number, default: 0 },
    reply: { type: new Schema({ text: String, createdAt: Date }, { _id: false }), default: undefined },
    moderatedAt: { type: Date },
  },
  { timestamps: true, optimisticConcurrency: true, versionKey: 'version' },
);
// A product's reviews, newest first with a (createdAt, _id) cursor; the rating sums its visible ones.
reviewSchema.index({ productId: 1, status: 1, createdAt: -1, _id: -1 });
// A person's reviews (GET /api/reviews/mine, and forgetting them).
reviewSchema.index({ userId: 1, createdAt: -1 });
// The moderation queue.
reviewSchema.index({ status: 1, updatedAt: 1 });
// Reviews a person reported (forgetting them).
reviewSchema.index({ 'reports.by': 1 });

reviewSchema.methods.edit = function (this: ReviewDoc, changes: { rating?: number; text?: string }): EditOutcome {
  if (this.status === 'removed') return 'is-removed';
  if (changes.rating !== undefined && changes.rating !== this.rating) this.rating = changes.rating;
  if (changes.text !== undefined && changes.text !== this.text) this.text = changes.text;
  return this.isModified() ? 'edited' : 'unchanged';
};

reviewSchema.methods.addReply = function (this: ReviewDoc, text: string, now = new Date()): ReplyOutcome {
  if (this.status === 'removed') return 'is-removed';
  if (this.reply) return 'already-replied';
  this.reply = { text, createdAt: now };
  return 'replied';
};

reviewSchema.methods.addReport = function (this: ReviewDoc, reporterId: string, reason: string, now = new Date()): ReportOutcome {
  if (this.userId === reporterId) return 'own-review';
  if (this.status === 'removed') return 'is-removed';
  if (this.reports.some((r) => r.by === reporterId)) return 'already-reported';
  this.reports.push({ by: reporterId, reason, at: now });
  this.reportCount = this.reports.length;
  if (this.status === 'visible' && this.reportCount - this.reportsJudged >= REVIEW_LIMITS.hideAfterReports) this.status = 'hidden';
  return 'reported';
};

reviewSchema.methods.moderate = function (this: ReviewDoc, decision: ModerationDecision, now = new Date()): ModerateOutcome {
  if (this.status === 'removed') return decision === 'remove' ? 'unchanged' : 'is-removed';
  if (decision === 'remove') {
    this.status = 'removed';
    this.moderatedAt = now;
    return 'removed';
  }
  if (this.status === 'visible' && this.reportsJudged === this.reportCount) return 'unchanged';
  this.status = 'visible';
  this.reportsJudged = this.reportCount;
  this.moderatedAt = now;
  return 'restored';
};

reviewSchema.methods.forget = function (this: ReviewDoc, userId: string): boolean {
  if (this.userId === userId) this.userId = undefined;
  for (const r of this.reports) if (r.by === userId) r.by = undefined;
  return this.isModified();
};

/** A new visible review by `userId`, with the id its ReviewAuthor claim names; the caller inserts it. */
export function buildReview(
  Review: ReviewModel,
  fields: { id: string; productId: string; sellerId: string; userId: string; rating: number; text: string },
): ReviewDoc {
  return new Review({
    _id: new Types.ObjectId(fields.id),
    productId: fields.productId,
    sellerId: fields.sellerId,
    userId: fields.userId,
    rating: fields.rating,
    text: fields.text,
  });
}

/** Inserts a new review; 'exists' when one with its id is already stored. */
export async function insertReview(review: ReviewDoc): Promise<'created' | 'exists'> {
  try {
    await review.save();
    return 'created';
  } catch (err) {
    if (isDuplicateKey(err)) return 'exists';
    throw err;
  }
}

export function reviewModelOn(conn: Connection): ReviewModel {
  return modelOn<ReviewModel>(conn, 'Review', reviewSchema);
}
