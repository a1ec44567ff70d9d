import assert from 'node:assert/strict';

/**
 * For assert.throws / assert.rejects: the error is an Error with `code`, and its message names
 * every string in `inMessage`.
 */
export function coded(code: string, ...inMessage: string[]): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof Error, `expected an Error, got ${String(e)}`);
    assert.equal((e as { code?: string }).code, code, `code of: ${e.message}`);
    for (const s of inMessage)
      assert.ok(e.message.includes(s), `message should name ${JSON.stringify(s)}: ${e.message}`);
    return true;
  };
}

/** For assert.throws / assert.rejects: the error is an instance of `cls` with `code` and a message matching `message`. */
export function codedAs(
  cls: abstract new (...args: never[]) => Error,
  code: string,
  message: RegExp,
): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof cls, `expected a ${cls.name}, got ${String(e)}`);
    assert.equal((e as { code?: string }).code, code, `code of: ${e.message}`);
    assert.match(e.message, message);
    return true;
  };
}
