import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { redirect } from 'next/navigation';
import type { Shipment, ShipmentStatus } from '@jetmart/common/contracts';
import { AddressBlock } from '@/components/AddressBlock';
import { ApiErrorNotice } from '@/components/ApiErrorNotice';
import { LocalDateTime } from '@/components/LocalDateTime';
import { MarkDeliveredButton, ShipForm } from '@/components/SellerShipmentActions';
import { deliveredByText } from '@/lib/fulfilment';
import { formatMoney, lineTotal } from '@/lib/money';
import { orderNumber } from '@/lib/orders';
import { signinUrl } from '@/lib/redirect';
import { serverApi } from '@/lib/server-api';

export const metadata: Metadata = { title: 'To ship' };

const PATH = '/sell/shipments';

/** The seller's shipments in one state, oldest first (GET /api/shipments?status=). */
const listShipments = (status: ShipmentStatus) => serverApi<Shipment[]>(`/api/shipments?${new URLSearchParams({ status })}`);

/** A seller's "to ship" list: pending shipments oldest first, to mark shipped; shipped and delivered ones below. */
export default async function SellerShipmentsPage() {
  const [pending, shipped, delivered] = await Promise.all([listShipments('pending'), listShipments('shipped'), listShipments('delivered')]);
  if ([pending, shipped, delivered].some((r) => !r.ok && r.status === 401)) redirect(signinUrl(PATH));
  return (
    <>
      <div className="page-head">
        <h1>To ship</h1>
        <div className="page-actions">
          <Link href="/sell/returns">Returns to handle</Link>
          <Link href="/sell">My products</Link>
        </div>
      </div>
      <p className="muted">Paid orders of your products, one shipment per order. Ship the oldest first.</p>

      <section aria-labelledby="pending-heading">
        <h2 id="pending-heading">Waiting to be shipped{pending.ok ? ` (${pending.data.length})` : ''}</h2>
        {!pending.ok ? (
          <ApiErrorNotice title="Could not load your shipments" errors={pending.errors} />
        ) : pending.data.length === 0 ? (
          <div className="empty" data-testid="to-ship-empty">
            <p>Nothing to ship right now.</p>
          </div>
        ) : (
          <ul className="shipment-list">
            {pending.data.map((s) => (
              <li key={s.id}>
                <SellerShipment shipment={s}>
                  <ShipForm shipmentId={s.id} label={`Mark order ${orderNumber(s.orderId)} shipped`} />
                </SellerShipment>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="shipped-heading">
        <h2 id="shipped-heading">Shipped, on the way</h2>
        {!shipped.ok ? (
          <ApiErrorNotice title="Could not load your shipped parcels" errors={shipped.errors} />
        ) : shipped.data.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <ul className="shipment-list">
            {[...shipped.data].reverse().map((s) => (
              <li key={s.id}>
                <SellerShipment shipment={s}>
                  <MarkDeliveredButton shipmentId={s.id} />
                </SellerShipment>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="delivered-heading">
        <h2 id="delivered-heading">Delivered</h2>
        {!delivered.ok ? (
          <ApiErrorNotice title="Could not load your delivered parcels" errors={delivered.errors} />
        ) : delivered.data.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <ul className="shipment-list">
            {[...delivered.data].reverse().map((s) => (
              <li key={s.id}>
                <SellerShipment shipment={s} />
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function SellerShipment({ shipment, children }: { shipment: Shipment; children?: ReactNode }) {
  const headingId = `shipment-${shipment.id}`;
  return (
    <article
      className="panel seller-shipment"
      aria-labelledby={headingId}
      data-testid="seller-shipment"
      data-shipment-id={shipment.id}
      data-order-id={shipment.orderId}
      data-shipment-status={shipment.status}
    >
      <h3 id={headingId}>
        Order <span className="order-number">{orderNumber(shipment.orderId)}</span> for {shipment.shippingAddress.name}
      </h3>
      <div className="seller-shipment-grid">
        <div>
          <ul className="shipment-items" aria-label="Items">
            {shipment.items.map((item) => (
              <li key={item.productId}>
                {item.quantity} × <Link href={`/products/${item.productId}`}>{item.title}</Link>{' '}
                <span className="muted">{formatMoney(lineTotal([item]))}</span>
              </li>
            ))}
          </ul>
          <dl className="receipt shipment-facts">
            <dt>Paid</dt>
            <dd>
              <LocalDateTime iso={shipment.createdAt} />
            </dd>
            {shipment.shippedAt ? (
              <>
                <dt>Shipped</dt>
                <dd>
                  <LocalDateTime iso={shipment.shippedAt} />
                </dd>
              </>
            ) : null}
            {shipment.carrier ? (
              <>
                <dt>Carrier</dt>
                <dd data-testid="carrier">{shipment.carrier}</dd>
              </>
            ) : null}
            {shipment.trackingNumber ? (
              <>
                <dt>Tracking number</dt>
                <dd>
                  <code data-testid="tracking-number">{shipment.trackingNumber}</code>
                </dd>
              </>
            ) : null}
            {shipment.deliveredAt ? (
              <>
                <dt>Delivered</dt>
                <dd>
                  <LocalDateTime iso={shipment.deliveredAt} />
                  {shipment.deliveredBy ? <span className="muted"> ({deliveredByText(shipment.deliveredBy, 'seller')})</span> : null}
                </dd>
              </>
            ) : null}
          </dl>
        </div>
        <div>
          <h4 className="address-heading">Ship to</h4>
          <AddressBlock address={shipment.shippingAddress} testId="shipment-address" />
        </div>
      </div>
      {children}
    </article>
  );
}
