import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { OpsDeadLetter, OpsPart, OpsServerInfo, OpsServiceReadiness, OpsStream } from '@jetmart/common/contracts';
import { ChartFigure } from '@/components/ChartFigure';
import { commissionChartSvg } from '@/lib/charts';
import { formatMoney } from '@/lib/money';
import { fillDays, shortDay, type CommissionDay } from '@/lib/sellers';
import { commission, COMMISSION_DAYS, deadLetters, opsStatus, refused } from './lib/ops';
import { ReplayButton } from './ReplayButton';

export const metadata: Metadata = { title: 'Operations' };
export const dynamic = 'force-dynamic';

const n = (v: number) => v.toLocaleString('en-US');
const bytes = (v: number) => (v < 1024 ? `${v} B` : v < 1024 ** 2 ? `${(v / 1024).toFixed(1)} KiB` : `${(v / 1024 ** 2).toFixed(1)} MiB`);

function Unavailable({ what, error }: { what: string; error: string }) {
  return (
    <p className="notice" role="alert">
      {what} unavailable: {error}
    </p>
  );
}

/**
 * Operations page (admins only: ADMIN_EMAILS). Everything comes from the ops service's API
 * (/api/ops/status and /api/ops/deadletters), asked on the server with the visitor's cookie when
 * the page is requested. proxy.ts already answers everyone else with a 404; should the ops service
 * refuse anyway (401/403), the page is not found either, so its existence is not revealed.
 */
export default async function OpsPage({ searchParams }: { searchParams: Promise<{ replayed?: string | string[] }> }) {
  const [status, dead, earned] = await Promise.all([opsStatus(), deadLetters(), commission()]);
  if (refused(status) || refused(dead)) notFound();
  // Set by the replay button: the replayed row is gone from the table, so the outcome is said here.
  const replayed = (await searchParams).replayed;
  const unavailable = (r: { ok: false; errors: { message: string }[] }) => r.errors.map((e) => e.message).join('; ');
  const svc: OpsPart<OpsServiceReadiness[]> = status.ok
    ? { ok: true, data: status.data.services }
    : { ok: false, error: unavailable(status) };
  const nats: OpsPart<OpsServerInfo> = status.ok ? status.data.server : { ok: false, error: unavailable(status) };
  const js: OpsPart<OpsStream[]> = status.ok ? status.data.streams : { ok: false, error: unavailable(status) };

  return (
    <div data-testid="ops-page">
      <h1>Operations</h1>
      <p>
        <Link href="/ops/reviews">Reported reviews</Link>: reviews hidden by reports, waiting for a decision.
      </p>
      {typeof replayed === 'string' ? (
        <p role="status" data-testid="ops-replayed">
          Replayed to {replayed.slice(0, 200)}
        </p>
      ) : null}

      <section aria-labelledby="services-h">
        <h2 id="services-h">Services</h2>
        {svc.ok ? <Services rows={svc.data} /> : <Unavailable what="Readiness" error={svc.error} />}
      </section>

      <section aria-labelledby="nats-h">
        <h2 id="nats-h">NATS server</h2>
        {nats.ok ? <Server info={nats.data} /> : <Unavailable what="NATS monitoring" error={nats.error} />}
      </section>

      <section aria-labelledby="streams-h">
        <h2 id="streams-h">Streams and consumers</h2>
        {js.ok ? <Streams rows={js.data} /> : <Unavailable what="JetStream monitoring" error={js.error} />}
      </section>

      <section aria-labelledby="dead-h">
        <h2 id="dead-h">Dead letters</h2>
        {dead.ok ? (
          <DeadLetters total={dead.data.total} rows={dead.data.messages} />
        ) : (
          <Unavailable what="The DEADLETTER stream" error={unavailable(dead)} />
        )}
      </section>

      <section aria-labelledby="commission-h">
        <h2 id="commission-h">Platform commission, last {COMMISSION_DAYS} days</h2>
        {earned.ok ? <Commission days={earned.data.days} /> : <Unavailable what="Commission" error={unavailable(earned)} />}
      </section>
    </div>
  );
}

function Services({ rows }: { rows: OpsServiceReadiness[] }) {
  return (
    <table className="lines" aria-label="Service readiness">
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Ready</th>
          <th scope="col">Detail</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((s) => (
          <tr key={s.name} data-testid="ops-service" data-service={s.name} data-ready={String(s.ready)}>
            <td data-label="Service">{s.name}</td>
            <td data-label="Ready">{s.ready ? 'ready' : 'NOT READY'}</td>
            <td data-label="Detail">{s.detail}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Server({ info }: { info: OpsServerInfo }) {
  return (
    <p data-testid="ops-server">
      nats-server {info.version} ({info.serverName}), up {info.uptime}, {n(info.connections)} connections, {n(info.inMsgs)} messages in /{' '}
      {n(info.outMsgs)} out, {bytes(info.memBytes)} memory
    </p>
  );
}

function Streams({ rows }: { rows: OpsStream[] }) {
  return (
    <table className="lines" aria-label="Streams">
      <thead>
        <tr>
          <th scope="col">Stream / consumer</th>
          <th scope="col" className="num">
            Messages
          </th>
          <th scope="col" className="num">
            Bytes
          </th>
          <th scope="col" className="num">
            Last seq
          </th>
          <th scope="col" className="num">
            Pending
          </th>
          <th scope="col" className="num">
            Ack pending
          </th>
          <th scope="col" className="num">
            Redelivered
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.flatMap((s) => [
          <tr key={s.name} data-testid="ops-stream" data-stream={s.name} data-messages={s.messages} data-last-seq={s.lastSeq}>
            <th scope="row" data-label="Stream">
              {s.name} <small>{s.subjects.join(' ')}</small>
            </th>
            <td className="num" data-label="Messages">
              {n(s.messages)}
            </td>
            <td className="num" data-label="Bytes">
              {bytes(s.bytes)}
            </td>
            <td className="num" data-label="Last seq">
              {n(s.lastSeq)}
            </td>
            <td colSpan={3} />
          </tr>,
          ...s.consumers.map((c) => (
            <tr
              key={`${s.name}/${c.name}`}
              data-testid="ops-consumer"
              data-consumer={c.name}
              data-pending={c.pending}
              data-ack-pending={c.ackPending}
            >
              <td data-label="Consumer">↳ {c.name}</td>
              <td colSpan={3} />
              <td className="num" data-label="Pending">
                {n(c.pending)}
              </td>
              <td className="num" data-label="Ack pending">
                {n(c.ackPending)}
              </td>
              <td className="num" data-label="Redelivered">
                {n(c.redelivered)}
              </td>
            </tr>
          )),
        ])}
      </tbody>
    </table>
  );
}

function DeadLetters({ total, rows }: { total: number; rows: OpsDeadLetter[] }) {
  if (!rows.length) return <p data-testid="ops-deadletters-empty">No dead-lettered messages.</p>;
  return (
    <>
      <p>
        {n(total)} message{total === 1 ? '' : 's'}
        {total > rows.length ? ` (the oldest ${rows.length} shown)` : ''}. Replay republishes the payload to its original subject (every
        consumer of it gets it again) and removes it from DEADLETTER.
      </p>
      {/* Payloads and errors are long: the table scrolls inside the page instead of widening it. */}
      <div style={{ overflowX: 'auto' }}>
        <table className="lines" aria-label="Dead letters">
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">Original subject</th>
              <th scope="col">Consumer</th>
              <th scope="col">Error</th>
              <th scope="col" className="num">
                Deliveries
              </th>
              <th scope="col">Payload</th>
              <th scope="col" />
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => (
              <tr key={m.seq} data-testid="ops-deadletter" data-seq={m.seq} data-original-subject={m.originalSubject}>
                <td data-label="#" title={`${m.subject} at ${m.time}`}>
                  {m.seq}
                </td>
                <td data-label="Original subject">{m.originalSubject}</td>
                <td data-label="Consumer">{m.consumer}</td>
                <td data-label="Error">{m.error}</td>
                <td className="num" data-label="Deliveries">
                  {m.deliveries}
                </td>
                <td data-label="Payload">
                  <code>{m.payload.length > 120 ? `${m.payload.slice(0, 120)}…` : m.payload}</code>
                </td>
                <td>
                  <ReplayButton seq={m.seq} subject={m.originalSubject} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Commission({ days }: { days: CommissionDay[] }) {
  // The chart wants every day of the period; fillDays adds the days without commission as zeros.
  const filled = fillDays(
    days.map((d) => ({ date: d.date, revenue: d.commission, orders: 0 })),
    COMMISSION_DAYS,
    new Date(),
  ).map((d) => ({ date: d.date, commission: d.revenue }));
  const total = Math.round(filled.reduce((sum, d) => sum + Math.round(d.commission * 100), 0)) / 100;
  return (
    <>
      <p data-testid="ops-commission-total">
        {formatMoney(total)} earned in {COMMISSION_DAYS} days.
      </p>
      <ChartFigure chart={commissionChartSvg(filled)} caption="Commission per day (UTC)" testId="ops-commission-chart">
        <details className="chart-data">
          <summary>The figures per day</summary>
          <table className="lines lines-compact" aria-label="Commission per day">
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col" className="num">
                  Commission
                </th>
              </tr>
            </thead>
            <tbody>
              {[...filled].reverse().map((d) => (
                <tr key={d.date} data-testid="ops-commission-day" data-date={d.date} data-commission={d.commission}>
                  <th scope="row" data-label="Day">
                    <time dateTime={d.date}>{shortDay(d.date)}</time>
                  </th>
                  <td className="num" data-label="Commission">
                    {formatMoney(d.commission)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </ChartFigure>
    </>
  );
}
