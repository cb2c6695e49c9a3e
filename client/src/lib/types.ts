/**
 * The API's record types live in @jetmart/common/contracts (the services' presenters return the
 * same types). This file only re-exports them for the ops page's older import; import from
 * '@jetmart/common/contracts' in new code.
 */
export type { User } from '@jetmart/common/contracts';
