import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { readRequest } from '../../../src/instrumentation/http/requestAttributes.js';

function request(url: string): IncomingMessage {
  return {
    method: 'GET',
    url,
    headers: { host: 'example.com' },
    httpVersion: '1.1',
  } as IncomingMessage;
}

describe('readRequest', () => {
  it.each([
    ['/orders/42?token=abc', '/orders/42'],
    ['http://admin:s3cret@example.com/orders/42?x=1', '/orders/42'],
    ['https://example.com', '/'],
    ['HTTP://user@example.com:8080/a/b#frag', '/a/b'],
    ['*', '*'],
    ['', '/'],
  ])('should take url.path of %j as %j, never the query, host or credentials', (url, path) => {
    expect(readRequest(request(url), false).path).toBe(path);
  });
});
