import type { AuthAppContext } from '../app';

/**
 * Revocations written to memory, for tests of auth's own routes that do not watch NATS. The tests
 * that sessions really end everywhere use the real bucket (sessions-revoked.test.ts).
 */
export function recordedRevocations(): AuthAppContext['sessions'] & { sids: string[]; users: string[] } {
  const sids: string[] = [];
  const users: string[] = [];
  return {
    sids,
    users,
    revokeSession: async (sid) => {
      sids.push(sid);
    },
    revokeUserSessions: async (userId) => {
      users.push(userId);
    },
  };
}
