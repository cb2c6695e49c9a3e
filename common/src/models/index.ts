/**
 * toJSON options for API records: `_id` becomes `id`, and internal fields (the outbox, plus
 * any named) never reach a client.
 */
export function apiJson(hidden: string[] = []) {
  return {
    virtuals: false,
    transform(_doc: unknown, ret: Record<string, unknown>) {
      ret.id = String(ret._id);
      delete ret._id;
      delete ret.outbox;
      for (const h of hidden) delete ret[h];
      return ret;
    },
  };
}
export { forgottenPersonModelOn, isForgottenPerson, rememberForgottenPerson, type ForgottenPersonModel } from './forgotten-person';
