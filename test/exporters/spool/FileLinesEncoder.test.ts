// The `file` destination's encoding: one OTLP/JSON request line per category
// file, written by our own encoder, that reads through the .proto (OTLP/JSON
// rules) as the same request the SDK's protobuf serializer makes of the group.
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fileLinesEncoder,
  splitFileLineBytes,
  splitFileLines,
} from '../../../src/exporters/spool/FileLinesEncoder.js';
import { byFile, categorised } from '../../helpers/fileLines.js';
import { batches, decode, decodeOtlpJson } from '../../helpers/otlpLogsConformance.js';

describe('fileLinesEncoder', () => {
  it('should write one line per category file, each the OTLP/JSON request of its records', () => {
    fc.assert(
      fc.property(batches, fc.array(fc.nat(), { minLength: 1, maxLength: 8 }), (raw, picks) => {
        const batch = categorised(raw, picks);
        const text = Buffer.from(fileLinesEncoder.encode(batch)).toString('utf8');
        expect(text.endsWith('\n') || batch.length === 0).toBe(true);
        const lines = text.split('\n').slice(0, -1);
        const expected = byFile(batch);
        expect(lines.map((line) => line.slice(0, line.indexOf('\t')))).toEqual([
          ...expected.keys(),
        ]);
        lines.forEach((line, i) => {
          const group = [...expected.values()][i]!;
          expect(decodeOtlpJson(line.slice(line.indexOf('\t') + 1))).toEqual(
            decode(ProtobufLogsSerializer.serializeRequest(group)!),
          );
        });
        // The spool and the sender read the same lines back.
        expect(splitFileLines(Buffer.from(text))).toEqual(
          lines.map((line) => [
            line.slice(0, line.indexOf('\t')),
            `${line.slice(line.indexOf('\t') + 1)}\n`,
          ]),
        );
      }),
      { numRuns: 200 },
    );
  });
});

describe('splitFileLineBytes', () => {
  it('should split any payload where the text split does, the lines as the same bytes', () => {
    const entry = fc.tuple(
      fc.string({ unit: 'grapheme', maxLength: 8 }),
      fc.boolean(),
      fc.string({ unit: 'binary', maxLength: 40 }),
    );
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 6 }), fc.boolean(), (entries, trailing) => {
        let text = entries
          .map(([file, tab, line]) => `${file}${tab ? '\t' : ''}${line}`)
          .join('\n');
        if (trailing) text += '\n';
        const payload = Buffer.from(text, 'utf8');
        const lines = splitFileLineBytes(payload);
        expect(lines.map(([file, line]) => [file, Buffer.from(line).toString('utf8')])).toEqual(
          splitFileLines(payload),
        );
        // What the text split gives, from the text itself.
        const expected: Array<[string, string]> = [];
        for (const part of text.split('\n')) {
          const tab = part.indexOf('\t');
          if (tab > 0) expected.push([part.slice(0, tab), `${part.slice(tab + 1)}\n`]);
        }
        expect(splitFileLines(payload)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});
