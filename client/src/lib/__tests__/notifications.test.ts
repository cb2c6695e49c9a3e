import {
  BADGE_MAX,
  badgeText,
  bellLabel,
  createUnreadStore,
  feedApiPath,
  feedPagePath,
  NOTIFICATIONS_PATH,
  notificationHref,
  unreadFrom,
} from '../notifications';

describe('the bell', () => {
  test('is named with the unread count, and plainly "Notifications" when none or not known', () => {
    expect(bellLabel(3)).toBe('Notifications, 3 unread');
    expect(bellLabel(1)).toBe('Notifications, 1 unread');
    expect(bellLabel(250)).toBe('Notifications, 250 unread');
    for (const none of [0, null, undefined, -1, 2.5, NaN]) expect(bellLabel(none)).toBe('Notifications');
  });

  test('has a badge only when something is unread; a large count is capped on the badge', () => {
    expect(badgeText(1)).toBe('1');
    expect(badgeText(BADGE_MAX)).toBe('99');
    expect(badgeText(BADGE_MAX + 1)).toBe('99+');
    for (const none of [0, null, undefined, -4, 1.5, Infinity]) expect(badgeText(none)).toBeNull();
  });

  test("takes the count from a feed answer only when it is one; anything else is 'not known'", () => {
    expect(unreadFrom({ items: [], unread: 4, nextCursor: null })).toBe(4);
    expect(unreadFrom({ items: [], unread: 0, nextCursor: null })).toBe(0);
    for (const odd of [null, undefined, 'oops', {}, { unread: '4' }, { unread: -1 }, { unread: 1.5 }, { errors: [] }, []]) {
      expect(unreadFrom(odd)).toBeNull();
    }
  });
});

describe('paths', () => {
  test('the feed and its pages carry the cursor encoded, and none on the newest page', () => {
    expect(feedApiPath()).toBe('/api/notifications');
    expect(feedApiPath('')).toBe('/api/notifications');
    expect(feedPagePath()).toBe(NOTIFICATIONS_PATH);
    const cursor = 'MjAyNi0wMy0wNFQxMDoyMDowMC4wMDBa&x=1/+';
    expect(feedApiPath(cursor)).toBe(`/api/notifications?cursor=${encodeURIComponent(cursor).replace(/%20/g, '+')}`);
    expect(new URL(feedPagePath(cursor), 'http://shop').searchParams.get('cursor')).toBe(cursor);
    expect(new URL(feedApiPath(cursor), 'http://shop').searchParams.get('cursor')).toBe(cursor);
  });

  test('a notification leads to its page on this site, never elsewhere', () => {
    expect(notificationHref('/orders/abc')).toBe('/orders/abc');
    expect(notificationHref('/sell/returns?status=requested')).toBe('/sell/returns?status=requested');
    for (const elsewhere of [
      'https://evil.example/orders',
      '//evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
      'orders/abc',
      '',
      null,
      42,
    ]) {
      expect(notificationHref(elsewhere)).toBe(NOTIFICATIONS_PATH);
    }
  });
});

describe('the unread store', () => {
  test('starts untold, then holds what it is told and tells its listeners of changes only', () => {
    const store = createUnreadStore();
    expect(store.get()).toBeUndefined();
    const heard: Array<number | null | undefined> = [];
    const stop = store.subscribe(() => heard.push(store.get()));
    store.set(3);
    store.set(3);
    store.set(0);
    store.set(null);
    expect(heard).toEqual([3, 0, null]);
    stop();
    store.set(5);
    expect(heard).toEqual([3, 0, null]);
    expect(store.get()).toBe(5);
  });

  test('a read answered after "all read" was set does not bring the old count back', () => {
    const store = createUnreadStore();
    store.set(3);
    const settle = store.beginRead(); // the bell asks (e.g. after navigating to /notifications) ...
    store.set(0); // ... the page marks everything read first ...
    settle(3); // ... and the bell's answer, read before the marking, lands last
    expect(store.get()).toBe(0);
  });

  test('a read begun after the marking lands (it knows newer things)', () => {
    const store = createUnreadStore();
    store.set(0);
    const settle = store.beginRead();
    settle(2);
    expect(store.get()).toBe(2);
  });

  test('of two overlapping reads the later one wins, whatever order they land in', () => {
    const store = createUnreadStore();
    const first = store.beginRead();
    const second = store.beginRead();
    second(7);
    first(4);
    expect(store.get()).toBe(7);

    const third = store.beginRead();
    const fourth = store.beginRead();
    third(1);
    expect(store.get()).toBe(1);
    fourth(2);
    expect(store.get()).toBe(2);
  });

  test('a count that is not one is stored as "not known"', () => {
    const store = createUnreadStore();
    store.set(2);
    store.beginRead()(-3);
    expect(store.get()).toBeNull();
    store.set(1.5);
    expect(store.get()).toBeNull();
  });
});
