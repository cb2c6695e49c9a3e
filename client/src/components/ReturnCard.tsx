import Link from 'next/link';
import type { ReactNode } from 'react';
import type { ReturnRecord } from '@jetmart/common/contracts';
import { formatMoney, lineTotal } from '@/lib/money';
import { orderNumber } from '@/lib/orders';
import { returnReasonLabel, returnStatusLabel, returnStatusSentence } from '@/lib/returns';
import { LocalDateTime } from './LocalDateTime';

/**
 * One return as its buyer or seller reads it: state, lines, amount, reason and note, the seller's
 * message with a rejection; the actions the reader may take come as children.
 */
export function ReturnCard({
  ret,
  reader,
  headingLevel = 3,
  showOrder = false,
  children,
}: {
  ret: ReturnRecord;
  reader: 'buyer' | 'seller';
  headingLevel?: 2 | 3;
  /** Link the order (on the lists; the order page is the order already). */
  showOrder?: boolean;
  children?: ReactNode;
}) {
  const headingId = `return-${ret.id}-heading`;
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <article
      className="panel return-card"
      aria-labelledby={headingId}
      data-testid="return"
      data-return-id={ret.id}
      data-order-id={ret.orderId}
      data-return-status={ret.status}
    >
      <div className="return-head">
        <Heading id={headingId}>
          Return of {formatMoney(ret.amount)}
          {showOrder ? (
            <>
              {' '}
              from order <span className="order-number">{orderNumber(ret.orderId)}</span>
            </>
          ) : null}
        </Heading>
        <span className={`return-status return-status-${ret.status}`} data-testid="return-status" data-status={ret.status}>
          {returnStatusLabel(ret.status)}
        </span>
      </div>
      <p className="muted return-sentence">{returnStatusSentence(ret, reader)}</p>
      <ul className="shipment-items" aria-label="Returned items">
        {ret.items.map((item) => (
          <li key={item.productId}>
            {item.quantity} × <Link href={`/products/${item.productId}`}>{item.title}</Link>{' '}
            <span className="muted">{formatMoney(lineTotal([item]))}</span>
          </li>
        ))}
      </ul>
      <dl className="receipt shipment-facts">
        <dt>Reason</dt>
        <dd data-testid="return-reason">{returnReasonLabel(ret.reason, reader)}</dd>
        {ret.note ? (
          <>
            <dt>{reader === 'buyer' ? 'Your note' : "Buyer's note"}</dt>
            <dd data-testid="return-note">{ret.note}</dd>
          </>
        ) : null}
        {ret.message ? (
          <>
            <dt>{reader === 'buyer' ? "Seller's answer" : 'Your answer'}</dt>
            <dd data-testid="return-message">{ret.message}</dd>
          </>
        ) : null}
        <dt>Amount</dt>
        <dd data-testid="return-amount">{formatMoney(ret.amount)}</dd>
        {reader === 'seller' && ret.restock !== undefined ? (
          <>
            <dt>Back on sale</dt>
            <dd data-testid="return-restock">{ret.restock ? 'Yes' : 'No'}</dd>
          </>
        ) : null}
        <dt>Requested</dt>
        <dd>
          <LocalDateTime iso={ret.createdAt} />
        </dd>
        {ret.updatedAt && ret.updatedAt !== ret.createdAt ? (
          <>
            <dt>Last change</dt>
            <dd>
              <LocalDateTime iso={ret.updatedAt} />
            </dd>
          </>
        ) : null}
        {showOrder ? (
          <>
            <dt>Order</dt>
            <dd>
              {reader === 'buyer' ? (
                <Link href={`/orders/${ret.orderId}`} aria-label={`Order ${orderNumber(ret.orderId)}`}>
                  {orderNumber(ret.orderId)}
                </Link>
              ) : (
                <span title={ret.orderId}>{orderNumber(ret.orderId)}</span>
              )}
            </dd>
          </>
        ) : null}
      </dl>
      {children}
    </article>
  );
}
