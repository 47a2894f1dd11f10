import { describe, expect, it } from 'vitest';
import { BUILTIN_LEVELS } from '../../../src/logger/levels.js';
import {
  failureSeverity,
  requestOutcome,
  statusHint,
  type RequestFacts,
} from '../../../src/instrumentation/http/requestOutcome.js';

type LevelName = 'info' | 'warn' | 'error';

function severity(name: LevelName): { severityNumber: number; severityText: string } {
  const { severityNumber, severityText } = BUILTIN_LEVELS[name];
  return { severityNumber, severityText };
}

describe('requestOutcome', () => {
  // status, aborted, failureType → error.type, level, status text
  const cases: ReadonlyArray<
    [string, RequestFacts, { errorType: string | undefined; level: LevelName; statusText: string }]
  > = [
    [
      'a 200',
      { status: 200, aborted: false, failureType: undefined },
      { errorType: undefined, level: 'info', statusText: '200' },
    ],
    [
      'a 302',
      { status: 302, aborted: false, failureType: undefined },
      { errorType: undefined, level: 'info', statusText: '302' },
    ],
    [
      "a 404 (the client's error: no error.type)",
      { status: 404, aborted: false, failureType: undefined },
      { errorType: undefined, level: 'warn', statusText: '404' },
    ],
    [
      'a 400 answered after a failure',
      { status: 400, aborted: false, failureType: 'ValidationError' },
      { errorType: undefined, level: 'warn', statusText: '400' },
    ],
    [
      'a 500',
      { status: 500, aborted: false, failureType: undefined },
      { errorType: '500', level: 'error', statusText: '500' },
    ],
    [
      'a 503',
      { status: 503, aborted: false, failureType: undefined },
      { errorType: '503', level: 'error', statusText: '503' },
    ],
    [
      'a 500 after a failure',
      { status: 500, aborted: false, failureType: 'TypeError' },
      { errorType: 'TypeError', level: 'error', statusText: '500' },
    ],
    [
      'a failure with no response',
      { status: undefined, aborted: true, failureType: 'RangeError' },
      { errorType: 'RangeError', level: 'error', statusText: 'aborted' },
    ],
    [
      'a failure whose type is "aborted"',
      { status: undefined, aborted: true, failureType: 'aborted' },
      { errorType: 'aborted', level: 'error', statusText: 'aborted' },
    ],
    [
      'a connection closed before any response',
      { status: undefined, aborted: true, failureType: undefined },
      { errorType: 'aborted', level: 'warn', statusText: 'aborted' },
    ],
    [
      'a 200 whose connection closed mid-body',
      { status: 200, aborted: true, failureType: undefined },
      { errorType: 'aborted', level: 'warn', statusText: '200 aborted' },
    ],
    [
      'a 200 cut off after a failure',
      { status: 200, aborted: true, failureType: 'Error' },
      { errorType: 'Error', level: 'error', statusText: '200 aborted' },
    ],
    [
      'a 500 whose connection closed mid-body',
      { status: 500, aborted: true, failureType: undefined },
      { errorType: '500', level: 'error', statusText: '500 aborted' },
    ],
  ];

  it.each(cases)('should record %s', (_name, facts, expected) => {
    expect(requestOutcome(facts)).toEqual({
      errorType: expected.errorType,
      severity: severity(expected.level),
      statusText: expected.statusText,
    });
  });
});

describe('failureSeverity', () => {
  it.each<[number | undefined, LevelName]>([
    [undefined, 'error'],
    [400, 'warn'],
    [404, 'warn'],
    [499, 'warn'],
    [500, 'error'],
    [503, 'error'],
  ])('should give a failure hinting %s the level %s', (hint, level) => {
    expect(failureSeverity(hint)).toEqual(severity(level));
  });
});

describe('statusHint', () => {
  it.each<[string, unknown, unknown, number | undefined]>([
    ['statusCode of the error', { statusCode: 422 }, 200, 422],
    ['status of the error', { status: 404 }, 200, 404],
    ['statusCode before status', { statusCode: 409, status: 404 }, 200, 409],
    ['the response status when the error says nothing', new Error('x'), 503, 503],
    ['nothing for a success status', new Error('x'), 200, undefined],
    ['nothing for a status outside 400-599', { status: 302 }, 200, undefined],
    ['nothing for a fractional status', { status: 404.5 }, 200, undefined],
    ['nothing for a string status', { status: '404' }, 200, undefined],
    ['the response status for a non-object error', 'boom', 500, 500],
  ])('should read %s', (_name, err, responseStatus, expected) => {
    expect(statusHint(err, responseStatus)).toBe(expected);
  });

  it('should read no hint through a throwing getter', () => {
    const err = {
      get statusCode(): number {
        throw new Error('getter');
      },
    };
    expect(statusHint(err, 200)).toBeUndefined();
    expect(statusHint(err, 502)).toBe(502);
  });
});
