import { expect } from 'vitest';
import { UserError } from '../../src/errors.js';

/** |actual − expected| <= rel·|expected|, with values below 1e-300 only required to be below 1e-300 too. */
export function expectRelative(actual: number, expected: number, rel: number, what: string): void {
  if (expected < 1e-300) {
    expect(actual, what).toBeLessThan(1e-300);
    return;
  }
  expect(Math.abs(actual - expected), `${what}: ${actual} vs scipy ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected));
}

/** The UserError a promise rejects with; fails the test when it resolves or rejects with anything else. */
export async function userError(promise: Promise<unknown>): Promise<UserError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return error as UserError;
  }
  throw new Error('expected a UserError');
}
