import { describe, expect, it } from 'vitest';
import { backupPath, parseBackupName } from '../src/logFiles.js';

describe('backup names', () => {
  it('should name backup N of a file <file>.N.gz and read the name back', () => {
    expect(backupPath('logs/app.jsonl', 1)).toBe('logs/app.jsonl.1.gz');
    for (const n of [1, 2, 12, 105]) {
      expect(parseBackupName(backupPath('logs/app.jsonl', n))).toEqual({
        base: 'logs/app.jsonl',
        n,
      });
    }
  });

  it('should not take a current file, a plain .gz or a non-numeric suffix for a backup', () => {
    expect(parseBackupName('app.jsonl')).toBeUndefined();
    expect(parseBackupName('logs-2025-01-01T00-00-00.000.json.gz')).toBeUndefined();
    expect(parseBackupName('app.jsonl.x.gz')).toBeUndefined();
    expect(parseBackupName('app.jsonl.1.gz.tmp')).toBeUndefined();
  });
});
