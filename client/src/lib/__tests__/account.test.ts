import { addressApiPath, newPasswordProblem, passwordCheckErrors, sessionEnded, tokenParam } from '../account';

describe('newPasswordProblem', () => {
  test('8 to 128 characters pass; shorter or longer are refused with the bounds named', () => {
    expect(newPasswordProblem('x'.repeat(8))).toBeUndefined();
    expect(newPasswordProblem('x'.repeat(128))).toBeUndefined();
    expect(newPasswordProblem('x'.repeat(7))).toBe('Password must be between 8 and 128 characters');
    expect(newPasswordProblem('x'.repeat(129))).toBe('Password must be between 8 and 128 characters');
    expect(newPasswordProblem('')).toBeDefined();
  });
});

describe('passwordCheckErrors and sessionEnded', () => {
  test("a 401 about the password goes on the form's password field and is not a lost session", () => {
    const list = passwordCheckErrors(401, [{ message: 'Password is incorrect' }], 'currentPassword');
    expect(list).toEqual([{ message: 'Password is incorrect', field: 'currentPassword' }]);
    expect(sessionEnded(401, list)).toBe(false);
  });

  test('any other 401 is a session that has ended', () => {
    const list = passwordCheckErrors(401, [{ message: 'Not signed in' }], 'currentPassword');
    expect(list).toEqual([{ message: 'Not signed in' }]);
    expect(sessionEnded(401, list)).toBe(true);
  });

  test('other statuses are left as they are', () => {
    const errors = [{ message: 'The new password must differ from the current one', field: 'newPassword' }];
    expect(passwordCheckErrors(400, errors, 'currentPassword')).toBe(errors);
    expect(passwordCheckErrors(429, [{ message: 'Too many password attempts' }], 'currentPassword')).toEqual([
      { message: 'Too many password attempts' },
    ]);
    expect(sessionEnded(400, errors)).toBe(false);
    expect(sessionEnded(503, [{ message: 'down' }])).toBe(false);
  });
});

describe('tokenParam', () => {
  test('one non-empty value is the token, trimmed; anything else is none', () => {
    expect(tokenParam(' abc123 ')).toBe('abc123');
    expect(tokenParam(undefined)).toBeUndefined();
    expect(tokenParam('')).toBeUndefined();
    expect(tokenParam('   ')).toBeUndefined();
    expect(tokenParam(['a', 'b'])).toBeUndefined();
    expect(tokenParam('x'.repeat(513))).toBeUndefined();
  });
});

test('an address id is escaped into its path', () => {
  expect(addressApiPath('abc')).toBe('/api/users/me/addresses/abc');
  expect(addressApiPath('../x?y')).toBe('/api/users/me/addresses/..%2Fx%3Fy');
});
