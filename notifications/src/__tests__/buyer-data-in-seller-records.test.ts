/**
 * SPEC invariant 13: a buyer's name and address never land in their sellers' notification records,
 * so deleting the buyer's account (which removes the buyer's own records) leaves none behind. The
 * seller's email shows the address (it is sent, not stored); the stored entry names no buyer.
 */
import { useTestDatabase } from '@jetmart/common/testing';
import { deliverNotices, salesMade, type DeliveryDeps } from '../notify';
import { ADDRESS, MAIL, oid, scenario, seedPerson, testModels } from './support/fixtures';

useTestDatabase({ prefix: 'notifications_seller_records' });
const models = testModels();

it("sale.made: the sellers' stored records (in-app and email) hold none of the buyer's address", async () => {
  const sent: string[] = [];
  const deps: DeliveryDeps = {
    models,
    mailer: {
      send: async (m) => {
        sent.push(JSON.stringify(m));
        return { kind: 'accepted' };
      },
      close: () => undefined,
    },
    mail: MAIL,
  };
  const [a, b] = [await seedPerson(models), await seedPerson(models)];
  const s = scenario(oid(), [a.id, b.id]);
  await deliverNotices(deps, oid(), salesMade(s.orderCompleted.data));
  const records = await models.Notification.find({ userId: { $in: [a.id, b.id] } }).lean();
  expect(records.map((r) => r.channel).sort()).toEqual(['email', 'email', 'in-app', 'in-app']);
  const stored = JSON.stringify(records);
  for (const v of [ADDRESS.name, ADDRESS.line1, ADDRESS.city, ADDRESS.postalCode]) expect(stored).not.toContain(v);
  // The mail itself still tells the seller where to ship.
  expect(sent).toHaveLength(2);
  for (const m of sent) expect(m).toContain(ADDRESS.line1);
});
